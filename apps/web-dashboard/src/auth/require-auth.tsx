import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Loading } from '../components/ui.js';
import { useAuth } from './auth-context.js';

/** Sends anonymous visitors to /login (remembering where they were going) and unverified developers to /verify. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { status, user } = useAuth();
  const location = useLocation();
  if (status === 'loading') return <Loading label="Restoring your session…" />;
  if (status === 'anonymous' || !user) {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  if (!user.isVerified) return <Navigate to={`/verify?email=${encodeURIComponent(user.email)}`} replace />;
  return <>{children}</>;
}
