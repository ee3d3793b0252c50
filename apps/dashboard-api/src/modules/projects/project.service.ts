import { publishProjectChanged } from '@urbackend/common/cache';
import { randomToken, sha256Hex } from '@urbackend/common/crypto';
import { AppError, notFound } from '@urbackend/common/errors';
import type { Logger } from '@urbackend/common/logger';
import { type Project, requestLogModel } from '@urbackend/common/models';
import type { Platform } from '@urbackend/common/platform';
import { projectSecretContext } from '@urbackend/common/scope';
import { Types } from 'mongoose';
import type { z } from 'zod';
import type { CurrentDeveloper } from '../../middleware/auth.js';
import {
  type DashboardProject,
  type DashboardScope,
  roleIn,
  toDashboardProject,
  withLiveUsage,
} from '../../middleware/project-access.js';
import { type DeletedProject, deleteProjectEverywhere } from './project-cleanup.js';
import { projectListItem, projectView } from './project-view.js';
import type { createProjectBody, updateProjectBody } from './projects.schemas.js';

export type ProjectDoc = Project & { _id: Types.ObjectId };
type ProjectOwner = { _id: string; email: string; isVerified: boolean; isAdmin: boolean; plan: string };

/** What the project services use from the platform. */
export type ProjectServiceDeps = Pick<
  Platform,
  'models' | 'db' | 'cache' | 'tenants' | 'secretBox' | 'keyIssuer' | 'plans' | 'storage' | 'meter'
> & {
  logger: Logger;
};

/** The scope's developer as a plan subject (admins have no limits). */
const ownerOf = (dev: CurrentDeveloper) => ({ _id: dev.id, isVerified: dev.isVerified, isAdmin: dev.isAdmin, plan: dev.plan });

/**
 * Applies `update` to the scope's project, bumps `configVersion` and tells every public-api
 * process (pub/sub) to drop its cached copy. Returns the updated project.
 */
export async function changeProject(
  deps: Pick<ProjectServiceDeps, 'models' | 'cache' | 'logger' | 'meter'>,
  scope: DashboardScope,
  update: Record<string, unknown>,
  reason: string,
): Promise<DashboardProject> {
  const { project } = scope;
  const updated = await deps.models.Project.findOneAndUpdate(
    { _id: project._id },
    { $set: update, $inc: { configVersion: 1 } },
    { new: true },
  ).lean();
  if (!updated) throw notFound('Project not found.');
  const keyHashes = [project.publishableKeyHash, project.secretKeyHash];
  await publishProjectChanged(deps.cache, { projectId: project._id, keyHashes, reason }, deps.logger);
  return withLiveUsage(deps.meter, toDashboardProject(updated, project.owner));
}

