import { AppError, badRequest, notFound } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import {
  BACKUP_MAX_PER_PROJECT,
  BACKUP_UPLOAD_MAX_BYTES,
  type BackupDeps,
  type BackupModel,
  backupKey,
  buildBackupArchive,
  readBackupArchive,
  restoreBackupArchive,
} from '@urbackend/common/lifecycle';
import type { Platform } from '@urbackend/common/platform';
import { parseObjectId } from '@urbackend/common/tenant';
import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { currentDeveloper, requireVerified } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import {
  type DashboardScope,
  type ProjectAction,
  dashboardScope,
  roleIn,
  toDashboardProject,
} from '../../middleware/project-access.js';
import type { ConfigLogService } from '../config-log/config-log.service.js';
import type { ProjectService } from '../projects/project.service.js';

export interface BackupsRouterDeps {
  backups: BackupDeps;
  Backup: BackupModel;
  access: (action: ProjectAction) => RequestHandler[];
  configLog: Pick<ConfigLogService, 'record'>;
  projects: Pick<ProjectService, 'create' | 'remove'>;
  scopeFor: Platform['scopeFor'];
  requireDeveloper: RequestHandler;
}

const backupParams = z.object({ backupId: z.string() });
const restoreBody = z.object({ confirm: z.string({ required_error: 'confirm (the project name) is required' }) });
const cloneBody = z.object({
  backupId: z.string().optional(),
  name: z.string().trim().min(1).max(100).optional(),
});

/** The archive upload of a clone: raw bytes (gzip or NDJSON), read after the developer check. */
const rawArchive = express.raw({
  type: ['application/gzip', 'application/x-gzip', 'application/octet-stream', 'application/x-ndjson'],
  limit: BACKUP_UPLOAD_MAX_BYTES,
});

function view(b: {
  _id: unknown;
  size: number;
  provider: string;
  createdBy: string;
  counts: unknown;
  createdAt: Date;
}) {
  return {
    _id: String(b._id),
    size: b.size,
    provider: b.provider,
    createdBy: b.createdBy,
    counts: b.counts,
    createdAt: b.createdAt,
  };
}

const whoOf = (scope: DashboardScope) => (scope.actor.type === 'developer' ? scope.actor.email : 'unknown');

/**
 * `/api/projects/:projectId/backups…` (create, list, download, delete, restore in place) and
 * `POST /api/projects/clone` (a new project from an uploaded archive or an existing backup).
 * See docs/data-lifecycle.md § Backups.
 */
export function createBackupsRouter(deps: BackupsRouterDeps): Router {
  const { access, Backup, backups } = deps;
  const r = guardedRouter([], { mergeParams: true });

  async function find(scope: DashboardScope, raw: unknown) {
    const { backupId } = parse(backupParams, raw);
    const row = await Backup.findOne({ _id: parseObjectId(backupId), projectId: scope.project._id }).lean();
    if (!row) throw notFound('Backup not found.');
    return row;
  }

  async function bytesOf(row: { projectId: unknown; key: string }) {
    const { driver } = await backups.storage.manager.forProject({ _id: String(row.projectId) });
    const data = await driver.get(row.key);
    if (!data) throw notFound('The backup file is missing from storage.');
    return data;
  }

  r.get('/backups', ...access('write'), async (req, res) => {
    const scope = dashboardScope(req);
    const rows = await Backup.find({ projectId: scope.project._id }).sort({ createdAt: -1 }).lean();
    res.json({ success: true, data: { items: rows.map(view), max: BACKUP_MAX_PER_PROJECT } });
  });

  r.post('/backups', ...access('write'), async (req, res) => {
    const scope = dashboardScope(req);
    const count = await Backup.countDocuments({ projectId: scope.project._id });
    if (count >= BACKUP_MAX_PER_PROJECT) {
      throw new AppError('FORBIDDEN', `Backup limit reached (${BACKUP_MAX_PER_PROJECT}). Delete an old backup first.`);
    }
    const { backupId, archive, counts } = await buildBackupArchive(backups, scope);
    const { driver, provider } = await backups.storage.manager.forProject(scope.project);
    const key = backupKey(scope.project._id, backupId);
    await driver.put(key, archive, 'application/gzip');
    const row = await Backup.create({
      _id: backupId,
      projectId: scope.project._id,
      key,
      provider,
      size: archive.length,
      createdBy: whoOf(scope),
      counts,
    });
    await deps.configLog.record(scope, {
      category: 'project_info',
      label: 'Backup created',
      diff: [{ field: 'backup', from: null, to: `${backupId} (${archive.length} bytes)` }],
    });
    res.status(201).json({ success: true, data: view(row.toObject()), message: 'Backup created' });
  });

  r.get('/backups/:backupId/download', ...access('write'), async (req, res) => {
    const scope = dashboardScope(req);
    const row = await find(scope, req.params);
    const data = await bytesOf(row);
    const stamp = row.createdAt.toISOString().replace(/[:.]/g, '-');
    const safeName = scope.project.name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || 'project';
    res.setHeader('Content-Type', 'application/gzip');
    res.setHeader('Content-Length', String(data.length));
    res.setHeader('Content-Disposition', `attachment; filename="${safeName}-${stamp}.urbackup.ndjson.gz"`);
    res.end(data);
  });

  r.delete('/backups/:backupId', ...access('owner'), async (req, res) => {
    const scope = dashboardScope(req);
    const row = await find(scope, req.params);
    const { driver } = await backups.storage.manager.forProject(scope.project);
    await driver.delete(row.key);
    await Backup.deleteOne({ _id: row._id });
    res.json({ success: true, data: { _id: String(row._id) }, message: 'Backup deleted' });
  });

  r.post('/backups/:backupId/restore', ...access('owner'), async (req, res) => {
    const scope = dashboardScope(req);
    const { confirm } = parse(restoreBody, req.body ?? {});
    if (confirm !== scope.project.name) throw badRequest('Type the project name to confirm the restore.');
    const row = await find(scope, req.params);
    const archive = await readBackupArchive(await bytesOf(row));
    const report = await restoreBackupArchive(backups, scope, archive, 'replace');
    await deps.configLog.record(scope, {
      category: 'project_info',
      label: 'Backup restored',
      diff: [{ field: 'backup', from: null, to: `${String(row._id)} (${report.documents} documents, ${report.files} files)` }],
    });
    res.json({ success: true, data: report, message: 'Backup restored' });
  });
  return r.router;
}

