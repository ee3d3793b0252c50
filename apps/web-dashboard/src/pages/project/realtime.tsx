import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { unwrap } from '../../api/unwrap.js';
import { useApi } from '../../auth/auth-context.js';
import { Card, EmptyState, ErrorBanner, Loading, PageHeader } from '../../components/ui.js';
import { formatDate } from '../../lib/format.js';
import { type LiveEvent, useLive } from '../../lib/live.js';
import { useProject } from './layout.js';
import { LiveControls } from './live-controls.js';

interface RealtimeStats {
  /** Open public-API realtime connections, all processes together (null when Redis cannot answer). */
  connections: number | null;
  /** Dashboard live views open on the dashboard API process that answered. */
  dashboardStreams: number;
  /** The plan's limits (-1 unlimited). */
  limits?: { connections: number; subscriptionsPerConnection: number };
}

const TAIL = 100;
const limitText = (n: number | undefined) => (n === undefined ? '—' : n < 0 ? 'unlimited' : String(n));

/** The project's realtime: connection counts (every public-API process) and a live tail of the events. */
export function RealtimePage() {
  const { projectId } = useProject();
  const api = useApi();
  const stats = useQuery({
    queryKey: ['realtime-stats', projectId],
    queryFn: async () => unwrap<RealtimeStats>(await api.get(`/api/projects/${projectId}/realtime/stats`)),
    refetchInterval: 5000,
  });
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [paused, setPausedState] = useState(false);
  const [pending, setPending] = useState(0);
  const pausedRef = useRef(false);
  const live = useLive(api, `/api/projects/${projectId}/realtime/live`, {}, (event) => {
    if (pausedRef.current) return setPending((n) => n + 1);
    setEvents((list) => [event, ...list].slice(0, TAIL));
  });
  const setPaused = (next: boolean) => {
    pausedRef.current = next;
    setPausedState(next);
    if (!next) setPending(0);
  };
  const s = stats.data;
  return (
    <>
      <PageHeader
        title="Realtime"
        subtitle="Live subscriptions to this project's collections (Server-Sent Events and WebSocket on the public API)."
      />
      <Card title="Connections">
        {stats.isPending ? (
          <Loading label="Loading counts…" />
        ) : stats.error ? (
          <ErrorBanner error={stats.error} title="Could not load the counts" onRetry={() => void stats.refetch()} />
        ) : (
          <div className="realtime-stats">
            <div className="realtime-stat" data-testid="realtime-connections">
              <strong>{s?.connections ?? '—'}</strong>
              <span className="muted">open connections (all API processes)</span>
            </div>
            <div className="realtime-stat">
              <strong>{limitText(s?.limits?.connections)}</strong>
              <span className="muted">connections allowed by the plan</span>
            </div>
            <div className="realtime-stat">
              <strong>{limitText(s?.limits?.subscriptionsPerConnection)}</strong>
              <span className="muted">subscriptions per WebSocket</span>
            </div>
            <div className="realtime-stat">
              <strong>{s?.dashboardStreams ?? 0}</strong>
              <span className="muted">dashboard live views</span>
            </div>
          </div>
        )}
      </Card>
      <Card title="Live events" actions={<LiveControls live={{ ...live, paused, setPaused, pending }} subject="events" />}>
        {events.length === 0 ? (
          <EmptyState title="No events yet">
            Inserts, updates and deletes made through the API or the dashboard appear here as they happen.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table event-tail" aria-label="Live events">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Collection</th>
                  <th scope="col">Event</th>
                  <th scope="col">Document</th>
                  <th scope="col">Changed fields</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={`${e.id}-${e.documentId ?? ''}`}>
                    <td className="small nowrap">{e.at ? formatDate(e.at) : ''}</td>
                    <td>{e.collection}</td>
                    <td>{e.type}</td>
                    <td className="mono small">{e.documentId ?? ''}</td>
                    <td className="small">{e.changedFields?.join(', ') ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
