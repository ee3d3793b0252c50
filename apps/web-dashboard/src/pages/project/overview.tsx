import { Link } from 'react-router';
import { ProjectPlanCard, useProjectUsage } from '../../components/plan.js';
import { Badge, Card, PageHeader, UsageBar } from '../../components/ui.js';
import { formatBytes, formatDate } from '../../lib/format.js';
import { CollectionLimitReason, NewCollectionLink } from './collections.js';
import { useProject } from './layout.js';
import { QuickStart } from './quick-start.js';

export function OverviewPage() {
  const { project, projectId } = useProject();
  const db = project.metrics?.database ?? { used: project.databaseUsed ?? 0, limit: project.databaseLimit ?? 0 };
  const storage = project.metrics?.storage ?? { used: project.storageUsed ?? 0, limit: project.storageLimit ?? 0 };
  const usage = useProjectUsage(projectId);
  return (
    <>
      <PageHeader title={project.name} subtitle={project.description || 'Project overview'} />
      <div className="grid-2">
        <Card title="Status">
          <dl className="facts">
            <div>
              <dt>Project ID</dt>
              <dd className="mono">{project._id}</dd>
            </div>
            <div>
              <dt>End-user auth</dt>
              <dd>{project.isAuthEnabled ? <Badge tone="good">On</Badge> : <Badge>Off</Badge>}</dd>
            </div>
            <div>
              <dt>Database</dt>
              <dd>{project.resources?.db?.isExternal ? 'Your MongoDB' : 'Platform'}</dd>
            </div>
            <div>
              <dt>Storage</dt>
              <dd>
                {project.resources?.storage?.isExternal ? `Your ${project.resources.storage.provider ?? 'bucket'}` : 'Platform'}
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{formatDate(project.createdAt)}</dd>
            </div>
          </dl>
          <UsageBar label="Database" used={db.used} limit={db.limit} format={formatBytes} />
          <UsageBar label="Storage" used={storage.used} limit={storage.limit} format={formatBytes} />
        </Card>
        <Card
          title="Collections"
          actions={<NewCollectionLink className="btn btn-small btn-primary">New collection</NewCollectionLink>}
        >
          <CollectionLimitReason />
          {project.collections.length === 0 ? (
            <p className="muted">No collections yet. Create one to start storing data.</p>
          ) : (
            <ul className="link-list">
              {project.collections.map((c) => (
                <li key={c.name}>
                  <Link to={`/projects/${projectId}/collections/${encodeURIComponent(c.name)}`}>{c.name}</Link>
                  <span className="muted">
                    {c.model.length} field{c.model.length === 1 ? '' : 's'}
                    {c.rls?.enabled ? ' · RLS on' : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      {usage.data && <ProjectPlanCard data={usage.data} />}
      <QuickStart project={project} />
    </>
  );
}
