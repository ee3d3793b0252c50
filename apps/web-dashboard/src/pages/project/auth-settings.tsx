import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { type ProviderInput, projectsApi } from '../../api/projects.js';
import { useApi } from '../../auth/auth-context.js';
import { Checkbox, TextField } from '../../components/form.js';
import { Badge, Button, ErrorBanner, Notice } from '../../components/ui.js';
import { publicApiUrl } from '../../lib/format.js';
import { useProject } from './layout.js';
import { WriteCard } from './role.js';
import { ToggleSetting } from './toggle-setting.js';
import { useProjectSave } from './use-save.js';

type ProviderName = 'github' | 'google';

function Provider({ name, label }: { name: ProviderName; label: string }) {
  const { project, projectId } = useProject();
  const api = useApi();
  const state = project.authProviders?.[name];
  const [enabled, setEnabled] = useState(state?.enabled ?? false);
  const [clientId, setClientId] = useState(state?.clientId ?? '');
  const [secret, setSecret] = useState('');
  const save = useProjectSave();
  const callback = `${publicApiUrl(project.publicApiUrl)}/api/userAuth/social/${name}/callback`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input: ProviderInput = { enabled, clientId: clientId.trim(), ...(secret ? { clientSecret: secret } : {}) };
    void save
      .run(() => projectsApi.setProviders(api, projectId, { [name]: input }), `${label} sign-in saved`)
      .then((ok) => ok && setSecret(''));
  };
  return (
    <form className="provider stack" onSubmit={submit} noValidate>
      <div className="row-between">
        <h3 className="h3">{label}</h3>
        {state?.enabled ? <Badge tone="good">Enabled</Badge> : <Badge>Disabled</Badge>}
      </div>
      <Checkbox label={`Allow sign-in with ${label}`} checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
      <TextField label="Client ID" value={clientId} autoComplete="off" onChange={(e) => setClientId(e.target.value)} />
      <TextField
        label="Client secret"
        type="password"
        autoComplete="new-password"
        placeholder={state?.hasClientSecret ? 'Stored (leave empty to keep it)' : ''}
        hint={state?.hasClientSecret ? 'A secret is stored encrypted. Type a new one to replace it.' : undefined}
        value={secret}
        onChange={(e) => setSecret(e.target.value)}
      />
      <p className="field-hint">
        Callback URL for the {label} app: <code className="wrap">{callback}</code>
      </p>
      <ErrorBanner error={save.error} />
      <div>
        <Button type="submit" busy={save.busy}>
          Save {label}
        </Button>
      </div>
    </form>
  );
}

/** End-user auth on/off and the OAuth providers. */
export function AuthSettings() {
  const { project, projectId } = useProject();
  const api = useApi();
  const save = useProjectSave();
  const hasUsers = project.collections.some((c) => c.name === 'users');
  const on = Boolean(project.isAuthEnabled);
  return (
    <WriteCard title="Authentication">
      <div className="stack">
        <p className="muted">
          When on, your app can sign end users up and in through <code>/api/userAuth</code>. Accounts are stored in the{' '}
          <code>users</code> collection.
        </p>
        {!hasUsers && (
          <Notice kind="warning">
            Create a <code>users</code> collection with <code>email</code> and <code>password</code> fields first.{' '}
            <Link to={`/projects/${projectId}/collections/new`}>New collection</Link>
          </Notice>
        )}
        <ToggleSetting
          label="Enable end-user authentication"
          value={on}
          busy={save.busy}
          onToggle={(next) =>
            save.run(
              () => projectsApi.toggleAuth(api, projectId, next),
              next ? 'Authentication enabled' : 'Authentication disabled',
            )
          }
        />
        <ErrorBanner error={save.error} />
        <div className="grid-2">
          <Provider name="github" label="GitHub" />
          <Provider name="google" label="Google" />
        </div>
      </div>
    </WriteCard>
  );
}
