import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { type SessionResponse, useAuth } from '../auth/auth-context.js';
import { TextField } from '../components/form.js';
import { Button, ErrorBanner, Notice } from '../components/ui.js';
import { AuthShell } from './auth-shell.js';

/** Email verification with the 6-digit code (CONTRACT §5). */
export function VerifyPage() {
  const { api, acceptSession, user } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get('email') ?? user?.email ?? '');
  const [otp, setOtp] = useState('');
  const [busy, setBusy] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [info, setInfo] = useState(
    params.get('sent') ? `We sent a 6-digit code to ${email}. It is valid for a few minutes.` : '',
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^\d{6}$/.test(otp)) {
      setError('Enter the 6-digit code from the email.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const session = await api.post<SessionResponse>('/api/auth/verify-otp', { email: email.trim(), otp }, { noRefresh: true });
      acceptSession(session);
      navigate('/dashboard', { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const resend = async () => {
    setSending(true);
    setError(null);
    try {
      await api.post('/api/auth/send-otp', { email: email.trim() }, { noRefresh: true });
      setInfo(`A new code is on its way to ${email}.`);
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  };

  return (
    <AuthShell
      title="Verify your email"
      subtitle="Enter the code we emailed you to finish setting up your account."
      footer={<Link to="/login">Back to log in</Link>}
    >
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        {info && <Notice kind="success">{info}</Notice>}
        <TextField label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        <TextField
          label="Verification code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          pattern="\d{6}"
          className="otp-input"
          value={otp}
          onChange={(e) => setOtp(e.target.value.replace(/\D/g, ''))}
        />
        <ErrorBanner error={error} />
        <Button type="submit" variant="primary" busy={busy}>
          Verify and continue
        </Button>
        <Button variant="ghost" busy={sending} onClick={() => void resend()} disabled={!email}>
          Send me a new code
        </Button>
      </form>
    </AuthShell>
  );
}
