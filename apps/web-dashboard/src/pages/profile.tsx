import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useAuth } from '../auth/auth-context.js';
import { TextField } from '../components/form.js';
import { Modal } from '../components/modal.js';
import { useToast } from '../components/toast.js';
import { Badge, Button, Card, ErrorBanner, PageHeader } from '../components/ui.js';

function ChangePassword() {
  const { api } = useAuth();
  const toast = useToast();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next.length < 8) return setError('Use at least 8 characters for the new password.');
    setBusy(true);
    setError(null);
    try {
      await api.put('/api/auth/change-password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      toast('Password changed. Other sessions were signed out.');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Change password">
      <form className="stack narrow" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters."
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        <ErrorBanner error={error} />
        <div>
          <Button type="submit" variant="primary" busy={busy}>
            Update password
          </Button>
        </div>
      </form>
    </Card>
  );
}

function DeleteAccount() {
  const { api, clear, user } = useAuth();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.del('/api/auth/delete-account', { password });
      clear();
      navigate('/', { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Card title="Delete account" className="danger-zone">
      <p className="muted">
        Deletes your account and every project you own, with their data, users, files, logs and webhooks. This cannot be undone.
      </p>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete my account
      </Button>
      {open && (
        <Modal
          title="Delete your account?"
          onClose={() => setOpen(false)}
          footer={
            <>
              <Button onClick={() => setOpen(false)}>Cancel</Button>
              <Button variant="danger" busy={busy} disabled={typed !== user?.email || !password} onClick={() => void run()}>
                Delete everything
              </Button>
            </>
          }
        >
          <div className="stack">
            <TextField
              label={
                <>
                  Type your email <code>{user?.email}</code> to confirm
                </>
              }
              value={typed}
              autoComplete="off"
              onChange={(e) => setTyped(e.target.value)}
            />
            <TextField
              label="Password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <ErrorBanner error={error} />
          </div>
        </Modal>
      )}
    </Card>
  );
}

export function ProfilePage() {
  const { user, logout } = useAuth();
  return (
    <>
      <PageHeader title="Profile" subtitle="Your developer account." />
      <div className="stack-lg">
        <Card
          title="Account"
          actions={
            <>
              <Button onClick={() => void logout()}>Log out</Button>
              <Button onClick={() => void logout(true)}>Log out on every device</Button>
            </>
          }
        >
          <dl className="facts">
            <div>
              <dt>Email</dt>
              <dd>{user?.email}</dd>
            </div>
            <div>
              <dt>Plan</dt>
              <dd>
                <Badge tone="info">{user?.plan ?? 'free'}</Badge>
              </dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd>{user?.isVerified ? <Badge tone="good">Verified</Badge> : <Badge tone="warn">Not verified</Badge>}</dd>
            </div>
            {user?.isAdmin && (
              <div>
                <dt>Role</dt>
                <dd>
                  <Badge tone="info">Platform admin</Badge>
                </dd>
              </div>
            )}
          </dl>
        </Card>
        <Card
          title="Access tokens"
          actions={
            <Link className="btn btn-secondary" to="/tokens">
              Manage access tokens
            </Link>
          }
        >
          <p className="muted">
            Personal access tokens log the urBackend CLI and your scripts in as you, with a scope and an expiry.
          </p>
        </Card>
        <ChangePassword />
        <DeleteAccount />
      </div>
    </>
  );
}
