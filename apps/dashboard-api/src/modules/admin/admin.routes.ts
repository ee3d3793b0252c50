import { findPage } from '@urbackend/common/db';
import { badRequest, notFound } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import type { DeveloperModel, ProjectModel } from '@urbackend/common/models';
import type { Plans } from '@urbackend/common/plans';
import { parseObjectId } from '@urbackend/common/tenant';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { requireAdmin } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import type { OwnerChanged } from '../projects/owner-changes.js';

const listQuery = z.object({
  search: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
const planBody = z.object({ plan: z.string().trim().min(1).max(32) });
const devParams = z.object({ developerId: z.string() });

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const nullableLimit = z.number().int().min(-1).nullable().optional();
const limitsBody = z
  .object({ reqPerDay: nullableLimit, storageBytes: nullableLimit, mailPerMonth: nullableLimit, maxCollections: nullableLimit })
  .strict();
const projectParams = z.object({ projectId: z.string() });

export interface AdminRouterDeps {
  Developer: DeveloperModel;
  Project: ProjectModel;
  plans: Plans;
  requireDeveloper: RequestHandler;
  /** Publishes a change of every project a developer owns (their plan changed). */
  ownerChanged: OwnerChanged;
  /** Publishes a change of one project (its custom limits changed). */
  projectChanged(project: { _id: unknown; publishableKeyHash: string; secretKeyHash: string }, reason: string): Promise<void>;
}

/** `/api/admin`: platform admin tools (list developers, set a developer's plan, set a project's custom limits). */
export function createAdminRouter(deps: AdminRouterDeps): Router {
  const { Developer, plans } = deps;
  const r = guardedRouter([deps.requireDeveloper, requireAdmin]);

  r.get('/plans', async (_req, res) => {
    res.json({
      plans: plans.names().map((name) => ({ name, limits: plans.limitsFor({ plan: name }) })),
      defaultPlan: plans.defaultPlan,
    });
  });

  r.get('/developers', async (req, res) => {
    const q = parse(listQuery, req.query);
    const filter = q.search ? { email: { $regex: escapeRegex(q.search.trim().toLowerCase()) } } : {};
    const { items, total } = await findPage(Developer, filter, { ...q, select: 'email isVerified isAdmin plan createdAt' });
    res.json({ success: true, data: { items, total, page: q.page, limit: q.limit }, message: '' });
  });

  r.patch('/developers/:developerId/plan', async (req, res) => {
    const { developerId } = parse(devParams, req.params);
    const { plan } = parse(planBody, req.body);
    if (!plans.has(plan)) throw badRequest(`Unknown plan '${plan}'. Known plans: ${plans.names().join(', ')}.`);
    const result = await Developer.updateOne({ _id: parseObjectId(developerId) }, { $set: { plan } });
    if (result.matchedCount === 0) throw notFound('Developer not found.');
    await deps.ownerChanged([parseObjectId(developerId)], 'owner-plan');
    res.json({ message: 'Plan updated', developerId, plan, limits: plans.limitsFor({ plan }) });
  });

  /** Per-project overrides of plan limits (`null` = use the plan, -1 = unlimited). */
  r.patch('/projects/:projectId/limits', async (req, res) => {
    const _id = parseObjectId(parse(projectParams, req.params).projectId);
    const body = parse(limitsBody, req.body ?? {});
    const set = Object.fromEntries(Object.entries(body).map(([k, v]) => [`customLimits.${k}`, v ?? null]));
    const project = await deps.Project.findOneAndUpdate({ _id }, { $set: set, $inc: { configVersion: 1 } }, { new: true }).lean();
    if (!project) throw notFound('Project not found.');
    await deps.projectChanged(project, 'limits');
    res.json({ message: 'Project limits updated', projectId: String(_id), customLimits: project.customLimits });
  });
  return r.router;
}
