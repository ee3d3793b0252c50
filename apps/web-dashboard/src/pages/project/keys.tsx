import { useState } from 'react';
import { projectsApi } from '../../api/projects.js';
import type { KeyType } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { CopyField } from '../../components/copy-button.js';
import { ConfirmDialog } from '../../components/modal.js';
import { Button, Card, Notice, PageHeader } from '../../components/ui.js';
import { useProject } from './layout.js';
import { OwnerOnlyNotice, useGuard } from './role.js';

const KEYS: { type: KeyType; title: string; prefix: string; text: string }[] = [
  {
    type: 'publishable',
    title: 'Publishable key',
    prefix: 'pk_live_',
    text: 'For browsers and mobile apps. Reads data, signs users in, and writes only what row-level security allows. Limited to your allowed domains.',
  },
  {
    type: 'secret',
    title: 'Secret key',
    prefix: 'sk_live_',
    text: 'For your servers only. Full access to data, files and mail, bypassing row-level security. Never ship it to a browser.',
  },
];

/** API keys: only hashes are stored, so a key can be rotated but never shown again. */
export function KeysPage() {
  const { projectId } = useProject();
  const api = useApi();
  const [rotating, setRotating] = useState<KeyType | null>(null);
  const [fresh, setFresh] = useState<{ type: KeyType; key: string } | null>(null);
  const guard = useGuard('owner');
  return (
    <>
      <PageHeader title="API keys" subtitle="Every request to the public API carries one of these in the x-api-key header." />
      <Notice kind="info">
        urBackend keeps only a hash of each key, so keys cannot be shown again. If a key is lost or leaked, rotate it: the old key
        stops working immediately.
      </Notice>
      <OwnerOnlyNotice>Only the project owner can rotate keys.</OwnerOnlyNotice>
      <div className="grid-2">
        {KEYS.map((k) => (
          <Card key={k.type} title={k.title}>
            <div className="stack">
              <p className="muted">{k.text}</p>
              <p>
                Format: <code>{k.prefix}…</code>
              </p>
              {fresh?.type === k.type && (
                <>
                  <Notice kind="warning">New key: copy it now, it will not be shown again.</Notice>
                  <CopyField id={`fresh-${k.type}`} label={`New ${k.title.toLowerCase()}`} value={fresh.key} />
                </>
              )}
              <div>
                <Button variant="danger" {...guard} onClick={() => setRotating(k.type)}>
                  Rotate {k.type} key
                </Button>
              </div>
            </div>
          </Card>
        ))}
      </div>
      {rotating && (
        <ConfirmDialog
          title={`Rotate the ${rotating} key?`}
          message={`A new ${rotating} key is created and the current one stops working at once. Every app using it fails until you deploy the new key.`}
          confirmLabel="Rotate key"
          onClose={() => setRotating(null)}
          onConfirm={async () => {
            const res = await projectsApi.rotateKey(api, projectId, rotating);
            setFresh({ type: rotating, key: res.apiKey });
          }}
        />
      )}
    </>
  );
}
