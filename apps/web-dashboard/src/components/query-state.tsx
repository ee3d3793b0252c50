import type { ReactNode } from 'react';
import { ErrorBanner, Loading } from './ui.js';

interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  refetch: () => unknown;
}

/** Renders loading, error (with retry) or the children for a react-query result. */
export function QueryState<T>({
  query,
  label,
  children,
}: { query: QueryLike<T>; label?: string; children: (data: T) => ReactNode }) {
  if (query.isPending) return <Loading label={label ? `Loading ${label}…` : 'Loading…'} />;
  if (query.error || query.data === undefined) {
    return (
      <ErrorBanner
        error={query.error ?? 'No data'}
        title={label ? `Could not load ${label}` : undefined}
        onRetry={() => void query.refetch()}
      />
    );
  }
  return <>{children(query.data)}</>;
}
