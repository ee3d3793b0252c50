import { useSearchParams } from 'react-router';
import { useAuth } from '../../auth/auth-context.js';
import { EmptyState, PageHeader } from '../../components/ui.js';
import { AuditLogPanel } from './audit-log.js';
import { DevelopersPanel } from './developers.js';
import { PlansPanel } from './plans.js';
import { RegistrationPanel } from './registration.js';

const TABS = [
  { id: 'developers', label: 'Developers' },
  { id: 'registration', label: 'Registration' },
  { id: 'plans', label: 'Plans' },
  { id: 'audit', label: 'Audit log' },
] as const;

/** Platform administration: only for the platform admin (`isAdmin`; the API refuses everyone else too). */
export function AdminPage() {
  const { user } = useAuth();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'developers';
  if (!user?.isAdmin) {
    return <EmptyState title="Admins only">This area is for the platform administrator.</EmptyState>;
  }
  return (
    <>
      <PageHeader title="Platform admin" subtitle="Developers, registration, plans and the record of admin actions." />
      <div className="tabs" role="tablist" aria-label="Admin sections">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={tab === t.id ? 'tab active' : 'tab'}
            onClick={() => setParams({ tab: t.id })}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'developers' && <DevelopersPanel />}
        {tab === 'registration' && <RegistrationPanel />}
        {tab === 'plans' && <PlansPanel />}
        {tab === 'audit' && <AuditLogPanel />}
      </div>
    </>
  );
}
