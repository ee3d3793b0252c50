import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { webhooksApi } from '../../api/extras.js';
import type { Webhook } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { ConfirmDialog, Modal } from '../../components/modal.js';
import { PlanReason, planBlock, useProjectUsage } from '../../components/plan.js';
import { QueryState } from '../../components/query-state.js';
import { useToast } from '../../components/toast.js';
import { Badge, Button, EmptyState, ErrorBanner, Notice, PageHeader } from '../../components/ui.js';
import { errorMessage } from '../../lib/api-client.js';
import { formatDate } from '../../lib/format.js';
import { useProject } from './layout.js';
import { useGuard } from './role.js';
import { WebhookForm } from './webhook-form.js';

function Deliveries({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const key = ['deliveries', projectId, webhook._id];
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: key, queryFn: () => webhooksApi.deliveries(api, projectId, webhook._id) });
  const [error, setError] = useState<unknown>(null);
  const guard = useGuard();
  const replay = async (id: string) => {
    setError(null);
    try {
      await webhooksApi.replay(api, projectId, webhook._id, id);
      toast('Delivery queued again');
      await queryClient.invalidateQueries({ queryKey: key });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Modal title={`Deliveries of ${webhook.name}`} onClose={onClose} wide>
      <ErrorBanner error={error} />
      <QueryState query={list} label="deliveries">
        {(items) =>
          items.length === 0 ? (
            <p className="muted">No deliveries yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Event</th>
                    <th scope="col">Result</th>
                    <th scope="col">Attempts</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((d) => {
                    const last = d.attempts.at(-1);
                    return (
                      <tr key={d._id}>
                        <td className="nowrap">{formatDate(d.createdAt)}</td>
                        <td className="mono small">{d.event}</td>
                        <td>
                          <Badge tone={d.finalStatus === 'delivered' ? 'good' : d.finalStatus === 'failed' ? 'bad' : 'warn'}>
                            {d.finalStatus}
                          </Badge>{' '}
                          <span className="muted small">{last?.statusCode ?? last?.error ?? ''}</span>
                        </td>
                        <td>{d.attempts.length}</td>
                        <td>
                          <Button small {...guard} onClick={() => void replay(d._id)}>
                            Replay
                          </Button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
    </Modal>
  );
}

export function WebhooksPage() {
  const { project, projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const key = ['webhooks', projectId];
  const hooks = useQuery({ queryKey: key, queryFn: () => webhooksApi.list(api, projectId) });
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [logOf, setLogOf] = useState<Webhook | null>(null);
  const [pinging, setPinging] = useState<string | null>(null);
  const [pingResult, setPingResult] = useState<{ id: string; text: string; ok: boolean } | null>(null);
  const guard = useGuard();
  const usage = useProjectUsage(projectId);
  const planReason = planBlock('webhook', usage.data?.plan, usage.data?.limits, hooks.data?.length ?? usage.data?.usage.webhooks);
  // A plan that forbids (more) webhooks disables "New webhook" before any form is filled.
  const create = planReason ? { disabled: true, 'aria-describedby': 'webhook-limit' } : guard;
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['usage', projectId] });
    return queryClient.invalidateQueries({ queryKey: key });
  };
  const ping = async (w: Webhook) => {
    setPinging(w._id);
    try {
      const r = await webhooksApi.test(api, projectId, w._id);
      setPingResult({
        id: w._id,
        ok: r.success,
        text: r.success
          ? `Delivered: HTTP ${r.statusCode} in ${r.durationMs ?? '?'} ms`
          : `Failed: ${r.error ?? `HTTP ${r.statusCode}`}`,
      });
    } catch (err) {
      setPingResult({ id: w._id, ok: false, text: errorMessage(err) });
    } finally {
      setPinging(null);
    }
  };
  return (
    <>
      <PageHeader
        title="Webhooks"
        subtitle="POST a signed JSON payload to your server when documents change."
        actions={
          <Button variant="primary" {...create} onClick={() => setEditing('new')}>
            New webhook
          </Button>
        }
      />
      <PlanReason reason={planReason} id="webhook-limit" />
      <QueryState query={hooks} label="webhooks">
        {(list) =>
          list.length === 0 ? (
            <EmptyState
              title="No webhooks"
              action={
                <Button variant="primary" {...create} onClick={() => setEditing('new')}>
                  Create a webhook
                </Button>
              }
            >
              Get notified on insert, update and delete in any collection.
            </EmptyState>
          ) : (
            <ul className="stack">
              {list.map((w) => (
                <li key={w._id} className="card">
                  <div className="row-between">
                    <div>
                      <strong>{w.name}</strong> {w.enabled ? <Badge tone="good">Enabled</Badge> : <Badge>Disabled</Badge>}
                      <div className="mono small muted wrap">{w.url}</div>
                      <div className="small muted">
                        {Object.entries(w.events ?? {})
                          .map(
                            ([c, ev]) =>
                              `${c}: ${
                                Object.entries(ev)
                                  .filter(([, on]) => on)
                                  .map(([a]) => a)
                                  .join('/') || 'none'
                              }`,
                          )
                          .join(' · ') || 'No events selected'}
                      </div>
                    </div>
                    <div className="row-end">
                      <Button small busy={pinging === w._id} {...guard} onClick={() => void ping(w)}>
                        Send test
                      </Button>
                      <Button small onClick={() => setLogOf(w)}>
                        Deliveries
                      </Button>
                      <Button small {...guard} onClick={() => setEditing(w)}>
                        Edit
                      </Button>
                      <Button small variant="danger" {...guard} onClick={() => setDeleting(w)}>
                        Delete
                      </Button>
                    </div>
                  </div>
                  {pingResult?.id === w._id && <Notice kind={pingResult.ok ? 'success' : 'warning'}>{pingResult.text}</Notice>}
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      {editing && (
        <WebhookForm
          webhook={editing === 'new' ? null : editing}
          collections={project.collections.map((c) => c.name)}
          onClose={() => setEditing(null)}
          onSave={async (input) => {
            if (editing === 'new') await webhooksApi.create(api, projectId, input);
            else await webhooksApi.update(api, projectId, editing._id, input);
            toast(editing === 'new' ? 'Webhook created' : 'Webhook saved');
            await refresh();
          }}
        />
      )}
      {logOf && <Deliveries webhook={logOf} onClose={() => setLogOf(null)} />}
      {deleting && (
        <ConfirmDialog
          title={`Delete “${deleting.name}”?`}
          message="No more events are sent to this URL."
          confirmLabel="Delete webhook"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await webhooksApi.remove(api, projectId, deleting._id);
            toast('Webhook deleted');
            await refresh();
          }}
        />
      )}
    </>
  );
}
