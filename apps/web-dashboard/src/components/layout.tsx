import { Link, NavLink, Outlet } from 'react-router';
import { useAuth } from '../auth/auth-context.js';
import { CommandPalette } from './command-palette.js';
import { InvitationsNavLink } from './invitations-badge.js';
import { ThemeToggle } from './theme.js';
import '../styles/navigation.css';
import { Button } from './ui.js';

export function Logo() {
  return (
    <Link to="/" className="logo" aria-label="urBackend home">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="currentColor" />
        <path d="M9 9v9a7 7 0 0 0 14 0V9" fill="none" stroke="#fff" strokeWidth="3.5" strokeLinecap="round" />
      </svg>
      <span>urBackend</span>
    </Link>
  );
}

/** Top navigation for signed-in pages. */
export function Navbar() {
  const { user, logout } = useAuth();
  return (
    <header className="navbar">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Logo />
      <div className="navbar-tools">
        <CommandPalette />
        <ThemeToggle />
      </div>
      <nav aria-label="Account" className="navbar-links">
        <NavLink to="/dashboard">Projects</NavLink>
        <InvitationsNavLink />
        <NavLink to="/profile">Profile</NavLink>
        {user?.isAdmin && <NavLink to="/admin">Admin</NavLink>}
        {user && (
          <span className="navbar-user muted" title={user.email}>
            {user.email}
          </span>
        )}
        <Button small variant="ghost" onClick={() => void logout()}>
          Log out
        </Button>
      </nav>
    </header>
  );
}

export function AppLayout() {
  return (
    <div className="app">
      <Navbar />
      <main id="main" className="app-main">
        <Outlet />
      </main>
    </div>
  );
}
