import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type RedisConnection, publishProjectChanged } from '@urbackend/common/cache';
import type { DataServices } from '@urbackend/common/data';
import { parse } from '@urbackend/common/http';
import {
  EXPORT_CONTENT_TYPES,
  IMPORT_MAX_BYTES,
  MAX_TRASH_RETENTION_DAYS,
  exportCollection,
  importCollection,
  parseExportFormat,
  parseImportFormat,
  parseMapping,
  takeExportSlot,
} from '@urbackend/common/lifecycle';
import type { Logger } from '@urbackend/common/logger';
import type { ProjectModel } from '@urbackend/common/models';
import type { Claims } from '@urbackend/common/rate-limit';
import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';

const collectionParams = z.object({ collectionName: z.string() });
const docParams = collectionParams.extend({ id: z.string() });
const pageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
const settingsBody = z
  .object({
    trashRetentionDays: z.number().int().min(1).max(MAX_TRASH_RETENTION_DAYS).optional(),
    trashDisabled: z.array(z.string().max(63)).max(500).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send trashRetentionDays or trashDisabled');

export interface LifecycleRouterDeps {
  data: DataServices;
  access: (action: ProjectAction) => RequestHandler[];
  /** Durable claims: the daily export slots. */
  claims: Claims;
  Project: ProjectModel;
  cache: RedisConnection;
  logger: Logger;
}

/** The import body: raw bytes up to 20 MB, read after the access check (JSON the app already parsed is kept). */
const rawBody = express.raw({ type: () => true, limit: IMPORT_MAX_BYTES });

/**
 * `/api/projects/:projectId/collections/:collectionName/…`: the trash (list, recover, delete
 * forever, empty), export (streamed) and import (dry run, then real). See docs/data-lifecycle.md.
 */
export function createLifecycleRouter(deps: LifecycleRouterDeps): Router {
  const { data, access } = deps;
  const r = guardedRouter([], { mergeParams: true });

  r.get('/trash', ...access('read'), async (req, res) => {
    const { collectionName } = parse(collectionParams, req.params);
    const { page, limit } = parse(pageQuery, req.query);
    res.json({ success: true, data: await data.trash.list(dashboardScope(req), collectionName, { page, limit }) });
  });
  r.delete('/trash', ...access('write'), async (req, res) => {
    const { collectionName } = parse(collectionParams, req.params);
    const deleted = await data.trash.empty(dashboardScope(req), collectionName);
    res.json({ success: true, data: { deleted }, message: `Trash emptied (${deleted} document(s) deleted forever).` });
  });
  r.delete('/trash/:id', ...access('write'), async (req, res) => {
    const { collectionName, id } = parse(docParams, req.params);
    await data.trash.destroy(dashboardScope(req), collectionName, id);
    res.json({ success: true, data: { id }, message: 'Document permanently deleted' });
  });
  r.patch('/data/:id/recover', ...access('write'), async (req, res) => {
    const { collectionName, id } = parse(docParams, req.params);
    const doc = await data.trash.recover(dashboardScope(req), collectionName, id);
    res.json({ success: true, data: doc, message: 'Document recovered from trash' });
  });

  r.get('/export', ...access('read'), async (req, res) => {
    const { collectionName } = parse(collectionParams, req.params);
    const scope = dashboardScope(req);
    const format = parseExportFormat(req.query.format);
    const query = req.query as Record<string, unknown>;
    // Parse the filters before spending a slot: a bad filter is a 400 that costs nothing.
    const chunks = exportCollection(scope, collectionName, { format, query });
    const first = await chunks.next();
    const { used, limit } = await takeExportSlot(deps.claims, scope);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.setHeader('Content-Type', EXPORT_CONTENT_TYPES[format]);
    res.setHeader('Content-Disposition', `attachment; filename="${collectionName}-${stamp}.${format}"`);
    res.setHeader('X-Export-Usage', limit < 0 ? `${used}/unlimited` : `${used}/${limit}`);
    async function* all() {
      if (!first.done) yield first.value;
      yield* chunks;
    }
    await pipeline(Readable.from(all()), res);
  });

  r.post('/import', ...access('write'), rawBody, async (req, res) => {
    const { collectionName } = parse(collectionParams, req.params);
    const format = parseImportFormat(req.query.format);
    const dryRun = req.query.dryRun === 'true';
    const mapping = parseMapping(req.query.mapping);
    const body = req.body as unknown;
    const request = Buffer.isBuffer(body)
      ? { format, text: body.toString('utf8'), mapping, dryRun }
      : { format, parsed: body, mapping, dryRun };
    const report = await importCollection(dashboardScope(req), data.writes, collectionName, request);
    const message = dryRun
      ? `Dry run: ${report.accepted} row(s) would be imported, ${report.rejected.length} rejected.`
      : `Imported ${report.accepted} row(s), ${report.rejected.length} rejected.`;
    res.json({ success: true, data: report, message });
  });
  return r.router;
}

/** `/api/projects/:projectId/lifecycle`: trash retention and the collections whose trash is off. */
export function createLifecycleSettingsRouter(deps: LifecycleRouterDeps): Router {
  const { access, Project } = deps;
  const r = guardedRouter([], { mergeParams: true });
  r.get('/lifecycle', ...access('read'), async (req, res) => {
    res.json({ success: true, data: dashboardScope(req).project.lifecycle });
  });
  r.patch('/lifecycle', ...access('write'), async (req, res) => {
    const scope = dashboardScope(req);
    const body = parse(settingsBody, req.body);
    const set: Record<string, unknown> = {};
    if (body.trashRetentionDays !== undefined) set['lifecycle.trashRetentionDays'] = body.trashRetentionDays;
    if (body.trashDisabled !== undefined) set['lifecycle.trashDisabled'] = [...new Set(body.trashDisabled)];
    await Project.updateOne({ _id: scope.project._id }, { $set: set, $inc: { configVersion: 1 } });
    const keyHashes = [scope.project.publishableKeyHash, scope.project.secretKeyHash].filter(Boolean);
    await publishProjectChanged(deps.cache, { projectId: scope.project._id, keyHashes, reason: 'lifecycle' }, deps.logger);
    const fresh = await Project.findById(scope.project._id).select('lifecycle').lean();
    res.json({ success: true, data: fresh?.lifecycle, message: 'Data lifecycle settings updated' });
  });
  return r.router;
}
