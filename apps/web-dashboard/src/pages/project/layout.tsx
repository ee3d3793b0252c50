import { useQuery } from '@tanstack/react-query';
import { NavLink, Outlet, useOutletContext, useParams } from 'react-router';
import { projectsApi } from '../../api/projects.js';
import type { Project } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { QueryState } from '../../components/query-state.js';
import { ViewerBanner } from './viewer-banner.js';

export interface ProjectContext {
  project: Project;
  projectId: string;
  reload: () => void;
}

const NAV = [
  { to: '', label: 'Overview', end: true },
  { to: 'collections', label: 'Collections' },
  { to: 'schema', label: 'Schema as code' },
  { to: 'api-reference', label: 'API reference' },
  { to: 'users', label: 'Users' },
  { to: 'storage', label: 'Storage' },
  { to: 'analytics', label: 'Analytics' },
  { to: 'logs', label: 'Request logs' },
  { to: 'webhooks', label: 'Webhooks' },
  { to: 'realtime', label: 'Realtime' },
  { to: 'mail', label: 'Mail templates' },
  { to: 'keys', label: 'API keys' },
  { to: 'byod', label: 'Bring your own' },
  { to: 'settings', label: 'Settings' },
  { to: 'members', label: 'Members' },
  { to: 'config-log', label: 'Config log' },
  { to: 'backups', label: 'Backups' },
];

/** The project query (shared cache key, so every page sees updates after `reload`). */
export function useProjectQuery(projectId: string) {
  const api = useApi();
  return useQuery({ queryKey: ['project', projectId], queryFn: () => projectsApi.get(api, projectId) });
}

export function ProjectLayout() {
  const { projectId = '' } = useParams();
  const query = useProjectQuery(projectId);
  return (
    <div className="project-shell">
      <nav className="sidebar" aria-label="Project">
        <div className="sidebar-title" title={query.data?.name}>
          {query.data?.name ?? 'Project'}
        </div>
        <ul>
          {NAV.map((item) => (
            <li key={item.label}>
              <NavLink to={item.to === '' ? `/projects/${projectId}` : `/projects/${projectId}/${item.to}`} end={item.end}>
                {item.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="project-content">
        <QueryState query={query} label="the project">
          {(project) => (
            <>
              <ViewerBanner role={project.role} projectId={projectId} />
              <Outlet context={{ project, projectId, reload: () => void query.refetch() } satisfies ProjectContext} />
            </>
          )}
        </QueryState>
      </div>
    </div>
  );
}

/** The current project, for pages under ProjectLayout. */
export function useProject(): ProjectContext {
  return useOutletContext<ProjectContext>();
}
