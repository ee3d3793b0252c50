import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { usersApi } from '../../api/extras.js';
import type { EndUser } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { TextField } from '../../components/form.js';
import { Modal } from '../../components/modal.js';
import { useToast } from '../../components/toast.js';
import { Badge, Button, EmptyState, ErrorBanner, Loading, Notice, PageHeader } from '../../components/ui.js';
import { formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';
import { useGuard } from './role.js';
import { EditUserModal, SessionsModal } from './user-modals.js';

function CreateUserModal({ onClose }: { onClose: () => void }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [username, setUsername] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await usersApi.create(api, projectId, {
        email: email.trim(),
        password,
        ...(username.trim() ? { username: username.trim() } : {}),
      });
      await queryClient.invalidateQueries({ queryKey: ['users', projectId] });
      toast('User created');
      onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Modal title="Add a user" onClose={onClose}>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <TextField label="Email" type="email" value={email} autoFocus onChange={(e) => setEmail(e.target.value)} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <TextField label="Username (optional)" value={username} onChange={(e) => setUsername(e.target.value)} />
        <p className="field-hint">Users created here are marked as verified.</p>
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

/** End-user admin: search, create, edit, reset password, sessions (CONTRACT §5). */
export function UsersPage() {
  const { project, projectId } = useProject();
  const api = useApi();
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<EndUser | null>(null);
  const [sessionsOf, setSessionsOf] = useState<EndUser | null>(null);
  const guard = useGuard();
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
                  <td>{u.email}</td>
                  <td>{u.username ?? '—'}</td>
                  <td>{u.emailVerified ? <Badge tone="good">Yes</Badge> : <Badge>No</Badge>}</td>
                  <td>{formatDate(u.createdAt)}</td>
                  <td className="row-end nowrap">
                    <Button small onClick={() => setSessionsOf(u)}>
                      Sessions
                    </Button>
                    <Button small {...guard} onClick={() => setEditing(u)}>
                      Edit
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
    </>
  );
}
