import { AppError, notFound } from '@urbackend/common/errors';
import { scopeOf, setScope } from '@urbackend/common/http';
import type { PlatformModels, Project } from '@urbackend/common/models';
import type { Platform } from '@urbackend/common/platform';
import {
  type ProjectRole,
  type ProjectScope,
  type ScopedCollection,
  type ScopedProject,
  toScopedProject,
} from '@urbackend/common/scope';
import { parseObjectId } from '@urbackend/common/tenant';
import { type UsageMeter, projectUsage } from '@urbackend/common/usage';
import type { Request, RequestHandler } from 'express';
import { type CurrentDeveloper, currentDeveloper } from './auth.js';

/**
 * The project as the dashboard holds it for one request: the scoped project plus what only the
 * dashboard shows (description, usage counters, dates), read fresh from the database.
 */
export interface DashboardProject extends ScopedProject {
  collections: DashboardCollection[];
  description: string;
  storageUsed: number;
  databaseUsed: number;
  createdAt: string;
  updatedAt: string;
}

/** A collection with its dates, as the dashboard lists it. */
export type DashboardCollection = ScopedCollection & { createdAt?: string; updatedAt?: string };

export type DashboardScope = ProjectScope<DashboardProject>;

/**
 * What a route does to a project. The table below says which roles may do it; every project
 * route declares one (`access('write')`), and the route-table test checks them all.
 */
export type ProjectAction = 'read' | 'write' | 'owner';

/**
 * The role matrix: who may do what. `read`: every GET, export and the config log. `write`: every
 * other change. `owner`: delete or transfer the project, invite, change roles, remove members,
 * rotate or reveal keys.
 */
export const ACCESS_MATRIX: Readonly<Record<ProjectAction, readonly ProjectRole[]>> = {
  read: ['owner', 'admin', 'viewer'],
  write: ['owner', 'admin'],
  owner: ['owner'],
};

/** What a role that may not do `action` is told. */
const FORBIDDEN_MESSAGE: Readonly<Record<ProjectAction, string>> = {
  read: 'You do not have access to this project.',
  write: 'Viewers do not have write access to this project.',
  owner: 'Only the project owner can perform this action.',
};

const iso = (d: Date | string | undefined) => (d ? new Date(d).toISOString() : undefined);

/** Builds the dashboard view of a lean platform project document and its owner. */
export function toDashboardProject(
  doc: Project & { _id: unknown },
  owner: Parameters<typeof toScopedProject>[1],
): DashboardProject {
  const scoped = toScopedProject(doc as unknown as Record<string, unknown>, owner);
  const dates = new Map((doc.collections ?? []).map((c) => [String(c._id), c]));
  return {
    ...scoped,
    collections: scoped.collections.map((c) => {
      const stored = dates.get(c._id);
      return { ...c, createdAt: iso(stored?.createdAt), updatedAt: iso(stored?.updatedAt) };
    }),
    description: doc.description ?? '',
    storageUsed: doc.storageUsed ?? 0,
    databaseUsed: doc.databaseUsed ?? 0,
    createdAt: iso(doc.createdAt) ?? new Date(0).toISOString(),
    updatedAt: iso(doc.updatedAt) ?? new Date(0).toISOString(),
  };
}

/**
 * The project with its live usage from the meter; the durable copy on the project document (last
 * reconciliation) when the meter cannot answer (Redis down).
 */
export async function withLiveUsage(meter: UsageMeter, project: DashboardProject): Promise<DashboardProject> {
  return { ...project, ...(await projectUsage(meter, project._id, project)) };
}

export interface ProjectAccessDeps {
  models: Pick<PlatformModels, 'Project' | 'Developer'>;
  scopeFor: Platform['scopeFor'];
  /** `requireDeveloper` (401 without a valid developer token). */
  requireDeveloper: RequestHandler;
}

/** The role of `dev` in `project`, or null when the developer has no access to it. */
export function roleIn(project: Pick<Project, 'owner' | 'members'>, developerId: string): ProjectRole | null {
  if (String(project.owner) === developerId) return 'owner';
  return (project.members ?? []).find((m) => String(m.user) === developerId)?.role ?? null;
}

/** The owner as a plan subject: the developer themselves, or the owner read fresh (a member acting). */
async function ownerOf(deps: ProjectAccessDeps, doc: Pick<Project, 'owner'>, dev: CurrentDeveloper) {
  if (String(doc.owner) === dev.id) return { _id: dev.id, isVerified: dev.isVerified, isAdmin: dev.isAdmin, plan: dev.plan };
  const owner = await deps.models.Developer.findById(doc.owner).select('isVerified isAdmin plan disabledAt').lean();
  if (!owner) throw notFound('Project not found.');
  return { ...owner, _id: String(owner._id) };
}

/**
 * `access(action)`: the guard chain of every `/api/projects/:projectId/...` route. Requires a
 * developer (401) with a verified email (403), loads the project once (400 for a malformed id),
 * answers 404 when the developer has no access to it (another developer's project is "not
 * found", never "forbidden"), 403 when their role may not do `action`, and puts the project
 * scope on the request. Handlers read it with `dashboardScope(req)`.
 */
export function createProjectAccess(deps: ProjectAccessDeps): (action: ProjectAction) => RequestHandler[] {
  const load: (action: ProjectAction) => RequestHandler = (action) => async (req, res, next) => {
    const dev = currentDeveloper(res);
    if (!dev.isVerified) throw new AppError('FORBIDDEN', 'Email not verified. Verify your email first.');
    const projectId = parseObjectId(req.params.projectId);
    const doc = await deps.models.Project.findById(projectId).lean();
    const role = doc ? roleIn(doc, dev.id) : null;
    if (!doc || !role) throw notFound('Project not found.');
    if (!ACCESS_MATRIX[action].includes(role)) throw new AppError('FORBIDDEN', FORBIDDEN_MESSAGE[action]);
    const owner = await ownerOf(deps, doc, dev);
    // Usage counters are read only by the views that show them (withLiveUsage), not on every request.
    const project = toDashboardProject(doc as Project & { _id: unknown }, owner);
    setScope(req, deps.scopeFor(project, { type: 'developer', developerId: dev.id, email: dev.email, role, via: dev.via }));
    next();
  };
  return (action) => [deps.requireDeveloper, load(action)];
}

/** The project scope the access guard put on the request. */
export function dashboardScope(req: Request): DashboardScope {
  return scopeOf<DashboardScope>(req);
}
