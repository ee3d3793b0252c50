import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { usersApi } from '../../api/extras.js';
import type { EndUser } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { Checkbox, TextField } from '../../components/form.js';
import { Modal } from '../../components/modal.js';
import { useToast } from '../../components/toast.js';
import { Badge, Button, EmptyState, ErrorBanner, Loading, Notice, PageHeader } from '../../components/ui.js';
import { ApiError, errorMessage, fieldErrors } from '../../lib/api-client.js';
import { formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';
import { useGuard } from './role.js';
import { DeleteUserDialog, EditUserModal, SessionsModal, UserStatusDialog } from './user-modals.js';

/** The signup rules of the public API (apps/public-api user-auth schemas, packages/common/src/end-users). */
const EMAIL_RE = /^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9-]*\.)+[A-Z]{2,}$/i;
export const MIN_PASSWORD_LENGTH = 6;
const MAX_PASSWORD_LENGTH = 100;

function signupProblems(input: { email: string; password: string; username: string }): Record<string, string> {
  const out: Record<string, string> = {};
  const email = input.email.trim();
  if (!email) out.email = 'Enter the user’s email address.';
  else if (!EMAIL_RE.test(email) || email.length > 100) out.email = 'Enter a valid email address, like name@example.com.';
  if (!input.password) out.password = 'Enter a password.';
  else if (input.password.length < MIN_PASSWORD_LENGTH)
    out.password = `The password must be at least ${MIN_PASSWORD_LENGTH} characters.`;
  else if (input.password.length > MAX_PASSWORD_LENGTH)
    out.password = `The password must be at most ${MAX_PASSWORD_LENGTH} characters.`;
  const username = input.username.trim();
  if (username && (username.length < 3 || username.length > 50)) out.username = 'A username has 3 to 50 characters.';
  return out;
}

/** Server problems on the field they name (details first, then the message's leading field name). */
function serverProblems(err: unknown): Record<string, string> {
  const out = fieldErrors(err);
  if (Object.keys(out).length || !(err instanceof ApiError)) return out;
  const m = err.message;
  if (/password/i.test(m)) out.password = m;
  else if (/email|already exists/i.test(m)) out.email = m;
  else if (/username/i.test(m)) out.username = m;
  return out;
}

