import { publishProjectChanged } from '@urbackend/common/cache';
import type { Cache } from '@urbackend/common/cache';
import { type SecretBox, generateApiKey, randomToken, sha256Hex } from '@urbackend/common/crypto';
import { AppError, badRequest, notFound } from '@urbackend/common/errors';
import type { Logger } from '@urbackend/common/logger';
import { type PlatformModels, type Project, requestLogModel } from '@urbackend/common/models';
import type { Plans } from '@urbackend/common/plans';
import { Types } from 'mongoose';
import type { z } from 'zod';
import type { CurrentDeveloper } from '../../middleware/auth.js';
import { type DeletedProject, type ProjectCleanupDeps, deleteProjectEverywhere } from './project-cleanup.js';
import { projectListItem, projectView } from './project-view.js';
import type { createProjectBody, updateProjectBody } from './projects.schemas.js';

export type ProjectDoc = Project & { _id: Types.ObjectId };

export interface ProjectServiceDeps extends ProjectCleanupDeps {
  secretBox: SecretBox;
  plans: Plans;
  cache: Cache;
  logger: Logger;
  models: PlatformModels;
}

/** The owner's project (lean, all fields) or 404: another developer's project is "not found". */
export async function getOwnedProject(models: PlatformModels, owner: CurrentDeveloper, projectId: string): Promise<ProjectDoc> {
  if (!Types.ObjectId.isValid(projectId)) throw badRequest('Invalid ID format.');
  const project = await models.Project.findOne({ _id: projectId, owner: owner._id }).lean();
  if (!project) throw notFound('Project not found.');
  return project as ProjectDoc;
}

/**
 * Applies `update` to the owner's project, bumps `configVersion` and tells every public-api
 * process (pub/sub) to drop its cached copy. Returns the updated project.
 */
export async function changeProject(
  deps: Pick<ProjectServiceDeps, 'models' | 'cache' | 'logger'>,
  project: ProjectDoc,
  update: Record<string, unknown>,
  reason: string,
  extraKeyHashes: string[] = [],
): Promise<ProjectDoc> {
  const updated = await deps.models.Project.findOneAndUpdate(
    { _id: project._id, owner: project.owner },
    { $set: update, $inc: { configVersion: 1 } },
    { new: true },
  ).lean();
  if (!updated) throw notFound('Project not found.');
  const keyHashes = [project.publishableKeyHash, project.secretKeyHash, ...extraKeyHashes];
  await publishProjectChanged(deps.cache, { projectId: String(project._id), keyHashes, reason }, deps.logger);
  return updated as ProjectDoc;
}

/** Projects: create, list, read, update, delete, rotate keys (reference §6.2). */
export function createProjectService(deps: ProjectServiceDeps) {
  const { models, plans } = deps;
  const limitsOf = (dev: CurrentDeveloper) => plans.limitsFor(dev);
  const RequestLog = requestLogModel(deps.db.connection);

  /** `warning` when more than 20 % of the project's last 100 requests failed (5xx or 4xx). */
  async function healthOf(projectId: Types.ObjectId): Promise<'healthy' | 'warning'> {
    const recent = await RequestLog.find({ projectId }).select('status').sort({ at: -1 }).limit(100).lean();
    const failed = recent.filter((r) => r.status >= 400).length;
    return recent.length > 0 && failed / recent.length > 0.2 ? 'warning' : 'healthy';
  }

  return {
    limitsOf,

    async create(dev: CurrentDeveloper, body: z.infer<typeof createProjectBody>) {
      const limits = limitsOf(dev);
      const count = await models.Project.countDocuments({ owner: dev._id });
      if (limits.maxProjects >= 0 && count >= limits.maxProjects) {
        throw new AppError('FORBIDDEN', `Project limit reached (${limits.maxProjects}) for your plan.`);
      }
      const _id = new Types.ObjectId();
      const publishableKey = generateApiKey('pk_live_');
      const secretKey = generateApiKey('sk_live_');
      const jwtSecret = deps.secretBox.encrypt(`jwt_${randomToken(32)}`, `project:${_id.toHexString()}:jwtSecret`);
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
      const view = projectView(created.toObject() as ProjectDoc, limits);
      return { ...view, publishableKey, secretKey };
    },

    async list(dev: CurrentDeveloper) {
      const limits = limitsOf(dev);
      const projects = (await models.Project.find({ owner: dev._id }).sort({ createdAt: -1 }).lean()) as ProjectDoc[];
      const health = await Promise.all(projects.map((p) => healthOf(p._id)));
      return projects.map((p, i) => projectListItem(p, limits, health[i] ?? 'healthy'));
    },

    async get(dev: CurrentDeveloper, projectId: string) {
      return projectView(await getOwnedProject(models, dev, projectId), limitsOf(dev));
    },

    async update(dev: CurrentDeveloper, projectId: string, body: z.infer<typeof updateProjectBody>) {
      const project = await getOwnedProject(models, dev, projectId);
      const updated = await changeProject(deps, project, { ...body }, 'project');
      return projectView(updated, limitsOf(dev));
    },

    async remove(dev: CurrentDeveloper, projectId: string): Promise<void> {
      await deleteProjectEverywhere(deps, await getOwnedProject(models, dev, projectId));
    },

    /** Deletes every project of a developer (account deletion). */
    async removeAllOf(developerId: Types.ObjectId): Promise<void> {
      const projects = (await models.Project.find({ owner: developerId }).lean()) as DeletedProject[];
      for (const p of projects) await deleteProjectEverywhere(deps, p);
    },

    async rotateKey(dev: CurrentDeveloper, projectId: string, keyType: 'publishable' | 'secret') {
      const project = await getOwnedProject(models, dev, projectId);
      const apiKey = generateApiKey(keyType === 'publishable' ? 'pk_live_' : 'sk_live_');
      const field = keyType === 'publishable' ? 'publishableKeyHash' : 'secretKeyHash';
      const updated = await changeProject(deps, project, { [field]: sha256Hex(apiKey) }, 'keys');
      return { apiKey, keyType, project: projectView(updated, limitsOf(dev)) };
    },

    async setAllowedDomains(dev: CurrentDeveloper, projectId: string, domains: string[]) {
      const project = await getOwnedProject(models, dev, projectId);
      const unique = [...new Set(domains.map((d) => d.toLowerCase()))];
      const updated = await changeProject(deps, project, { allowedDomains: unique }, 'domains');
      return { message: 'Allowed domains updated', allowedDomains: updated.allowedDomains };
    },
  };
}

export type ProjectService = ReturnType<typeof createProjectService>;
