/** The sections of a project, in sidebar order (the project layout and the command palette). */
export const PROJECT_SECTIONS: { to: string; label: string; end?: boolean }[] = [
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

/** The URL of a section of a project (`''` is the overview). */
export const sectionPath = (projectId: string, to: string) =>
  to === '' ? `/projects/${projectId}` : `/projects/${projectId}/${to}`;

/**
 * Where switching to another project lands: the same section when it is a top-level one (a
 * collection or a sub-page of the old project would not exist there).
 */
export function switchProjectPath(pathname: string, projectId: string): string {
  const section = pathname.split('/')[3] ?? '';
  return section && section !== 'collections' ? `/projects/${projectId}/${section}` : `/projects/${projectId}`;
}
