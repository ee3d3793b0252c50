import { useQuery } from '@tanstack/react-query';
import { adminApi } from '../../api/admin.js';
import { useApi } from '../../auth/auth-context.js';
import { QueryState } from '../../components/query-state.js';
import { Badge, Card } from '../../components/ui.js';
import { formatBytes, formatNumber } from '../../lib/format.js';

/** Human names of the known limits; unknown ones are shown by their key. */
const LABELS: Record<string, string> = {
  maxProjects: 'Projects',
  maxCollections: 'Collections per project',
  maxMembers: 'Members per project (owner included)',
  exportsPerDay: 'Collection exports per project per day',
  maxRealtimeConnections: 'Realtime connections per project',
  maxRealtimeSubscriptions: 'Subscriptions per realtime WebSocket',
  reqPerDay: 'Requests per day',
  reqPerMinute: 'Requests per minute',
  storageBytes: 'File storage',
  mongoBytes: 'Database size',
  authUsersLimit: 'End users',
  mailPerMonth: 'Mails per month',
  mailTemplatesEnabled: 'Mail templates',
  webhooksLimit: 'Webhooks',
  byomEnabled: 'Bring your own database',
  byosEnabled: 'Bring your own storage',
  byokEnabled: 'Bring your own mail key',
};

function show(key: string, value: unknown): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value !== 'number') return value === undefined || value === null ? '—' : String(value);
  if (value === -1) return 'Unlimited';
  return /Bytes$/.test(key) ? formatBytes(value) : formatNumber(value);
}

/** The effective limits of every plan (built-ins with PLAN_LIMITS applied). */
export function PlansPanel() {
  const api = useApi();
  const plans = useQuery({ queryKey: ['admin', 'plans'], queryFn: () => adminApi.plans(api) });
  return (
    <Card title="Plans">
      <QueryState query={plans} label="plans">
        {({ plans: list, defaultPlan }) => {
          const keys = [...new Set(list.flatMap((p) => Object.keys(p.limits)))];
          return (
            <div className="stack">
              <p className="muted">
                Effective limits, after the <code>PLAN_LIMITS</code> overrides of this server. New developers start on{' '}
                <strong>{defaultPlan}</strong>. Per-project custom limits can lower or raise some of these.
              </p>
              <div className="table-wrap">
                <table className="table plan-table">
                  <thead>
                    <tr>
                      <th scope="col">Limit</th>
                      {list.map((p) => (
                        <th key={p.name} scope="col">
                          {p.name} {p.name === defaultPlan && <Badge tone="info">default</Badge>}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {keys.map((k) => (
                      <tr key={k}>
                        <th scope="row">{LABELS[k] ?? k}</th>
                        {list.map((p) => (
                          <td key={p.name}>{show(k, p.limits[k])}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          );
        }}
      </QueryState>
    </Card>
  );
}
