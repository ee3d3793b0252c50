import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type AdminDeveloper, adminApi } from '../../api/admin.js';
import { useApi, useAuth } from '../../auth/auth-context.js';
import { TextField } from '../../components/form.js';
import { ConfirmDialog } from '../../components/modal.js';
import { useToast } from '../../components/toast.js';
import { Badge, Button, EmptyState, ErrorBanner, Loading } from '../../components/ui.js';
import { errorMessage } from '../../lib/api-client.js';
import { formatBytes, formatDay, formatNumber } from '../../lib/format.js';

const LIMIT = 50;

type Pending = { kind: 'disable' | 'delete'; developer: AdminDeveloper };

function PlanSelect({ developer, plans }: { developer: AdminDeveloper; plans: string[] }) {
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const names = plans.includes(developer.plan) ? plans : [developer.plan, ...plans];
  const change = async (plan: string) => {
    setBusy(true);
    try {
      await adminApi.setPlan(api, developer._id, plan);
      toast(`${developer.email} is now on ${plan}`);
      await queryClient.invalidateQueries({ queryKey: ['admin', 'developers'] });
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <select
      aria-label={`Plan of ${developer.email}`}
      value={developer.plan}
      disabled={busy}
      onChange={(e) => void change(e.target.value)}
    >
      {names.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  );
}

/** Every developer: search, plan, verification, projects, usage; disable, enable, delete. */
export function DevelopersPanel() {
  const api = useApi();
  const { user } = useAuth();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [page, setPage] = useState(1);
  const [pending, setPending] = useState<Pending | null>(null);
  const query = { page, limit: LIMIT, ...(applied ? { search: applied } : {}) };
  const developers = useQuery({
    queryKey: ['admin', 'developers', query],
    queryFn: () => adminApi.developers(api, query),
    placeholderData: keepPreviousData,
  });
  const plans = useQuery({ queryKey: ['admin', 'plans'], queryFn: () => adminApi.plans(api) });
  const planNames = plans.data?.plans.map((p) => p.name) ?? [];
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['admin', 'developers'] });
  const enable = async (d: AdminDeveloper) => {
    try {
      await adminApi.enable(api, d._id);
      toast(`${d.email} enabled`);
      await refresh();
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };
  const items = developers.data?.items ?? [];
  const total = developers.data?.total ?? 0;
  const lastPage = Math.max(1, Math.ceil(total / LIMIT));
  return (
    <div className="stack">
      <form
        className="search-row"
        aria-label="Search developers"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(search.trim());
          setPage(1);
        }}
      >
        <TextField label="Search by email" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        <Button type="submit">Search</Button>
      </form>
      {developers.isPending ? (
        <Loading label="Loading developers…" />
      ) : developers.error ? (
        <ErrorBanner error={developers.error} title="Could not load developers" onRetry={() => void developers.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={applied ? 'No developer matches' : 'No developers yet'}>
          {applied ? 'Try another search.' : 'Developers appear here when they register.'}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Developer</th>
                <th scope="col">Plan</th>
                <th scope="col">Projects</th>
                <th scope="col">Requests today</th>
                <th scope="col">Storage</th>
                <th scope="col">Database</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => {
                const self = d._id === user?._id;
                return (
                  <tr key={d._id}>
                    <td>
                      <div className="strong">{d.email}</div>
                      {d.isAdmin && <Badge tone="info">admin</Badge>}
                      {d.isVerified ? <Badge tone="good">verified</Badge> : <Badge tone="warn">not verified</Badge>}
                      {d.disabledAt && <Badge tone="bad">disabled</Badge>}
                    </td>
                    <td>
                      <PlanSelect developer={d} plans={planNames} />
                    </td>
                    <td>{formatNumber(d.projectCount)}</td>
                    <td>{formatNumber(d.usage?.requests)}</td>
                    <td>{formatBytes(d.usage?.storageBytes)}</td>
                    <td>{formatBytes(d.usage?.databaseBytes)}</td>
                    <td className="nowrap">{formatDay(d.createdAt)}</td>
                    <td className="row-end nowrap">
                      {d.disabledAt ? (
                        <Button small disabled={self} onClick={() => void enable(d)} aria-label={`Enable ${d.email}`}>
                          Enable
                        </Button>
                      ) : (
                        <Button
                          small
                          disabled={self}
                          title={self ? 'You cannot disable your own account' : undefined}
                          aria-label={`Disable ${d.email}`}
                          onClick={() => setPending({ kind: 'disable', developer: d })}
                        >
                          Disable
                        </Button>
                      )}
                      <Button
                        small
                        variant="danger"
                        disabled={self}
                        title={self ? 'You cannot delete your own account here' : undefined}
                        aria-label={`Delete ${d.email}`}
                        onClick={() => setPending({ kind: 'delete', developer: d })}
                      >
                        Delete
                      </Button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <Button small disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </Button>
        <span className="muted small">
          Page {page} of {lastPage} · {formatNumber(total)} developers
        </span>
        <Button small disabled={page >= lastPage} onClick={() => setPage(page + 1)}>
          Next
        </Button>
      </nav>
      {pending?.kind === 'disable' && (
        <ConfirmDialog
          title={`Disable ${pending.developer.email}?`}
          message="They are signed out everywhere and the API keys of their projects stop working within a second. Nothing is deleted; you can enable them again."
          confirmLabel="Disable developer"
          onClose={() => setPending(null)}
          onConfirm={async () => {
            await adminApi.disable(api, pending.developer._id);
            toast(`${pending.developer.email} disabled`);
            await refresh();
          }}
        />
      )}
      {pending?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete ${pending.developer.email}?`}
          message={`The account and the ${pending.developer.projectCount ?? 0} project(s) it owns are deleted with all their data, users and files. This cannot be undone.`}
          confirmText={pending.developer.email}
          confirmLabel="Delete developer"
          onClose={() => setPending(null)}
          onConfirm={async () => {
            await adminApi.remove(api, pending.developer._id);
            toast(`${pending.developer.email} deleted`);
            await refresh();
          }}
        />
      )}
    </div>
  );
}
