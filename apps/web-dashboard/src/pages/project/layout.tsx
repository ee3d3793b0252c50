import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate, useOutletContext, useParams } from 'react-router';
import { projectsApi } from '../../api/projects.js';
import type { Project } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { PROJECT_SECTIONS, sectionPath, switchProjectPath } from '../../components/project-sections.js';
import { QueryState } from '../../components/query-state.js';
import { ViewerBanner } from './viewer-banner.js';

export interface ProjectContext {
  project: Project;
  projectId: string;
  reload: () => void;
}

/** The project query (shared cache key, so every page sees updates after `reload`). */
export function useProjectQuery(projectId: string) {
  const api = useApi();
  return useQuery({ queryKey: ['project', projectId], queryFn: () => projectsApi.get(api, projectId) });
}

/** Jumps to another project the developer can open (same section when it exists there). */
function ProjectSwitcher({ projectId, name }: { projectId: string; name?: string }) {
  const api = useApi();
  const navigate = useNavigate();
  const location = useLocation();
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => projectsApi.list(api) });
  const list = projects.data ?? [];
  if (list.length < 2) {
    return (
      <div className="sidebar-title" title={name}>
        {name ?? 'Project'}
      </div>
    );
  }
  return (
    <label className="sidebar-title project-switcher">
      <span className="sr-only">Switch project</span>
      <select value={projectId} onChange={(e) => navigate(switchProjectPath(location.pathname, e.target.value))}>
        {list.map((p) => (
          <option key={p._id} value={p._id}>
            {p.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ProjectLayout() {
  const { projectId = '' } = useParams();
  const query = useProjectQuery(projectId);
  const location = useLocation();
  // Phone layout: the sections are behind a menu button (two taps to any section).
  const [menuOpen, setMenuOpen] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: close the menu whenever the page changes
  useEffect(() => setMenuOpen(false), [location.pathname]);
  const current = PROJECT_SECTIONS.find((item) =>
    item.to === ''
      ? location.pathname === `/projects/${projectId}`
      : location.pathname.startsWith(`/projects/${projectId}/${item.to}`),
  );
  return (
    <div className="project-shell">
      <nav className={`sidebar ${menuOpen ? 'sidebar-open' : ''}`} aria-label="Project">
        <div className="sidebar-head">
          <ProjectSwitcher projectId={projectId} name={query.data?.name} />
          <button
            type="button"
            className="btn btn-small sidebar-toggle"
            aria-expanded={menuOpen}
            aria-controls="project-sections"
            onClick={() => setMenuOpen((open) => !open)}
          >
            <span aria-hidden="true">☰</span> {current?.label ?? 'Sections'}
            <span className="sr-only"> – all project sections</span>
          </button>
        </div>
        <ul id="project-sections">
          {PROJECT_SECTIONS.map((item) => (
            <li key={item.label}>
              <NavLink to={sectionPath(projectId, item.to)} end={item.end}>
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