/** Projects: create, list, read, update, delete, rotate keys (reference §6.2). */
export function createProjectService(deps: ProjectServiceDeps) {
  const { models, plans } = deps;
  const RequestLog = requestLogModel(deps.db.connection);

  /** `warning` when more than 20 % of the project's last 100 requests failed (5xx or 4xx). */
  async function healthOf(projectId: Types.ObjectId): Promise<'healthy' | 'warning'> {
    const recent = await RequestLog.find({ projectId }).select('status').sort({ at: -1 }).limit(100).lean();
    const failed = recent.filter((r) => r.status >= 400).length;
    return recent.length > 0 && failed / recent.length > 0.2 ? 'warning' : 'healthy';
  }

  return {
    async create(dev: CurrentDeveloper, body: z.infer<typeof createProjectBody>) {
      const limits = plans.limitsFor(dev);
      const count = await models.Project.countDocuments({ owner: dev._id });
      if (limits.maxProjects >= 0 && count >= limits.maxProjects) {
        throw new AppError('FORBIDDEN', `Project limit reached (${limits.maxProjects}) for your plan.`);
      }
      const _id = new Types.ObjectId();
      const publishableKey = deps.keyIssuer.issue('pk_live_');
      const secretKey = deps.keyIssuer.issue('sk_live_');
      const jwtSecret = deps.secretBox.encrypt(`jwt_${randomToken(32)}`, projectSecretContext(_id.toHexString(), 'jwtSecret'));
      const created = await models.Project.create({
        _id,
        name: body.name,
        description: body.description ?? '',
        siteUrl: body.siteUrl ?? '',
        owner: dev._id,
        publishableKeyHash: sha256Hex(publishableKey),
        secretKeyHash: sha256Hex(secretKey),
        jwtSecret,
      });
      const project = toDashboardProject(created.toObject(), ownerOf(dev));
      return { ...projectView(project, plans.limitsFor(dev, project.customLimits)), publishableKey, secretKey };
    },

    /** Every project the developer can reach (owned or as a member), with their role and the owner. */
    async list(dev: CurrentDeveloper) {
      const docs = (await models.Project.find({ $or: [{ owner: dev._id }, { 'members.user': dev._id }] })
        .sort({ createdAt: -1 })
        .lean()) as ProjectDoc[];
      const ownerIds = [...new Set(docs.map((d) => String(d.owner)).filter((id) => id !== dev.id))];
      const others = await models.Developer.find({ _id: { $in: ownerIds } })
        .select('email isVerified isAdmin plan')
        .lean();
      const owners = new Map<string, ProjectOwner>(others.map((o) => [String(o._id), { ...o, _id: String(o._id) }]));
      owners.set(dev.id, { ...ownerOf(dev), email: dev.email });
      const visible = docs.filter((d) => owners.has(String(d.owner)));
      const projects = await Promise.all(
        visible.map((d) => withLiveUsage(deps.meter, toDashboardProject(d, owners.get(String(d.owner)) as ProjectOwner))),
      );
      const health = await Promise.all(visible.map((p) => healthOf(p._id)));
      return projects.map((p, i) => {
        const owner = owners.get(p.owner._id) as ProjectOwner;
        return {
          ...projectListItem(p, plans.limitsFor(owner, p.customLimits), health[i] ?? 'healthy'),
          role: roleIn(visible[i] as ProjectDoc, dev.id),
          owner: { _id: owner._id, email: owner.email },
        };
      });
    },

    async get(scope: DashboardScope) {
      const role = scope.actor.type === 'developer' ? scope.actor.role : null;
      return { ...projectView(await withLiveUsage(deps.meter, scope.project), scope.limits), role };
    },

    async update(scope: DashboardScope, body: z.infer<typeof updateProjectBody>) {
      return projectView(await changeProject(deps, scope, { ...body }, 'project'), scope.limits);
    },

    async remove(scope: DashboardScope): Promise<void> {
      const doc = await models.Project.findById(scope.project._id).lean();
      if (doc) await deleteProjectEverywhere(deps, doc as DeletedProject);
    },

    /** Deletes every project of a developer (account deletion). */
    async removeAllOf(developerId: Types.ObjectId): Promise<void> {
      const projects = (await models.Project.find({ owner: developerId }).lean()) as DeletedProject[];
      for (const p of projects) await deleteProjectEverywhere(deps, p);
    },

    async rotateKey(scope: DashboardScope, keyType: 'publishable' | 'secret') {
      const apiKey = deps.keyIssuer.issue(keyType === 'publishable' ? 'pk_live_' : 'sk_live_');
      const field = keyType === 'publishable' ? 'publishableKeyHash' : 'secretKeyHash';
      const updated = await changeProject(deps, scope, { [field]: sha256Hex(apiKey) }, 'keys');
      return { apiKey, keyType, project: projectView(updated, scope.limits) };
    },

    async setAllowedDomains(scope: DashboardScope, domains: string[]) {
      const unique = [...new Set(domains.map((d) => d.toLowerCase()))];
      const updated = await changeProject(deps, scope, { allowedDomains: unique }, 'domains');
      return { message: 'Allowed domains updated', allowedDomains: updated.allowedDomains };
    },

    /** The project as it is now (after a change made through another service, e.g. a new collection). */
    async view(scope: DashboardScope) {
      const doc = await models.Project.findById(scope.project._id).lean();
      if (!doc) throw notFound('Project not found.');
      return projectView(await withLiveUsage(deps.meter, toDashboardProject(doc, scope.project.owner)), scope.limits);
    },
  };
}

export type ProjectService = ReturnType<typeof createProjectService>;
