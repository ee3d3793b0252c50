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

/** `::ffff:127.0.0.1` (an IPv4 address seen through an IPv6 socket) → `127.0.0.1`. */
export function readableIp(ip: string | undefined | null): string {
  if (!ip) return 'unknown IP';
  const v4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip.trim());
  if (v4?.[1]) return v4[1];
  return ip.trim() === '::1' ? '::1 (this machine)' : ip.trim();
}

/** "Chrome on Windows" from a user agent; the raw string stays in the tooltip. */
export function deviceOf(ua: string | undefined | null): string {
  if (!ua) return 'Unknown device';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrom(e|ium)\//.test(ua)
          ? /HeadlessChrome/.test(ua)
            ? 'Headless Chrome'
            : 'Chrome'
          : /Safari\//.test(ua) && /Version\//.test(ua)
            ? 'Safari'
            : /^curl\//i.test(ua)
              ? 'curl'
              : /^node|undici|axios|okhttp|python-requests|Go-http-client/i.test(ua)
                ? (ua.split(/[\/ ]/)[0] ?? 'A script')
                : null;
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /Android/.test(ua)
        ? 'Android'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? (ua.length > 60 ? `${ua.slice(0, 57)}…` : ua);
}

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
                    <div className="session-device">
                      <strong title={s.userAgent || undefined}>{deviceOf(s.userAgent)}</strong>
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