/** `POST /api/projects/clone`: a new project of the caller from an uploaded archive or one of their backups. */
export function createCloneRouter(deps: BackupsRouterDeps): Router {
  const { Backup, backups } = deps;
  const r = guardedRouter([]);
  r.post('/clone', deps.requireDeveloper, requireVerified, rawArchive, async (req, res) => {
    const dev = currentDeveloper(res);
    let input: Buffer;
    let name: string | undefined;
    if (Buffer.isBuffer(req.body)) {
      input = req.body;
      name = typeof req.query.name === 'string' ? req.query.name.trim().slice(0, 100) || undefined : undefined;
    } else {
      const body = parse(cloneBody, req.body ?? {});
      if (!body.backupId) throw badRequest('Upload a backup file (application/gzip) or send {"backupId"}.');
      name = body.name;
      const row = await Backup.findById(parseObjectId(body.backupId)).lean();
      // Only the source project's owner or admins may read a backup (it holds password hashes).
      const source = row ? await backups.models.Project.findById(row.projectId).select('owner members').lean() : null;
      const role = source ? roleIn(source, dev.id) : null;
      if (!row || !role || role === 'viewer') throw notFound('Backup not found.');
      const { driver } = await backups.storage.manager.forProject({ _id: String(row.projectId) });
      const data = await driver.get(row.key);
      if (!data) throw notFound('The backup file is missing from storage.');
      input = data;
    }
    if (input.length === 0) throw badRequest('Upload a backup file (application/gzip) or send {"backupId"}.');
    const archive = await readBackupArchive(input);
    const created = await deps.projects.create(dev, { name: name ?? `${archive.manifest.source.name} (clone)` });
    const doc = await backups.models.Project.findById(created._id).lean();
    if (!doc) throw notFound('Project not found.');
    const owner = { _id: dev.id, isVerified: dev.isVerified, isAdmin: dev.isAdmin, plan: dev.plan };
    const project = toDashboardProject(doc as never, owner);
    const scope = deps.scopeFor(project, {
      type: 'developer',
      developerId: dev.id,
      email: dev.email,
      role: 'owner',
      via: dev.via,
    });
    let report: Awaited<ReturnType<typeof restoreBackupArchive>>;
    try {
      report = await restoreBackupArchive(backups, scope, archive, 'clone');
    } catch (err) {
      await deps.projects.remove(scope).catch(() => undefined);
      throw err;
    }
    await deps.configLog.record(scope, {
      category: 'project_info',
      label: 'Project cloned from a backup',
      diff: [{ field: 'source', from: null, to: `${archive.manifest.source.name} (${archive.manifest.backupId})` }],
    });
    res.status(201).json({
      success: true,
      data: {
        project: { _id: created._id, name: created.name },
        publishableKey: created.publishableKey,
        secretKey: created.secretKey,
        report,
      },
      message: 'Project cloned from the backup. Copy the new API keys now: they are shown once.',
    });
  });
  return r.router;
}
