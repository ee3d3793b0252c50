import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { fetchRegistrationMode } from '../api/admin.js';
import { LOGGED_OUT_KEY, type SessionResponse, useAuth } from '../auth/auth-context.js';
import { TextField } from '../components/form.js';
import { Button, ErrorBanner, Loading, Notice } from '../components/ui.js';
import { fieldErrors } from '../lib/api-client.js';
import { AuthShell } from './auth-shell.js';

export function LoginPage() {
  const { api, acceptSession, status, user } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/dashboard';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // The message after logout, read once from session storage.
  const [loggedOut] = useState(() => {
    try {
      return sessionStorage.getItem(LOGGED_OUT_KEY);
    } catch {
      return null;
    }
  });
  useEffect(() => {
    try {
      sessionStorage.removeItem(LOGGED_OUT_KEY);
    } catch {
      // ignore
    }
  }, []);

  if (status === 'authenticated' && user?.isVerified) return <Navigate to={from} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api.post<SessionResponse>('/api/auth/login', { email, password }, { noRefresh: true });
      acceptSession(session);
      if (!session.user.isVerified) navigate(`/verify?email=${encodeURIComponent(session.user.email)}`);
      else navigate(from, { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <AuthShell
      title="Log in"
      subtitle="Welcome back. Manage your projects, data and users."
      footer={
        <>
          <Link to="/forgot-password">Forgot your password?</Link>
          <span>
            New here? <Link to="/register">Create an account</Link>
          </span>
        </>
      }
    >
      {loggedOut && (
        <Notice kind="success">
          {loggedOut === 'everywhere' ? 'You are logged out on every device.' : 'You are logged out.'} Log in again to continue.
        </Notice>
      )}
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <ErrorBanner error={error} />
        <Button type="submit" variant="primary" busy={busy}>
          Log in
        </Button>
      </form>
    </AuthShell>
  );
}

export function RegisterPage() {
  const { api } = useAuth();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [inviteCode, setInviteCode] = useState('');
  const registration = useQuery({ queryKey: ['registration-mode'], queryFn: () => fetchRegistrationMode(api) });
  const mode = registration.data ?? 'open';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!/^\S+@\S+\.\S+$/.test(email.trim())) local.email = 'Enter a valid email address.';
    if (password.length < 8) local.password = 'Use at least 8 characters.';
    if (confirm !== password) local.confirm = 'The passwords do not match.';
    if (mode === 'invite-only' && !inviteCode.trim()) local.inviteCode = 'Enter the invite code you were given.';
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setError(null);
    try {
      const body = { email: email.trim(), password, ...(mode === 'invite-only' ? { inviteCode: inviteCode.trim() } : {}) };
      await api.post('/api/auth/register', body, { noRefresh: true });
      navigate(`/verify?email=${encodeURIComponent(email.trim().toLowerCase())}&sent=1`);
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(err);
      setBusy(false);
    }
  };

  return (
    <AuthShell
      title="Create your account"
      subtitle="We will email you a 6-digit code to verify your address."
      footer={
        <span>
          Already have an account? <Link to="/login">Log in</Link>
        </span>
      }
    >
      {registration.isPending ? (
        <Loading label="Checking whether registration is open…" />
      ) : mode === 'closed' ? (
        <Notice kind="warning">
          <strong>Registration is closed on this server.</strong> The administrator is not accepting new accounts. If you already
          have one, <Link to="/login">log in</Link>.
        </Notice>
      ) : (
        <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
          {mode === 'invite-only' && (
            <Notice kind="info">
              Registration on this server is by invitation: enter the invite code the administrator gave you.
            </Notice>
          )}
          <TextField
            label="Email"
            type="email"
            autoComplete="email"
            required
            value={email}
            error={errors.email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <TextField
            label="Password"
            type="password"
            autoComplete="new-password"
            required
            hint="At least 8 characters."
            value={password}
            error={errors.password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <TextField
            label="Confirm password"
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            error={errors.confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
          {mode === 'invite-only' && (
            <TextField
              label="Invite code"
              autoComplete="off"
              required
              value={inviteCode}
              error={errors.inviteCode}
              onChange={(e) => setInviteCode(e.target.value)}
            />
          )}
          <ErrorBanner error={error} />
          <Button type="submit" variant="primary" busy={busy}>
            Create account
          </Button>
        </form>
      )}
    </AuthShell>
  );
}
