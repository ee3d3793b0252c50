import { Link, useLocation } from 'react-router';
import { useAuth } from '../auth/auth-context.js';
import { Logo, Navbar } from '../components/layout.js';

/** Any unknown address: a heading, where to go next, and the usual navigation bar. */
export function NotFoundPage() {
  const { status } = useAuth();
  const location = useLocation();
  const signedIn = status === 'authenticated';
  return (
    <div className="app">
      {signedIn ? (
        <Navbar />
      ) : status === 'loading' ? (
        <header className="navbar">
          <Logo />
        </header>
      ) : (
        <header className="navbar">
          <Logo />
          <nav aria-label="Account" className="navbar-links">
            <Link to="/login">Log in</Link>
            <Link to="/register" className="btn btn-small btn-primary">
              Get started
            </Link>
          </nav>
        </header>
      )}
      <main id="main" className="app-main">
        <div className="state state-empty not-found">
          <p className="not-found-code" aria-hidden="true">
            404
          </p>
          <h1>Page not found</h1>
          <p className="muted">
            Nothing lives at <code>{location.pathname}</code>. The link may be old, or the project may have been deleted or shared
            with you no longer.
          </p>
          <div className="row not-found-actions">
            <Link className="btn btn-primary" to={signedIn ? '/dashboard' : '/'}>
              {signedIn ? 'Go to your projects' : 'Go to the home page'}
            </Link>
          </div>
        </div>
      </main>
    </div>
  );
}
