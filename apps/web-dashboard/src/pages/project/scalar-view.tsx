import { ApiReferenceReact } from '@scalar/api-reference-react';
import '@scalar/api-reference-react/style.css';
import { useTheme } from '../../components/theme.js';

/**
 * Scalar's API reference for one OpenAPI document, bundled with the dashboard (loaded lazily by
 * the API reference page so the rest of the dashboard stays small). Nothing is fetched from a
 * CDN: default web fonts, telemetry and the hosted agent/MCP features are off, and requests from "Test request" go straight to
 * the project's public API (which answers CORS for any origin). It follows the dashboard's theme.
 */
export default function ScalarView({ document, serverUrl }: { document: Record<string, unknown>; serverUrl: string }) {
  const { resolved } = useTheme();
  return (
    <ApiReferenceReact
      configuration={{
        content: document,
        servers: [{ url: serverUrl, description: 'Public API' }],
        withDefaultFonts: false,
        telemetry: false,
        hideDarkModeToggle: true,
        darkMode: resolved === 'dark',
        forceDarkModeState: resolved,
        showDeveloperTools: 'never',
        documentDownloadType: 'json',
        hideModels: false,
        defaultOpenAllTags: false,
        authentication: { preferredSecurityScheme: 'apiKey' },
        // Hosted Scalar services (AI agent, MCP) stay off: the reference works offline.
        agent: { disabled: true },
        mcp: { disabled: true },
      }}
    />
  );
}
