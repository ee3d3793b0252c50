import { badRequest, notFound } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import { type DeveloperModel, type ProjectModel, REGISTRATION_MODES } from '@urbackend/common/models';
import type { Plans } from '@urbackend/common/plans';
import { parseObjectId } from '@urbackend/common/tenant';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper, requireAdmin } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import type { OwnerChanged } from '../projects/owner-changes.js';
import type { AdminService } from './admin.service.js';
import type { Registration } from './registration.js';

const page = z.coerce.number().int().min(1).default(1);
const listQuery = z.object({
  search: z.string().max(100).optional(),
  plan: z.string().trim().max(32).optional(),
  disabled: z.enum(['true', 'false']).optional(),
  page,
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
const auditQuery = z.object({ page, limit: z.coerce.number().int().min(1).max(200).default(50) });
const planBody = z.object({ plan: z.string().trim().min(1).max(32) });
const devParams = z.object({ developerId: z.string() });
const idParams = z.object({ id: z.string() });
const modeBody = z.object({
  mode: z.enum(REGISTRATION_MODES, { errorMap: () => ({ message: `mode must be one of: ${REGISTRATION_MODES.join(', ')}` }) }),
});
const inviteBody = z
  .object({
    maxUses: z.number({ required_error: 'maxUses is required' }).int().min(1).max(1000),
    expiresInDays: z.number({ required_error: 'expiresInDays is required' }).int().min(1).max(365),
    note: z.string().trim().max(200).optional(),
  })
  .strict();

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
  admin: AdminService;
  registration: Registration;
}

/**
 * `/api/admin`: platform admin tools (developers, plans, project limits, registration mode, invite
 * codes, the platform audit log). Every change is recorded in the audit log.
 */
export function createAdminRouter(deps: AdminRouterDeps): Router {
  const { Developer, plans, admin, registration } = deps;
  const r = guardedRouter([deps.requireDeveloper, requireAdmin]);

  r.get('/plans', async (_req, res) => {
    res.json({
      plans: plans.names().map((name) => ({ name, limits: plans.limitsFor({ plan: name }) })),
      defaultPlan: plans.defaultPlan,
    });
  });

  r.get('/developers', async (req, res) => {
    const q = parse(listQuery, req.query);
    const disabled = q.disabled === undefined ? undefined : q.disabled === 'true';
    const data = await admin.listDevelopers({ ...q, disabled });
    res.json({ success: true, data, message: '' });
  });

  r.patch('/developers/:developerId/plan', async (req, res) => {
    const _id = parseObjectId(parse(devParams, req.params).developerId);
    const { plan } = parse(planBody, req.body);
    if (!plans.has(plan)) throw badRequest(`Unknown plan '${plan}'. Known plans: ${plans.names().join(', ')}.`);
    const before = await Developer.findById(_id).select('email plan').lean();
    if (!before) throw notFound('Developer not found.');
    await Developer.updateOne({ _id }, { $set: { plan } });
    await deps.ownerChanged([_id], 'owner-plan');
    const on = { type: 'developer', id: String(_id), label: before.email } as const;
    await admin.record(currentDeveloper(res), 'developer.plan', on, { from: before.plan, to: plan });
    res.json({ message: 'Plan updated', developerId: String(_id), plan, limits: plans.limitsFor({ plan }) });
  });

  /** Disable / enable: the same route shape, recorded in the platform audit log. */
  for (const action of ['disable', 'enable'] as const) {
    r.post(`/developers/:developerId/${action}`, async (req, res) => {
      const _id = parseObjectId(parse(devParams, req.params).developerId);
      const me = currentDeveloper(res);
      const result = await admin[action](_id, me);
      const on = { type: 'developer', id: result._id, label: result.email } as const;
      const details = action === 'disable' ? { alreadyDisabled: result.wasDisabled } : { wasDisabled: result.wasDisabled };
      await admin.record(me, `developer.${action}`, on, details);
      const { wasDisabled: _, ...data } = result;
      res.json({ success: true, data, message: `Developer ${result.email} ${action}d` });
    });
  }

  r.delete('/developers/:developerId', async (req, res) => {
    const _id = parseObjectId(parse(devParams, req.params).developerId);
    const me = currentDeveloper(res);
    const result = await admin.remove(_id, me);
    await admin.record(
      me,
      'developer.delete',
      { type: 'developer', id: result._id, label: result.email },
      {
        projectsDeleted: result.projectCount,
      },
    );
    res.json({ success: true, data: result, message: `Developer ${result.email} and their projects deleted` });
  });

  /** Per-project overrides of plan limits (`null` = use the plan, -1 = unlimited). */
  r.patch('/projects/:projectId/limits', async (req, res) => {
    const _id = parseObjectId(parse(projectParams, req.params).projectId);
    const body = parse(limitsBody, req.body ?? {});
    const set = Object.fromEntries(Object.entries(body).map(([k, v]) => [`customLimits.${k}`, v ?? null]));
    const before = await deps.Project.findById(_id).select('customLimits').lean();
    const project = await deps.Project.findOneAndUpdate({ _id }, { $set: set, $inc: { configVersion: 1 } }, { new: true }).lean();
    if (!project) throw notFound('Project not found.');
    await deps.projectChanged(project, 'limits');
    const from = Object.fromEntries(Object.keys(body).map((k) => [k, before?.customLimits?.[k as keyof typeof body] ?? null]));
    const on = { type: 'project', id: String(_id), label: project.name } as const;
    await admin.record(currentDeveloper(res), 'project.limits', on, { from, to: body });
    res.json({ message: 'Project limits updated', projectId: String(_id), customLimits: project.customLimits });
  });

  r.get('/registration', async (_req, res) => {
    res.json({ success: true, data: { mode: await registration.mode() }, message: '' });
  });

  r.put('/registration', async (req, res) => {
    const { mode } = parse(modeBody, req.body);
    const me = currentDeveloper(res);
    const change = await registration.setMode(mode, me.email);
    await admin.record(me, 'registration.mode', { type: 'registration', id: null, label: mode }, change);
    res.json({ success: true, data: { mode }, message: `Registration mode set to ${mode}` });
  });

  r.get('/invite-codes', async (_req, res) => {
    res.json({ success: true, data: { codes: await registration.list() }, message: '' });
  });

  /** The raw code is in this answer only (stored hashed): copy it now. */
  r.post('/invite-codes', async (req, res) => {
    const body = parse(inviteBody, req.body);
    const me = currentDeveloper(res);
    const { code, invite } = await registration.issue({ ...body, admin: me });
    await admin.record(
      me,
      'invite-code.create',
      { type: 'invite-code', id: invite._id, label: `…${invite.suffix}` },
      {
        maxUses: invite.maxUses,
        expiresAt: invite.expiresAt,
        note: invite.note,
      },
    );
    res.status(201).json({
      success: true,
      data: { ...invite, code },
      message: 'Invite code created. Copy it now: it is not shown again.',
    });
  });

  r.delete('/invite-codes/:id', async (req, res) => {
    const _id = parseObjectId(parse(idParams, req.params).id);
    const me = currentDeveloper(res);
    const invite = await registration.revoke(_id);
    await admin.record(
      me,
      'invite-code.revoke',
      { type: 'invite-code', id: invite._id, label: `…${invite.suffix}` },
      {
        uses: invite.uses,
        maxUses: invite.maxUses,
      },
    );
    res.json({ success: true, data: invite, message: 'Invite code revoked' });
  });

  r.get('/audit-log', async (req, res) => {
    const q = parse(auditQuery, req.query);
    res.json({ success: true, data: await admin.auditLog(q.page, q.limit), message: '' });
  });

  return r.router;
}
