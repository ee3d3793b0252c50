import { useQuery } from '@tanstack/react-query';
import { Suspense, lazy, useState } from 'react';
import { type KeyKind, downloadText, schemaApi } from '../../api/schema.js';
import { useApi } from '../../auth/auth-context.js';
import { QueryState } from '../../components/query-state.js';
import { Button, Loading, PageHeader } from '../../components/ui.js';
import { publicApiUrl } from '../../lib/format.js';
import { useProject } from './layout.js';
import { TypesButtons } from './schema-sync.js';
import '../../styles/schema.css';

const ScalarView = lazy(() => import('./scalar-view.js'));

const KINDS: { id: KeyKind; label: string }[] = [
  { id: 'publishable', label: 'Publishable key' },
  { id: 'secret', label: 'Secret key' },
];

/**
 * The project's interactive API reference: its OpenAPI 3.1 document (generated from the schema,
 * as `GET /api/openapi.json` serves it to apps) rendered with Scalar, with the public API URL as
 * the server. Each key kind sees only the routes it may call.
 */
export function ApiReferencePage() {
  const api = useApi();
  const { projectId, project } = useProject();
  const [kind, setKind] = useState<KeyKind>('publishable');
  const version = project.collections.map((c) => `${c.name}@${c.version ?? 1}`).join(',');
  const query = useQuery({
    queryKey: ['openapi', projectId, kind, version, project.updatedAt],
    queryFn: () => schemaApi.openApi(api, projectId, kind),
  });
  const server = publicApiUrl(project.publicApiUrl);
  return (
    <>
      <PageHeader
        title="API reference"
        subtitle={
          <>
            Every route of <code>{server}</code> for this project, generated from its schema. Apps fetch the same document at{' '}
            <code>GET /api/openapi.json</code> with their key.
          </>
        }
        actions={
          <>
            <TypesButtons />
            <Button
              disabled={!query.data}
              onClick={() =>
                query.data && downloadText(`openapi.${kind}.json`, JSON.stringify(query.data, null, 2), 'application/json')
              }
            >
              openapi.json
            </Button>
          </>
        }
      />
      <div className="tabs" role="tablist" aria-label="Key kind">
        {KINDS.map((k) => (
          <button
            key={k.id}
            type="button"
            role="tab"
            id={`ref-tab-${k.id}`}
            aria-selected={kind === k.id}
            aria-controls="ref-panel"
            className={kind === k.id ? 'tab active' : 'tab'}
            onClick={() => setKind(k.id)}
          >
            {k.label}
          </button>
        ))}
      </div>
      <div className="api-reference" id="ref-panel" role="tabpanel" aria-labelledby={`ref-tab-${kind}`}>
        <QueryState query={query} label="the API reference">
          {(doc) => (
            <Suspense fallback={<Loading label="Loading the API reference…" />}>
              <ScalarView key={`${kind}-${version}`} document={doc} serverUrl={server} />
            </Suspense>
          )}
        </QueryState>
      </div>
    </>
  );
}
