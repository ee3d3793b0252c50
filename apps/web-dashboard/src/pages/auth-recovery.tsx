import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../auth/auth-context.js';
import { TextField } from '../components/form.js';
import { Button, ErrorBanner, Notice } from '../components/ui.js';
import { AuthShell } from './auth-shell.js';

export function ForgotPasswordPage() {
  const { api } = useAuth();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/auth/forgot-password', { email: email.trim() }, { noRefresh: true });
      navigate(`/reset-password?email=${encodeURIComponent(email.trim())}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <AuthShell
      title="Reset your password"
      subtitle="Enter your account email. If it is registered, we send you a 6-digit code."
      footer={<Link to="/login">Back to log in</Link>}
    >
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <ErrorBanner error={error} />
        <Button type="submit" variant="primary" busy={busy}>
          Send reset code
        </Button>
      </form>
    </AuthShell>
  );
}

export function ResetPasswordPage() {
  const { api } = useAuth();
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [otp, setOtp] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password.length < 8) {
      setError('Use at least 8 characters for the new password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<{ message?: string }>(
        '/api/auth/reset-password',
        { email: email.trim(), otp, newPassword: password },
        { noRefresh: true },
      );
      setDone(res?.message ?? 'Password reset. You can log in with your new password.');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthShell
      title="Choose a new password"
      subtitle="Use the code from the email we sent you."
      footer={<Link to="/login">Back to log in</Link>}
    >
      {done ? (
        <div className="stack">
          <Notice kind="success">{done}</Notice>
          <Link className="btn btn-primary" to="/login">
            Log in
          </Link>
        </div>
      ) : (
        <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
          <TextField label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          <TextField
            label="Code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={otp}
            onChange={(e) => setOtp(e.target.value.replace(/\D/g, ''))}
          />
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            hint="At least 8 characters."
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <ErrorBanner error={error} />
          <Button type="submit" variant="primary" busy={busy}>
            Reset password
          </Button>
        </form>
      )}
    </AuthShell>
  );
}
