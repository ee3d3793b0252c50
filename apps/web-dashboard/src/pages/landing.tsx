import { Link } from 'react-router';
import { useAuth } from '../auth/auth-context.js';
import { Logo } from '../components/layout.js';

const FEATURES = [
  {
    title: 'Collections with schemas',
    text: 'Define typed fields, nested objects, references and validation, then read and write over a REST API.',
  },
  {
    title: 'End-user auth',
    text: 'Sign-up, login, email verification, password reset, sessions and GitHub / Google sign-in for your app.',
  },
  {
    title: 'Row-level security',
    text: 'Let signed-in users read everything or only their own rows, and write only what they own.',
  },
  { title: 'File storage', text: 'Upload with presigned URLs to local disk, Supabase or any S3-compatible store.' },
  { title: 'Webhooks and mail', text: 'Signed webhooks on every insert, update and delete; transactional mail with templates.' },
  { title: 'Bring your own database', text: 'Keep a project’s data in your own MongoDB and files in your own bucket.' },
];

export function LandingPage() {
  const { status } = useAuth();
  const signedIn = status === 'authenticated';
  return (
    <div className="landing">
      <header className="navbar navbar-plain">
        <Logo />
        <nav aria-label="Main" className="navbar-links">
          {signedIn ? (
            <Link className="btn btn-primary btn-small" to="/dashboard">
              Open dashboard
            </Link>
          ) : (
            <>
              <Link to="/login">Log in</Link>
              <Link className="btn btn-primary btn-small" to="/register">
                Get started
              </Link>
            </>
          )}
        </nav>
      </header>
      <main id="main">
        <section className="hero">
          <h1>The backend for your app, ready in minutes.</h1>
          <p className="hero-sub">
            urBackend gives every project a database with schemas, user accounts, file storage, mail and webhooks behind two API
            keys. Self-host it, keep your data where you want it.
          </p>
          <div className="hero-actions">
            <Link className="btn btn-primary" to={signedIn ? '/dashboard' : '/register'}>
              {signedIn ? 'Go to your projects' : 'Create a free account'}
            </Link>
            {!signedIn && (
              <Link className="btn btn-secondary" to="/login">
                Log in
              </Link>
            )}
          </div>
          <pre className="code hero-code" aria-label="Example">
            {`import { urBackend } from '@urbackend/sdk';

const client = urBackend({ apiKey: 'pk_live_…' });
const posts = await client.db.getAll('posts', { sort: 'createdAt:desc', limit: 10 });`}
          </pre>
        </section>
        <section className="features" aria-label="Features">
          {FEATURES.map((f) => (
            <article key={f.title} className="card feature">
              <h2>{f.title}</h2>
              <p className="muted">{f.text}</p>
            </article>
          ))}
        </section>
      </main>
      <footer className="landing-footer muted">urBackend · self-hostable Backend-as-a-Service</footer>
    </div>
  );
}
