import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type Pat, type PatScope, patsApi } from '../api/teams.js';
import { useApi } from '../auth/auth-context.js';
import { CopyButton, CopyField } from '../components/copy-button.js';
import { Checkbox, SelectField, TextField } from '../components/form.js';
import { ConfirmDialog, Modal } from '../components/modal.js';
import { QueryState } from '../components/query-state.js';
import { useToast } from '../components/toast.js';
import { Badge, Button, Card, EmptyState, ErrorBanner, Notice, PageHeader } from '../components/ui.js';
import { fieldErrors } from '../lib/api-client.js';
import { formatDate } from '../lib/format.js';

const SCOPES: { value: PatScope; label: string }[] = [
  { value: 'api:all', label: 'Full access' },
  { value: 'api:read', label: 'Read-only' },
];
const EXPIRIES = ['7', '30', '90', '365'].map((d) => ({ value: d, label: `${d} days` }));

const scopeLabel = (scopes: string[]) => (scopes.includes('api:all') ? 'Full access' : 'Read-only');

/** Where the CLI must point: the dashboard API itself (it also calls `/health`, outside `/api`). */
function dashboardApiUrl(): string {
  const configured = import.meta.env.VITE_DASHBOARD_API_URL as string | undefined;
  if (configured) return configured.replace(/\/$/, '');
  return `${window.location.protocol}//${window.location.hostname}:1234`;
}

/** The raw token, shown once; the dialog stays open until the user says they stored it. */
function TokenOnce({ token, onDone }: { token: string; onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  return (
    <Modal
      title="Copy your new token"
      dismissible={false}
      onClose={onDone}
      footer={
        <Button variant="primary" disabled={!saved} onClick={onDone}>
          Done
        </Button>
      }
    >
      <div className="stack token-once">
        <Notice kind="warning">
          <strong>Copy this token now.</strong> It is shown only once: urBackend stores only a hash. If you lose it, revoke it and
          create another.
        </Notice>
        <CopyField id="new-access-token" label="Access token" value={token} />
        <Checkbox label="I have stored this token somewhere safe" checked={saved} onChange={(e) => setSaved(e.target.checked)} />
      </div>
    </Modal>
  );
}

function CreateToken({ onCreated }: { onCreated: (raw: string) => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [label, setLabel] = useState('');
  const [scope, setScope] = useState<PatScope>('api:all');
  const [days, setDays] = useState('30');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!label.trim()) return setError('Give the token a label, e.g. “laptop CLI”.');
    setBusy(true);
    setError(null);
    try {
      const res = await patsApi.create(api, { label: label.trim(), scopes: [scope], ttlDays: Number(days) });
      setLabel('');
      onCreated(res.rawToken);
      await queryClient.invalidateQueries({ queryKey: ['pats'] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Create a token">
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <div className="inline-form">
          <TextField
            label="Label"
            placeholder="laptop CLI"
            value={label}
            error={fieldErrors(error).label}
            onChange={(e) => setLabel(e.target.value)}
          />
          <SelectField label="Scope" value={scope} options={SCOPES} onChange={(e) => setScope(e.target.value as PatScope)} />
          <SelectField label="Expires in" value={days} options={EXPIRIES} onChange={(e) => setDays(e.target.value)} />
          <Button type="submit" variant="primary" busy={busy}>
            Create token
          </Button>
        </div>
        <p className="field-hint">
          Full access: everything your project roles allow (never your account settings or tokens). Read-only: reads only.
        </p>
        <ErrorBanner error={error} />
      </form>
    </Card>
  );
}

function TokenList() {
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const pats = useQuery({ queryKey: ['pats'], queryFn: () => patsApi.list(api) });
  const [revoking, setRevoking] = useState<Pat | null>(null);
  return (
    <Card title="Your tokens">
      <QueryState query={pats} label="tokens">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No tokens yet">Create one above to log in with the CLI.</EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Label</th>
                    <th scope="col">Token</th>
                    <th scope="col">Scope</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((t) => (
                    <tr key={t.id}>
                      <td className="strong">{t.label}</td>
                      <td className="mono small">ubpat_***{t.suffix}</td>
                      <td>
                        <Badge tone={t.scopes.includes('api:all') ? 'info' : 'neutral'}>{scopeLabel(t.scopes)}</Badge>
                      </td>
                      <td className="nowrap">{formatDate(t.createdAt)}</td>
                      <td className="nowrap">
                        {t.lastUsedAt ? formatDate(t.lastUsedAt) : 'Never'}
                        {t.lastUsedIp && <div className="muted small">{t.lastUsedIp}</div>}
                      </td>
                      <td className="nowrap">{formatDate(t.expiresAt)}</td>
                      <td className="row-end">
                        <Button small variant="danger" aria-label={`Revoke ${t.label}`} onClick={() => setRevoking(t)}>
                          Revoke
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.label}”?`}
          message={
            <>
              <code>ubpat_***{revoking.suffix}</code> stops working at once; a CLI logged in with it must log in again.
            </>
          }
          confirmLabel="Revoke token"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await patsApi.revoke(api, revoking.id);
            toast('Token revoked');
            await queryClient.invalidateQueries({ queryKey: ['pats'] });
          }}
        />
      )}
    </Card>
  );
}

function CliHint() {
  const login = `URBACKEND_API_URL=${dashboardApiUrl()} ub login`;
  return (
    <Card title="Use the CLI">
      <div className="stack">
        <p className="muted">
          The official urBackend CLI lists your projects and collections and checks your setup. Install it, then log in with a
          token from this page:
        </p>
        <pre className="code">{`npm i -g @urbackend/cli@0.2.0\n${login}`}</pre>
        <div>
          <CopyButton text={login} label="Copy login command" />
        </div>
      </div>
    </Card>
  );
}

/** Personal access tokens: for the CLI and scripts, each with a scope and an expiry. */
export function TokensPage() {
  const [fresh, setFresh] = useState<string | null>(null);
  return (
    <>
      <PageHeader
        title="Access tokens"
        subtitle="Personal access tokens let the urBackend CLI and your scripts call the dashboard API as you."
      />
      <div className="stack-lg">
        <CreateToken onCreated={setFresh} />
        <TokenList />
        <CliHint />
      </div>
      {fresh && <TokenOnce token={fresh} onDone={() => setFresh(null)} />}
    </>
  );
}
