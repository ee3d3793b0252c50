import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { errorMessage } from '../lib/api-client.js';

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  busy?: boolean;
  small?: boolean;
}

/** A button; `busy` disables it and shows a spinner (type defaults to "button"). */
export function Button({
  variant = 'secondary',
  busy = false,
  small = false,
  className,
  children,
  disabled,
  type,
  ...rest
}: ButtonProps) {
  const classes = ['btn', `btn-${variant}`, small ? 'btn-small' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <button type={type ?? 'button'} className={classes} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy && <span className="spinner spinner-inline" aria-hidden="true" />}
      {children}
    </button>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <output className="spinner">
      <span className="sr-only">{label}</span>
    </output>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <output className="state state-loading" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </output>
  );
}

/** Shows the server's error message, with an optional retry. */
/**
 * A server message without the repeated API path: "siteUrl: siteUrl must be…" → "siteUrl must be…",
 * "domains.0: not a valid domain" → "Domain 1: not a valid domain".
 */
export function readableError(message: string): string {
  return message
    .split('; ')
    .map((part) => {
      const m = part.match(/^([A-Za-z_$][\w$]*(?:\.[\w$]+)*): (.+)$/s);
      if (!m?.[1] || !m[2]) return part;
      const [path, rest] = [m[1], m[2]];
      const segments = path.split('.');
      const last = segments[segments.length - 1] ?? path;
      if (rest.startsWith(`${path} `) || rest.startsWith(`${last} `)) return rest;
      const index = segments.findIndex((s) => /^\d+$/.test(s));
      if (index > 0) {
        const field = segments[index - 1] ?? '';
        const singular = field.endsWith('s') ? field.slice(0, -1) : field;
        const label = singular.charAt(0).toUpperCase() + singular.slice(1);
        return `${label} ${Number(segments[index]) + 1}: ${rest}`;
      }
      return part;
    })
    .join('; ');
}

export function ErrorBanner({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      <div>
        {title && <strong>{title}: </strong>}
        {readableError(errorMessage(error))}
      </div>
      {onRetry && (
        <Button small onClick={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'warning' | 'success'; children: ReactNode }) {
  return (
    <div className={`alert alert-${kind}`} role={kind === 'warning' ? 'alert' : 'status'}>
      <div>{children}</div>
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state-empty">
      <h3>{title}</h3>
      {children && <p className="muted">{children}</p>}
      {action}
    </div>
  );
}

export function Card({
  title,
  actions,
  children,
  className,
}: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ''}`}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2 className="card-title">{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}

export function Badge({
  tone = 'neutral',
  children,
}: { tone?: 'neutral' | 'good' | 'warn' | 'bad' | 'info'; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** A labelled usage bar (bytes or counts); a limit of -1 or 0 means unlimited. */
export function UsageBar({
  label,
  used,
  limit,
  format,
}: { label: string; used: number; limit: number; format: (n: number) => string }) {
  const unlimited = limit <= 0;
  const pct = unlimited ? 0 : Math.min(100, Math.round((used / limit) * 100));
  const tone = pct >= 90 ? 'bad' : pct >= 70 ? 'warn' : 'good';
  return (
    <div className="usage">
      <div className="usage-label">
        <span>{label}</span>
        <span className="muted">
          {format(used)} / {unlimited ? 'unlimited' : format(limit)}
        </span>
      </div>
      <progress className={`usage-track usage-${tone}`} aria-label={label} max={100} value={pct}>
        {pct}%
      </progress>
    </div>
  );
}
