import { useEffect, useRef, useState } from 'react';
import { useApi } from '../../auth/auth-context.js';
import { Badge, Button } from '../../components/ui.js';
import { type LiveEvent, type LiveStatus, useLive } from '../../lib/live.js';
import '../../styles/realtime.css';

export interface LiveState {
  status: LiveStatus;
  error: string | null;
  paused: boolean;
  setPaused(paused: boolean): void;
  /** Changes received while paused (applied on resume). */
  pending: number;
  /** Documents changed in the last seconds (highlighted rows). */
  recent: ReadonlySet<string>;
}

const LABEL: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  offline: 'Reconnecting…',
  error: 'Live off',
};
const TONE = { connecting: 'neutral', live: 'good', offline: 'warn', error: 'bad' } as const;

/**
 * Live updates of one collection in the data browser: follows the dashboard API's live route with
 * the browser's filters and reloads the page of rows when a change arrives (debounced). Paused,
 * changes are only counted; resuming reloads once.
 */
export function useLiveCollection(
  projectId: string,
  collection: string,
  filters: Record<string, string>,
  reload: () => void,
): LiveState {
  const api = useApi();
  const [paused, setPausedState] = useState(false);
  const [pending, setPending] = useState(0);
  const [recent, setRecent] = useState<ReadonlySet<string>>(new Set());
  const pausedRef = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const onEvent = (event: LiveEvent) => {
    if (pausedRef.current) {
      setPending((n) => n + 1);
      return;
    }
    const id = event.documentId;
    if (id && event.type !== 'delete') {
      setRecent((s) => new Set(s).add(id));
      setTimeout(() => setRecent((s) => new Set([...s].filter((x) => x !== id))), 3000);
    }
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => reloadRef.current(), 120);
  };
  const path = `/api/projects/${projectId}/collections/${encodeURIComponent(collection)}/live`;
  const { status, error } = useLive(api, path, filters, onEvent);
  return {
    status,
    error,
    paused,
    pending,
    recent,
    setPaused(next) {
      pausedRef.current = next;
      setPausedState(next);
      if (!next) {
        setPending(0);
        reloadRef.current();
      }
    },
  };
}

/** The live badge and the pause toggle of a live view. */
export function LiveControls({
  live,
  subject = 'updates',
}: { live: Pick<LiveState, 'status' | 'error' | 'paused' | 'setPaused' | 'pending'>; subject?: string }) {
  return (
    <div className="row-end nowrap live-controls" aria-live="polite">
      <span title={live.error ?? undefined}>
        <Badge tone={live.paused ? 'neutral' : TONE[live.status]}>{live.paused ? 'Paused' : LABEL[live.status]}</Badge>
      </span>
      {live.paused && live.pending > 0 && (
        <span className="muted small">
          {live.pending} change{live.pending === 1 ? '' : 's'} while paused
        </span>
      )}
      <Button small aria-pressed={live.paused} onClick={() => live.setPaused(!live.paused)}>
        {live.paused ? `Resume live ${subject}` : `Pause live ${subject}`}
      </Button>
    </div>
  );
}
