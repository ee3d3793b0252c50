import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { collectionsApi } from '../../api/projects.js';
import type { Collection, RlsConfig, RlsMode } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { Checkbox, SelectField } from '../../components/form.js';
import { useToast } from '../../components/toast.js';
import { Button, ErrorBanner, Notice } from '../../components/ui.js';
import { useProject } from './layout.js';
import { WriteCard } from './role.js';

const MODES: { value: RlsMode; title: string; text: string }[] = [
  {
    value: 'public-read',
    title: 'Anyone can read, owners write',
    text: 'Apps using the publishable key can list and read every document. Signed-in users can create documents (they become the owner) and change or delete only their own.',
  },
  {
    value: 'private',
    title: 'Only owners can read and write',
    text: 'Signed-in users see only the documents they own, and can create, change and delete only those. Reading without a signed-in user is refused.',
  },
];

function defaultOwner(c: Collection): string {
  if (c.name === 'users') return '_id';
  const keys = c.model.map((f) => f.key);
  return keys.includes('userId') ? 'userId' : keys.includes('ownerId') ? 'ownerId' : (keys[0] ?? 'userId');
}

/** Row-level security for one collection, explained in plain words (reference §3). */
export function RlsPanel({ collection }: { collection: Collection }) {
  const { projectId, reload } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const initial: RlsConfig = {
    enabled: collection.rls?.enabled ?? false,
    mode: collection.rls?.mode === 'private' ? 'private' : 'public-read',
    ownerField: collection.rls?.ownerField ?? defaultOwner(collection),
    requireAuthForWrite: collection.rls?.requireAuthForWrite ?? true,
  };
  const [rls, setRls] = useState<RlsConfig>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ownerOptions =
    collection.name === 'users' ? ['_id'] : collection.model.filter((f) => ['String', 'Ref'].includes(f.type)).map((f) => f.key);
  const missingOwner = collection.name !== 'users' && !ownerOptions.includes(rls.ownerField);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await collectionsApi.setRls(api, projectId, collection.name, rls);
      await queryClient.invalidateQueries({ queryKey: ['project', projectId] });
      reload();
      toast('Access rules saved');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <WriteCard title="Access rules (row-level security)">
      <div className="stack">
        <p className="muted">
          Your <strong>secret key</strong> always has full access and ignores these rules. They decide what your app can do with
          the <strong>publishable key</strong> (in browsers and mobile apps).
        </p>
        <Checkbox
          label="Enable row-level security"
          hint={
            rls.enabled
              ? 'On: the rules below apply to the publishable key.'
              : 'Off: the publishable key can read every document but cannot create, change or delete any.'
          }
          checked={rls.enabled}
          onChange={(e) => setRls({ ...rls, enabled: e.target.checked })}
        />
        <fieldset className="radio-cards" disabled={!rls.enabled}>
          <legend>Who can read?</legend>
          {MODES.map((m) => (
            <label key={m.value} className={`radio-card ${rls.mode === m.value ? 'selected' : ''}`}>
              <input
                type="radio"
                name="rls-mode"
                value={m.value}
                checked={rls.mode === m.value}
                onChange={() => setRls({ ...rls, mode: m.value })}
              />
              <span>
                <strong>{m.title}</strong>
                <span className="muted small">{m.text}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <SelectField
          label="Owner field"
          hint="The field that holds the owner’s user id. When a signed-in user creates a document and leaves it empty, it is filled in for them."
          value={rls.ownerField}
          disabled={!rls.enabled}
          options={ownerOptions.length ? ownerOptions : [rls.ownerField]}
          onChange={(e) => setRls({ ...rls, ownerField: e.target.value })}
        />
        {rls.enabled && missingOwner && (
          <Notice kind="warning">
            This collection has no text field to hold the owner. Add one (for example <code>userId</code>, type String) in the
            schema first.
          </Notice>
        )}
        <Checkbox
          label="Writes need a signed-in user"
          hint="Creating, changing and deleting with the publishable key requires an end-user token."
          checked={rls.requireAuthForWrite}
          disabled={!rls.enabled}
          onChange={(e) => setRls({ ...rls, requireAuthForWrite: e.target.checked })}
        />
        <ErrorBanner error={error} />
        <div>
          <Button variant="primary" busy={busy} onClick={() => void save()}>
            Save access rules
          </Button>
        </div>
      </div>
    </WriteCard>
  );
}
