import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { ProjectRole } from '../../api/types.js';
import { Card, Notice } from '../../components/ui.js';
import { useProject } from './layout.js';

/** Why a write control is disabled for a viewer. */
export const VIEWER_HINT = "Viewers can't change this project";
/** Why an owner-only control is disabled for an admin or a viewer. */
export const OWNER_HINT = 'Only the project owner can do this';

/** What a control needs: `admin` = any write (admins and the owner), `owner` = owner-only actions. */
export type Need = 'admin' | 'owner';

/** The caller's role in the current project (a server without teams sends none: the caller is then the owner). */
export function useProjectRole(): ProjectRole {
  return useProject().project.role ?? 'owner';
}

/** True when the caller may change the project (admin or owner). */
export function useCanWrite(): boolean {
  return useProjectRole() !== 'viewer';
}

/** True when the caller owns the project. */
export function useIsOwner(): boolean {
  return useProjectRole() === 'owner';
}

/**
 * Props for a write control: `{disabled, title}` where `title` says why it is disabled.
 * Spread it on a Button (`<Button {...guard}>`); combine with the control's own `disabled` by OR-ing.
 */
export function useGuard(need: Need = 'admin'): { disabled: boolean; title?: string } {
  const role = useProjectRole();
  if (need === 'owner' && role !== 'owner') return { disabled: true, title: OWNER_HINT };
  if (role === 'viewer') return { disabled: true, title: VIEWER_HINT };
  return { disabled: false };
}

/**
 * A link styled as a button that leads to a write page (e.g. "New collection"); for a caller who
 * may not write it is rendered as a disabled button with the reason as its tooltip.
 */
export function GuardedLink({
  to,
  className,
  need = 'admin',
  children,
}: { to: string; className: string; need?: Need; children: ReactNode }) {
  const guard = useGuard(need);
  if (!guard.disabled)
    return (
      <Link className={className} to={to}>
        {children}
      </Link>
    );
  return (
    <button type="button" className={className} disabled title={guard.title}>
      {children}
    </button>
  );
}

/** A form section disabled as a whole (every input and button in it) when the caller may not write. */
export function WriteFieldset({ need = 'admin', children }: { need?: Need; children: ReactNode }) {
  const guard = useGuard(need);
  return (
    <fieldset className="fieldset-plain" disabled={guard.disabled} title={guard.title}>
      {children}
    </fieldset>
  );
}

/** A Card whose whole content is a WriteFieldset (a settings form a viewer sees but cannot change). */
export function WriteCard({
  need = 'admin',
  children,
  ...card
}: { need?: Need; title?: ReactNode; actions?: ReactNode; className?: string; children: ReactNode }) {
  return (
    <Card {...card}>
      <WriteFieldset need={need}>{children}</WriteFieldset>
    </Card>
  );
}

/** A notice on pages whose actions only the owner may take, shown to admins and viewers. */
export function OwnerOnlyNotice({ children }: { children: ReactNode }) {
  if (useIsOwner()) return null;
  return <Notice kind="info">{children}</Notice>;
}
