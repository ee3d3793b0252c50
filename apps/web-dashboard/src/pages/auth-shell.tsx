import type { ReactNode } from 'react';
import { Logo } from '../components/layout.js';

/** Centered card layout for the signed-out pages. */
export function AuthShell({
  title,
  subtitle,
  children,
  footer,
}: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="auth-page">
      <main id="main" className="auth-card">
        <Logo />
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
        {children}
        {footer && <div className="auth-footer">{footer}</div>}
      </main>
    </div>
  );
}
