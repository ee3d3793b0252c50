import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { projectsApi } from '../api/projects.js';
import type { ProjectSummary } from '../api/types.js';
import { useApi } from '../auth/auth-context.js';
import { AccountPlanCard, PlanReason, planBlock, useAccountStats } from '../components/plan.js';
import { QueryState } from '../components/query-state.js';
import { Badge, Button, EmptyState, PageHeader, UsageBar } from '../components/ui.js';
import { formatBytes, formatDay } from '../lib/format.js';
import { CreateProjectModal } from './create-project.js';
import { CloneFromFileModal } from './project/backups.js';

function ProjectCard({ project }: { project: ProjectSummary }) {
  const db = project.metrics?.database ?? { used: project.databaseUsed ?? 0, limit: project.databaseLimit ?? 0 };
  const storage = project.metrics?.storage ?? { used: project.storageUsed ?? 0, limit: project.storageLimit ?? 0 };
  const collections = project.collectionsCount ?? project.collections?.length ?? 0;
  const role = project.role ?? 'owner';
  return (
    <article className="card project-card">
      <header className="project-card-head">
        <h2>
          <Link to={`/projects/${project._id}`}>{project.name}</Link>
        </h2>
        <span>
          <Badge tone={role === 'owner' ? 'info' : role === 'admin' ? 'good' : 'neutral'}>{role}</Badge>
          {project.health === 'warning' ? <Badge tone="warn">High error rate</Badge> : <Badge tone="good">Healthy</Badge>}
        </span>
      </header>
      {role !== 'owner' && project.owner?.email && <p className="muted small">Owned by {project.owner.email}</p>}
      {project.description && <p className="muted clamp">{project.description}</p>}
      <dl className="facts">
        <div>
          <dt>Collections</dt>
          <dd>{collections}</dd>
        </div>
        <div>
          <dt>Auth</dt>
          <dd>{project.isAuthEnabled ? 'On' : 'Off'}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>{formatDay(project.updatedAt)}</dd>
        </div>
      </dl>
      <UsageBar label="Database" used={db.used} limit={db.limit} format={formatBytes} />
      <UsageBar label="Storage" used={storage.used} limit={storage.limit} format={formatBytes} />
    </article>
  );
}

export function DashboardPage() {
  const api = useApi();
  const [creating, setCreating] = useState(false);
  const [cloning, setCloning] = useState(false);
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => projectsApi.list(api) });
  const stats = useAccountStats();
  const blocked = planBlock('project', stats.data?.plan, stats.data?.limits, stats.data?.usage.totalProjects);
  return (
    <>
      <PageHeader
        title="Projects"
        subtitle="Each project has its own collections, users, files and API keys."
        actions={
          <>
            <Button
              onClick={() => setCloning(true)}
              disabled={Boolean(blocked)}
              aria-describedby={blocked ? 'project-limit' : undefined}
            >
              Clone from a backup file
            </Button>
            <Button
              variant="primary"
              onClick={() => setCreating(true)}
              disabled={Boolean(blocked)}
              aria-describedby={blocked ? 'project-limit' : undefined}
            >
              New project
            </Button>
          </>
        }
      />
      <PlanReason reason={blocked} id="project-limit" />
      <QueryState query={projects} label="projects">
        {(list) =>
          list.length === 0 ? (
            <EmptyState
              title="No projects yet"
              action={
                <Button variant="primary" onClick={() => setCreating(true)}>
                  Create your first project
                </Button>
              }
            >
              A project gives you a database, user auth and storage behind two API keys.
            </EmptyState>
          ) : (
            <div className="grid-cards">
              {list.map((p) => (
                <ProjectCard key={p._id} project={p} />
              ))}
            </div>
          )
        }
      </QueryState>
      {stats.data && <AccountPlanCard data={stats.data} />}
      {creating && <CreateProjectModal onClose={() => setCreating(false)} />}
      {cloning && <CloneFromFileModal onClose={() => setCloning(false)} />}
    </>
  );
}
