import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { usersApi } from '../../api/extras.js';
import type { EndUser } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { TextArea, TextField } from '../../components/form.js';
import { Modal } from '../../components/modal.js';
import { QueryState } from '../../components/query-state.js';
import { useToast } from '../../components/toast.js';
import { Button, ErrorBanner } from '../../components/ui.js';
import { formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';
import { useGuard } from './role.js';

const HIDDEN = new Set(['_id', 'email', 'password', 'createdAt', 'updatedAt', '__v', 'emailVerified']);

/** Edit profile fields (as JSON) and reset the password of one end user. */
export function EditUserModal({ user, onClose }: { user: EndUser; onClose: () => void }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [json, setJson] = useState(() =>
    JSON.stringify(Object.fromEntries(Object.entries(user).filter(([k]) => !HIDDEN.has(k))), null, 2),
  );
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<'profile' | 'password' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const act = async (kind: 'profile' | 'password', action: () => Promise<unknown>, message: string) => {
    setBusy(kind);
    setError(null);
    try {
      await action();
      await queryClient.invalidateQueries({ queryKey: ['users', projectId] });
      toast(message);
      if (kind === 'password') setPassword('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const saveProfile = (e: FormEvent) => {
    e.preventDefault();
    let patch: Record<string, unknown>;
    try {
      patch = JSON.parse(json) as Record<string, unknown>;
    } catch {
      setError('The profile is not valid JSON.');
      return;
    }
    void act('profile', () => usersApi.update(api, projectId, user._id, patch), 'User saved');
  };
  return (
    <Modal title={`Edit ${user.email}`} onClose={onClose} wide>
      <div className="stack">
        <form className="stack" onSubmit={saveProfile} noValidate>
          <TextArea
            label="Profile fields (JSON)"
            hint="Email, password and ids cannot be changed here."
            rows={8}
            className="mono"
            value={json}
            onChange={(e) => setJson(e.target.value)}
          />
          <div>
            <Button type="submit" variant="primary" busy={busy === 'profile'}>
              Save profile
            </Button>
          </div>
        </form>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void act(
              'password',
              () => usersApi.resetPassword(api, projectId, user._id, password),
              'Password reset; the user’s sessions were signed out',
            );
          }}
          noValidate
        >
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            hint="Signs the user out everywhere."
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <div>
            <Button type="submit" busy={busy === 'password'} disabled={!password}>
              Reset password
            </Button>
          </div>
        </form>
        <ErrorBanner error={error} />
      </div>
    </Modal>
  );
}

/** Active sessions of one end user, each revocable. */
export function SessionsModal({ user, onClose }: { user: EndUser; onClose: () => void }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const key = ['sessions', projectId, user._id];
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: key, queryFn: () => usersApi.sessions(api, projectId, user._id) });
  const [error, setError] = useState<unknown>(null);
  const guard = useGuard();
  const revoke = async (id: string) => {
    setError(null);
    try {
      await usersApi.revokeSession(api, projectId, user._id, id);
      toast('Session revoked');
      await queryClient.invalidateQueries({ queryKey: key });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Modal title={`Sessions of ${user.email}`} onClose={onClose} wide>
      <QueryState query={sessions} label="sessions">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No active sessions.</p>
          ) : (
            <ul className="session-list">
              {list.map((s) => {
                const id = s.tokenId ?? s._id ?? s.id ?? '';
                return (
                  <li key={id}>
                    <div>
                      <strong>{s.userAgent || 'Unknown device'}</strong>
                      <div className="muted small">
                        {s.ip || 'unknown IP'} · started {formatDate(s.createdAt)} · last used {formatDate(s.lastUsedAt)}
                      </div>
                    </div>
                    <Button small variant="danger" {...guard} onClick={() => void revoke(id)}>
                      Revoke
                    </Button>
                  </li>
                );
              })}
            </ul>
          )
        }
      </QueryState>
      <ErrorBanner error={error} />
    </Modal>
  );
}
