import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { usersApi } from '../../api/extras.js';
import { projectPath } from '../../api/projects.js';
import type { EndUser } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { TextArea, TextField } from '../../components/form.js';
import { ConfirmDialog, Modal } from '../../components/modal.js';
import { QueryState } from '../../components/query-state.js';
import { useToast } from '../../components/toast.js';
import { Button, ErrorBanner } from '../../components/ui.js';
import { formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';
import { useGuard } from './role.js';

/** `::ffff:127.0.0.1` (an IPv4 address seen through an IPv6 socket) → `127.0.0.1`. */
export function readableIp(ip: string | undefined | null): string {
  if (!ip) return 'unknown IP';
  const v4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip.trim());
  if (v4?.[1]) return v4[1];
  return ip.trim() === '::1' ? '::1 (this machine)' : ip.trim();
}

/** The `message` of an API answer, else `fallback`. */
function messageOf(answer: unknown, fallback: string): string {
  const m = answer && typeof answer === 'object' ? (answer as { message?: unknown }).message : undefined;
  return typeof m === 'string' && m ? m : fallback;
}

const HIDDEN = new Set(['_id', 'email', 'password', 'createdAt', 'updatedAt', '__v', 'emailVerified', 'authDisabledAt']);

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
  const [busy, setBusy] = useState<'profile' | 'password' | 'mail' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const act = async (kind: 'profile' | 'password' | 'mail', action: () => Promise<unknown>, message: string) => {
    setBusy(kind);
    setError(null);
    try {
      const answer = await action();
      await queryClient.invalidateQueries({ queryKey: ['users', projectId] });
      toast(kind === 'mail' ? messageOf(answer, message) : message);
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
        <div className="stack">
          <p className="muted small">
            Or let them choose one: mail them the same reset code as “Forgot password” in your app (they enter it with a new
            password).
          </p>
          <div>
            <Button
              busy={busy === 'mail'}
              onClick={() =>
                void act('mail', () => usersApi.sendPasswordReset(api, projectId, user._id), 'Password-reset mail sent')
              }
            >
              Send password reset
            </Button>
          </div>
        </div>
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
                    <div className="session-device">
                      <strong title={s.userAgent || undefined}>{s.device || 'Unknown device'}</strong>
                      <div className="muted small">
                        <span title={s.ip || undefined}>{readableIp(s.ip)}</span> · started {formatDate(s.createdAt)} · last used{' '}
                        {formatDate(s.lastUsedAt)}
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

/** Confirms disabling (signs the user out everywhere, refuses login) or enabling one end user. */
export function UserStatusDialog({ user, onClose }: { user: EndUser; onClose: () => void }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const disabling = !user.authDisabledAt;
  return (
    <ConfirmDialog
      title={disabling ? 'Disable this user?' : 'Enable this user?'}
      danger={disabling}
      message={
        disabling ? (
          <>
            <strong>{user.email}</strong> is signed out everywhere at once (their tokens and realtime connections stop working)
            and cannot log in until you enable them again. Their data stays.
          </>
        ) : (
          <>
            <strong>{user.email}</strong> can log in again.
          </>
        )
      }
      confirmLabel={disabling ? 'Disable user' : 'Enable user'}
      onClose={onClose}
      onConfirm={async () => {
        await usersApi.setDisabled(api, projectId, user._id, disabling);
        toast(disabling ? `${user.email} disabled and signed out` : `${user.email} enabled`);
        await queryClient.invalidateQueries({ queryKey: ['users', projectId] });
      }}
    />
  );
}

/** Confirms deleting one end user (to the trash unless it is off for users). */
export function DeleteUserDialog({ user, onClose }: { user: EndUser; onClose: () => void }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  return (
    <ConfirmDialog
      title="Delete this user?"
      message={
        <>
          <strong>{user.email}</strong> is signed out everywhere and moves to the trash (the users collection’s Trash tab restores
          it) unless the trash is off for users.
        </>
      }
      confirmLabel="Delete user"
      onClose={onClose}
      onConfirm={async () => {
        await api.del(projectPath(projectId, `/admin/users/${encodeURIComponent(user._id)}`));
        toast(`${user.email} deleted`);
        await queryClient.invalidateQueries({ queryKey: ['users', projectId] });
      }}
    />
  );
}
