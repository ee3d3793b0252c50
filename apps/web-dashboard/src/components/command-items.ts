import { useQuery } from '@tanstack/react-query';
import { useLocation, useMatch, useNavigate } from 'react-router';
import { projectsApi } from '../api/projects.js';
import { useApi, useAuth } from '../auth/auth-context.js';
import { planBlock, useAccountStats } from './plan.js';
import { PROJECT_SECTIONS, sectionPath, switchProjectPath } from './project-sections.js';
import { useTheme } from './theme.js';

/** One entry of the command palette. `disabled` is the reason it cannot run now. */
export interface CommandItem {
  id: string;
  group: 'Pages' | 'Project sections' | 'Collections' | 'Projects' | 'Actions';
  label: string;
  hint?: string;
  keywords?: string;
  disabled?: string | null;
  run: () => void;
}

/**
 * Everything the palette offers from where the user is: the account pages, the current project's
 * sections and collections, the other projects, and actions. `onNewProject` opens the create
 * dialog (the palette owns it so it outlives the palette).
 */
export function useCommandItems({ onNewProject }: { onNewProject: () => void }): CommandItem[] {
  const api = useApi();
  const { user, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const { resolved, setSetting } = useTheme();
  const projectId = useMatch('/projects/:projectId/*')?.params.projectId;
  // Same cache keys as the pages, so the palette reuses what they loaded.
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => projectsApi.list(api) });
  const project = useQuery({
    queryKey: ['project', projectId],
    queryFn: () => projectsApi.get(api, projectId ?? ''),
    enabled: Boolean(projectId),
  });
  const stats = useAccountStats();
  const go = (to: string) => () => navigate(to);

  const items: CommandItem[] = [
    { id: 'page-projects', group: 'Pages', label: 'Projects', keywords: 'dashboard home', run: go('/dashboard') },
    { id: 'page-profile', group: 'Pages', label: 'Profile', keywords: 'account password sessions', run: go('/profile') },
    { id: 'page-tokens', group: 'Pages', label: 'Access tokens', keywords: 'pat cli', run: go('/tokens') },
    { id: 'page-invitations', group: 'Pages', label: 'Invitations', run: go('/invitations') },
  ];
  if (user?.isAdmin)
    items.push({ id: 'page-admin', group: 'Pages', label: 'Admin', keywords: 'platform developers plans', run: go('/admin') });

  const current = projectId ? project.data : undefined;
  if (projectId) {
    for (const s of PROJECT_SECTIONS) {
      items.push({
        id: `section-${s.to || 'overview'}`,
        group: 'Project sections',
        label: s.label,
        hint: current?.name,
        run: go(sectionPath(projectId, s.to)),
      });
    }
    for (const c of current?.collections ?? []) {
      items.push({
        id: `collection-${c.name}`,
        group: 'Collections',
        label: c.name,
        hint: 'data browser',
        keywords: 'collection data rows',
        run: go(`/projects/${projectId}/collections/${encodeURIComponent(c.name)}`),
      });
    }
  }
  for (const p of projects.data ?? []) {
    if (p._id === projectId) continue;
    items.push({
      id: `project-${p._id}`,
      group: 'Projects',
      label: p.name,
      hint: projectId ? 'switch project' : 'open project',
      keywords: 'project switch',
      run: go(projectId ? switchProjectPath(location.pathname, p._id) : `/projects/${p._id}`),
    });
  }

  const stat = stats.data;
  items.push(
    {
      id: 'action-new-project',
      group: 'Actions',
      label: 'New project',
      keywords: 'create add',
      disabled: planBlock('project', stat?.plan, stat?.limits, stat?.usage.totalProjects),
      run: onNewProject,
    },
    {
      id: 'action-theme',
      group: 'Actions',
      label: resolved === 'dark' ? 'Switch to light mode' : 'Switch to dark mode',
      keywords: 'toggle dark mode light theme colour color',
      run: () => setSetting(resolved === 'dark' ? 'light' : 'dark'),
    },
    {
      id: 'action-theme-system',
      group: 'Actions',
      label: 'Use the system theme',
      keywords: 'dark mode light theme automatic',
      run: () => setSetting('system'),
    },
    { id: 'action-logout', group: 'Actions', label: 'Log out', keywords: 'sign out exit', run: () => void logout() },
  );
  return items;
}

/**
 * The items matching `query`: every word must appear in the label, or start a word of the group
 * or keywords (so "bo" finds "books" but not "dashboard"). Labels that equal or start with the
 * query come first; otherwise the original order stays.
 */
export function filterCommands(items: CommandItem[], query: string): CommandItem[] {
  const q = query.trim().toLowerCase();
  if (!q) return items;
  const words = q.split(/\s+/);
  const rank = (item: CommandItem) => {
    const label = item.label.toLowerCase();
    if (label === q) return 0;
    if (label.startsWith(q)) return 1;
    if (label.includes(q)) return 2;
    return 3;
  };
  return items
    .filter((item) => {
      const label = item.label.toLowerCase();
      const tags = `${item.group} ${item.keywords ?? ''}`.toLowerCase().split(/\s+/);
      return words.every((w) => label.includes(w) || tags.some((t) => t.startsWith(w)));
    })
    .map((item, index) => ({ item, index, rank: rank(item) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((r) => r.item);
}