function CreateUserModal({ onClose }: { onClose: () => void }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [username, setUsername] = useState('');
  const [verified, setVerified] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const found = signupProblems({ email, password, username });
    setProblems(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await usersApi.create(api, projectId, {
        email: email.trim(),
        password,
        emailVerified: verified,
        ...(username.trim() ? { username: username.trim() } : {}),
      });
      await queryClient.invalidateQueries({ queryKey: ['users', projectId] });
      toast(verified ? 'User created (verified)' : 'User created');
      onClose();
    } catch (err) {
      const onFields = serverProblems(err);
      setProblems(onFields);
      setError(Object.keys(onFields).length ? null : err);
      setBusy(false);
    }
  };
  return (
    <Modal title="Add a user" onClose={onClose}>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label="Email"
          type="email"
          value={email}
          autoFocus
          error={problems.email}
          onChange={(e) => {
            setEmail(e.target.value);
            setProblems({ ...problems, email: '' });
          }}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${MIN_PASSWORD_LENGTH} characters, as at signup.`}
          value={password}
          error={problems.password}
          onChange={(e) => {
            setPassword(e.target.value);
            setProblems({ ...problems, password: '' });
          }}
        />
        <TextField
          label="Username (optional)"
          value={username}
          error={problems.username}
          onChange={(e) => {
            setUsername(e.target.value);
            setProblems({ ...problems, username: '' });
          }}
        />
        <Checkbox
          label="Mark as verified"
          hint="Only if you know the email address belongs to this person; otherwise they verify it themselves."
          checked={verified}
          onChange={(e) => setVerified(e.target.checked)}
        />
        <ErrorBanner error={error} />
        <div className="row-end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Add user
          </Button>
        </div>
      </form>
    </Modal>
  );
}

/** End-user admin: search, create, edit, disable, reset password (set or mailed), sessions (CONTRACT §5). */
export function UsersPage() {
  const { project, projectId } = useProject();
  const api = useApi();
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<EndUser | null>(null);
  const [sessionsOf, setSessionsOf] = useState<EndUser | null>(null);
  const [deleting, setDeleting] = useState<EndUser | null>(null);
  const [statusOf, setStatusOf] = useState<EndUser | null>(null);
  const guard = useGuard();
  const toast = useToast();
  const queryClient = useQueryClient();
  const setVerified = async (u: EndUser, value: boolean) => {
    await usersApi.update(api, projectId, u._id, { emailVerified: value });
    toast(value ? `${u.email} marked verified` : `${u.email} marked unverified`);
    await queryClient.invalidateQueries({ queryKey: ['users', projectId] });
  };
  const query = { page: String(page), limit: '20', ...(applied ? { search: applied } : {}) };
  const users = useQuery({
    queryKey: ['users', projectId, query],
    queryFn: () => usersApi.list(api, projectId, query),
    enabled: Boolean(project.isAuthEnabled),
    placeholderData: keepPreviousData,
  });
  const header = (
    <PageHeader
      title="Users"
      subtitle="The end users of your app (the users collection)."
      actions={
        project.isAuthEnabled && (
          <Button variant="primary" {...guard} onClick={() => setCreating(true)}>
            Add user
          </Button>
        )
      }
    />
  );
  if (!project.isAuthEnabled) {
    return (
      <>
        {header}
        <Notice kind="info">
          End-user authentication is off. Turn it on in <Link to={`/projects/${projectId}/settings`}>Settings</Link> to manage
          users here.
        </Notice>
      </>
    );
  }
  const items = users.data?.items ?? [];
  return (
    <>
      {header}
      <form
        className="search-row"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(search.trim());
          setPage(1);
        }}
        aria-label="Search users"
      >
        <TextField label="Search by email or username" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        <Button type="submit">Search</Button>
      </form>
      {users.isPending ? (
        <Loading label="Loading users…" />
      ) : users.error ? (
        <ErrorBanner error={users.error} title="Could not load users" onRetry={() => void users.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={applied ? 'No users match' : 'No users yet'}>
          {applied ? 'Try another search.' : 'Users appear here when they sign up in your app.'}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Username</th>
                <th scope="col">Verified</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => (
                <tr key={u._id}>
                  <td>
                    {u.email}{' '}
                    {u.authDisabledAt && (
                      <span title={`Disabled ${formatDate(u.authDisabledAt)}`}>
                        <Badge tone="bad">Disabled</Badge>
                      </span>
                    )}
                  </td>
                  <td>{u.username ?? '—'}</td>
                  <td>{u.emailVerified ? <Badge tone="good">Yes</Badge> : <Badge>No</Badge>}</td>
                  <td className="nowrap">{formatDate(u.createdAt)}</td>
                  <td className="row-end nowrap">
                    <Button small onClick={() => setSessionsOf(u)}>
                      Sessions
                    </Button>
                    <Button small {...guard} onClick={() => setEditing(u)}>
                      Edit
                    </Button>
                    <Button
                      small
                      variant="ghost"
                      {...guard}
                      onClick={() => void setVerified(u, !u.emailVerified).catch((err) => toast(errorMessage(err), 'error'))}
                    >
                      {u.emailVerified ? 'Mark unverified' : 'Mark verified'}
                    </Button>
                    <Button
                      small
                      variant="ghost"
                      {...guard}
                      onClick={() => setStatusOf(u)}
                      aria-label={`${u.authDisabledAt ? 'Enable' : 'Disable'} ${u.email}`}
                    >
                      {u.authDisabledAt ? 'Enable' : 'Disable'}
                    </Button>
                    <Button small variant="danger" {...guard} onClick={() => setDeleting(u)} aria-label={`Delete ${u.email}`}>
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <Button small disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </Button>
        <span className="muted small">
          Page {page}
          {users.data?.total != null ? ` · ${users.data.total} users` : ''}
        </span>
        <Button small disabled={items.length < 20} onClick={() => setPage(page + 1)}>
          Next
        </Button>
      </nav>
      {creating && <CreateUserModal onClose={() => setCreating(false)} />}
      {editing && <EditUserModal user={editing} onClose={() => setEditing(null)} />}
      {sessionsOf && <SessionsModal user={sessionsOf} onClose={() => setSessionsOf(null)} />}
      {statusOf && <UserStatusDialog user={statusOf} onClose={() => setStatusOf(null)} />}
      {deleting && <DeleteUserDialog user={deleting} onClose={() => setDeleting(null)} />}
    </>
  );
}
