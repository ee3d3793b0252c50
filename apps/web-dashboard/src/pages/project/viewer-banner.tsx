import { Link } from 'react-router';
import type { ProjectRole } from '../../api/types.js';
import { Notice } from '../../components/ui.js';

/** The banner a viewer sees above every project page (rendered by the project layout). */
export function ViewerBanner({ role, projectId }: { role: ProjectRole | undefined; projectId: string }) {
  if (role !== 'viewer') return null;
  return (
    <Notice kind="info">
      <strong>You are a viewer.</strong> Viewers can't change this project: you can read everything, but every change is disabled.
      Ask the owner (see <Link to={`/projects/${projectId}/members`}>Members</Link>) for the admin role.
    </Notice>
  );
}
