import { useState } from 'react';
import type { Project } from '../../api/types.js';
import { CopyButton } from '../../components/copy-button.js';
import { Card } from '../../components/ui.js';
import { publicApiUrl } from '../../lib/format.js';

type Tab = 'sdk' | 'curl' | 'auth';

function snippets(project: Project): Record<Tab, string> {
  const base = publicApiUrl(project.publicApiUrl);
  const coll = project.collections.find((c) => c.name !== 'users')?.name ?? 'posts';
  return {
    sdk: `npm install @urbackend/sdk

import { urBackend } from '@urbackend/sdk';

const client = urBackend({
  apiKey: 'pk_live_…', // your publishable key
  baseUrl: '${base}',
});

// Read: newest first, 10 per page
const items = await client.db.getAll('${coll}', { sort: 'createdAt:desc', limit: 10 });

// Write (needs RLS enabled and a signed-in user, or the secret key on a server)
const created = await client.db.insert('${coll}', { title: 'Hello' });`,
    curl: `# List documents (publishable key)
curl '${base}/api/data/${coll}?limit=10&sort=createdAt:desc' \\
  -H 'x-api-key: pk_live_…'

# Insert from your server (secret key)
curl -X POST '${base}/api/data/${coll}' \\
  -H 'x-api-key: sk_live_…' \\
  -H 'content-type: application/json' \\
  -d '{"title":"Hello"}'`,
    auth: `// End-user sign-up and login (turn on Auth in Settings first)
await client.auth.signUp({ email: 'ada@example.com', password: 'a-strong-password' });
await client.auth.verifyEmail({ email: 'ada@example.com', otp: '123456' });
await client.auth.login({ email: 'ada@example.com', password: 'a-strong-password' });
const me = await client.auth.me();

// Upload a file (secret key, or publishable key when client uploads are on)
const file = new File(['hello'], 'hello.txt', { type: 'text/plain' });
const { url } = await client.storage.upload(file);`,
  };
}

const TABS: { id: Tab; label: string }[] = [
  { id: 'sdk', label: 'JavaScript SDK' },
  { id: 'curl', label: 'curl' },
  { id: 'auth', label: 'Auth & files' },
];

/** Copy-ready snippets for this project's public API URL. */
export function QuickStart({ project }: { project: Project }) {
  const [tab, setTab] = useState<Tab>('sdk');
  const code = snippets(project)[tab];
  return (
    <Card title="Quick start" actions={<CopyButton text={code} label="Copy snippet" />}>
      <p className="muted">
        Public API: <code>{publicApiUrl(project.publicApiUrl)}</code>. Replace <code>pk_live_…</code> / <code>sk_live_…</code>{' '}
        with your keys (shown once when the project was created, or after a rotation).
      </p>
      <div className="tabs" role="tablist" aria-label="Snippet language">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`qs-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls="qs-panel"
            className={tab === t.id ? 'tab active' : 'tab'}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <pre className="code" id="qs-panel" role="tabpanel" aria-labelledby={`qs-tab-${tab}`}>
        {code}
      </pre>
    </Card>
  );
}
