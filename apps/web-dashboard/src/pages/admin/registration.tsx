import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { type InviteCode, type RegistrationMode, adminApi } from '../../api/admin.js';
import { useApi } from '../../auth/auth-context.js';
import { CopyField } from '../../components/copy-button.js';
import { TextField } from '../../components/form.js';
import { ConfirmDialog } from '../../components/modal.js';
import { QueryState } from '../../components/query-state.js';
import { useToast } from '../../components/toast.js';
import { Badge, Button, Card, ErrorBanner, Notice } from '../../components/ui.js';
import { formatDate } from '../../lib/format.js';

const MODES: { value: RegistrationMode; title: string; text: string }[] = [
  { value: 'open', title: 'Open', text: 'Anyone can create an account.' },
  { value: 'invite-only', title: 'Invite only', text: 'New accounts need an invite code issued below.' },
  { value: 'closed', title: 'Closed', text: 'Nobody can create an account; existing developers keep signing in.' },
];

const statusTone = (s: InviteCode['status']) => (s === 'active' ? 'good' : s === 'revoked' ? 'bad' : 'neutral');

function ModeCard() {
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const current = useQuery({ queryKey: ['admin', 'registration'], queryFn: () => adminApi.registration(api) });
  const [mode, setMode] = useState<RegistrationMode>('open');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (current.data) setMode(current.data);
  }, [current.data]);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await adminApi.setRegistration(api, mode);
      toast(`Registration is now ${mode}`);
      await queryClient.invalidateQueries({ queryKey: ['admin', 'registration'] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Registration mode">
      <QueryState query={current} label="the registration mode">
        {(saved) => (
          <div className="stack">
            <fieldset className="radio-cards">
              <legend>Who can create an account?</legend>
              {MODES.map((m) => (
                <label key={m.value} className={`radio-card ${mode === m.value ? 'selected' : ''}`}>
                  <input
                    type="radio"
                    name="registration-mode"
                    value={m.value}
                    checked={mode === m.value}
                    onChange={() => setMode(m.value)}
                  />
                  <span>
                    <strong>{m.title}</strong>
                    <span className="muted small">{m.text}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            <ErrorBanner error={error} />
            <div>
              <Button variant="primary" busy={busy} disabled={mode === saved} onClick={() => void save()}>
                Save registration mode
              </Button>
            </div>
          </div>
        )}
      </QueryState>
    </Card>
  );
}

function InviteCodes() {
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const key = ['admin', 'invite-codes'];
  const codes = useQuery({ queryKey: key, queryFn: () => adminApi.inviteCodes(api) });
  const [maxUses, setMaxUses] = useState('1');
  const [days, setDays] = useState('7');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fresh, setFresh] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<InviteCode | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await adminApi.createInviteCode(api, {
        maxUses: Number(maxUses),
        expiresInDays: Number(days),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setFresh(created.code);
      setNote('');
      await queryClient.invalidateQueries({ queryKey: key });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Invite codes">
      <div className="stack">
        <form className="inline-form" onSubmit={(e) => void submit(e)} noValidate>
          <TextField label="Uses" type="number" min={1} max={1000} value={maxUses} onChange={(e) => setMaxUses(e.target.value)} />
          <TextField
            label="Expires in (days)"
            type="number"
            min={1}
            max={365}
            value={days}
            onChange={(e) => setDays(e.target.value)}
          />
          <TextField label="Note (optional)" value={note} onChange={(e) => setNote(e.target.value)} />
          <Button type="submit" variant="primary" busy={busy}>
            Create invite code
          </Button>
        </form>
        <ErrorBanner error={error} />
        {fresh && (
          <>
            <Notice kind="warning">Copy this code now: it is not shown again.</Notice>
            <CopyField id="new-invite-code" label="New invite code" value={fresh} />
          </>
        )}
        <QueryState query={codes} label="invite codes">
          {(list) =>
            list.length === 0 ? (
              <p className="muted">No invite codes yet.</p>
            ) : (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Code</th>
                      <th scope="col">Status</th>
                      <th scope="col">Used</th>
                      <th scope="col">Expires</th>
                      <th scope="col">Note</th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((c) => (
                      <tr key={c._id}>
                        <td className="mono small">inv_…{c.suffix}</td>
                        <td>
                          <Badge tone={statusTone(c.status)}>{c.status ?? 'active'}</Badge>
                        </td>
                        <td title={c.usedBy?.join(', ')}>
                          {c.uses} / {c.maxUses}
                        </td>
                        <td className="nowrap">{formatDate(c.expiresAt)}</td>
                        <td>{c.note || '—'}</td>
                        <td className="row-end">
                          <Button
                            small
                            variant="danger"
                            disabled={c.status === 'revoked'}
                            aria-label={`Revoke invite code ending ${c.suffix}`}
                            onClick={() => setRevoking(c)}
                          >
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
      </div>
      {revoking && (
        <ConfirmDialog
          title="Revoke this invite code?"
          message={<>Nobody can register with the code ending “{revoking.suffix}” any more.</>}
          confirmLabel="Revoke code"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await adminApi.revokeInviteCode(api, revoking._id);
            toast('Invite code revoked');
            await queryClient.invalidateQueries({ queryKey: key });
          }}
        />
      )}
    </Card>
  );
}

/** Registration mode (open / invite-only / closed) and the invite codes. */
export function RegistrationPanel() {
  return (
    <div className="stack-lg">
      <ModeCard />
      <InviteCodes />
    </div>
  );
}
