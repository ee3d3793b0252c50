/**
 * Project backups (docs/data-lifecycle.md § Backups): one gzip'd NDJSON archive per backup, written
 * to the project's storage driver; restore into the same project (replace) or into a new one
 * (clone), on this instance or another one.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import mongoose, { type Connection, type Model, Schema, Types } from 'mongoose';
import { publishProjectChanged } from '../cache/index.js';
import type { RedisConnection } from '../cache/index.js';
import {
  assertCollectionName,
  defaultRls,
  isUsersCollection,
  parseFieldList,
  rlsUpdateSchema,
  syncQueryIndexes,
  syncUniqueIndexes,
  usersSchemaProblem,
} from '../collections/index.js';
import { randomToken } from '../crypto/index.js';
import type { SecretBox } from '../crypto/index.js';
import { advanceDataVersions } from '../data/counts.js';
import { AppError, badRequest, forbidden } from '../errors/index.js';
import type { Logger } from '../logger/index.js';
import type { FieldDef, PlatformModels, RlsConfig } from '../models/index.js';
import { type ProjectScope, projectSecretContext } from '../scope/index.js';
import type { StorageManager } from '../storage/index.js';
import type { UsageMeter } from '../usage/index.js';
import { documentBytes } from '../validation/index.js';
import { webhookSecretAad } from '../webhooks/index.js';
import { TRASH_COLLECTION } from './trash.js';

const { EJSON } = mongoose.mongo.BSON;
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export const BACKUP_FORMAT = 'urbackend-project-backup';
export const BACKUP_FORMAT_VERSION = 1;
/** Largest archive, uncompressed (backups are built and restored in memory, within the request). */
export const BACKUP_MAX_BYTES = 100 * 1024 * 1024;
/** Largest uploaded (compressed) archive for a clone. */
export const BACKUP_UPLOAD_MAX_BYTES = BACKUP_MAX_BYTES;
/** Backups kept per project (delete an old one to make another). */
export const BACKUP_MAX_PER_PROJECT = 10;
const INSERT_BATCH = 500;

const PRODUCT_VERSION: string = (() => {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();

// ---------------------------------------------------------------- the backup record

/** One backup of a project (platform collection `backups`); the bytes live in storage under `key`. */
export interface Backup {
  projectId: Types.ObjectId;
  key: string;
  /** `internal` (platform storage) or `external` (the project's own bucket). */
  provider: 'internal' | 'external';
  size: number;
  createdBy: string;
  counts: { collections: number; documents: number; users: number; files: number; webhooks: number };
  createdAt: Date;
  updatedAt: Date;
}

const backupSchema = new Schema<Backup>(
  {
    projectId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    provider: { type: String, enum: ['internal', 'external'], required: true },
    size: { type: Number, required: true },
    createdBy: { type: String, default: '' },
    counts: { type: Schema.Types.Mixed, default: () => ({}) },
  },
  { timestamps: true, collection: 'backups' },
);
backupSchema.index({ projectId: 1, createdAt: -1 });

export type BackupModel = Model<Backup>;

/** Registers (or returns) the Backup model on a connection. */
export function backupModel(connection: Connection): BackupModel {
  return (connection.models.Backup as BackupModel | undefined) ?? connection.model<Backup>('Backup', backupSchema);
}

// ---------------------------------------------------------------- the archive

/** Line 1 of an archive. */
export interface BackupManifest {
  type: 'manifest';
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  productVersion: string;
  backupId: string;
  createdAt: string;
  source: { projectId: string; name: string; description: string; siteUrl: string };
  settings: {
    isAuthEnabled: boolean;
    allowedDomains: string[];
    allowPublishableUploads: boolean;
    authProviders: Record<'github' | 'google', { enabled: boolean; clientId: string }>;
    mailFrom: string | null;
    lifecycle: { trashRetentionDays: number; trashDisabled: string[] };
  };
  collections: { name: string; model: FieldDef[]; rls: RlsConfig }[];
  webhooks: { ref: string; name: string; url: string; events: Record<string, unknown>; enabled: boolean }[];
  mailTemplates: { key: string; name: string; subject: string; html: string; text: string }[];
  /**
   * The project's secrets (OAuth client secrets, SMTP URL, webhook signing secrets), encrypted with
   * the platform's SecretBox (AAD `backup:<backupId>`): readable only by an instance with the same
   * ENCRYPTION_KEY (or ENCRYPTION_KEYS). Null when the project had none.
   */
  sealedSecrets: string | null;
  counts: { documents: Record<string, number>; files: number; fileBytes: number };
}

interface SecretsBundle {
  oauth: Partial<Record<'github' | 'google', string>>;
  smtpUrl: string | null;
  /** Webhook signing secrets by the manifest's webhook `ref`. */
  webhooks: Record<string, string>;
}

interface DocLine {
  type: 'doc';
  collection: string;
  doc: Record<string, unknown>;
}
interface FileLine {
  type: 'file';
  /** The key below the project's prefix (`<projectId>/` removed). */
  path: string;
  size: number;
  contentType: string;
  userId: string | null;
  data: string;
}
interface EndLine {
  type: 'end';
  documents: number;
  files: number;
}

/** A parsed archive. */
export interface BackupArchive {
  manifest: BackupManifest;
  documents: Map<string, Record<string, unknown>[]>;
  files: { path: string; size: number; contentType: string; userId: string | null; data: Buffer }[];
}

export interface BackupDeps {
  models: Pick<PlatformModels, 'Project' | 'StoredFile' | 'PendingUpload' | 'Webhook' | 'MailTemplate' | 'UserSession'>;
  secretBox: SecretBox;
  storage: { manager: StorageManager };
  meter: UsageMeter;
  cache: RedisConnection;
  logger: Logger;
  /** Called after a project's webhooks changed (the per-project webhook cache). */
  webhooksChanged(projectId: string): Promise<void>;
}

const line = (value: unknown) => `${EJSON.stringify(value, { relaxed: true })}\n`;
const tooLarge = () =>
  new AppError('PAYLOAD_TOO_LARGE', `The backup is larger than ${BACKUP_MAX_BYTES / 1024 / 1024} MB (the in-request limit).`);

/** AAD of an archive's sealed secrets. */
const backupAad = (backupId: string) => `backup:${backupId}`;

function tryDecrypt(box: SecretBox, value: string | null | undefined, aad: string): string | null {
  if (!value) return null;
  try {
    return box.decrypt(value, aad);
  } catch {
    return null;
  }
}

/** Builds the archive of a project: gzip'd NDJSON, manifest first, `end` last. Reads BYOD databases and buckets. */
export async function buildBackupArchive(
  deps: BackupDeps,
  scope: ProjectScope,
): Promise<{ backupId: string; archive: Buffer; counts: Backup['counts'] }> {
  const pid = scope.project._id;
  const doc = await deps.models.Project.findById(pid).lean();
  if (!doc) throw new AppError('NOT_FOUND', 'Project not found.');
  const backupId = new Types.ObjectId().toHexString();
  const body: string[] = [];
  let bytes = 0;
  const push = (text: string) => {
    bytes += Buffer.byteLength(text);
    if (bytes > BACKUP_MAX_BYTES) throw tooLarge();
    body.push(text);
  };

  const conn = await scope.tenant.connection();
  const documents: Record<string, number> = {};
  let total = 0;
  for (const c of doc.collections ?? []) {
    let n = 0;
    for await (const d of conn.collection(c.name).find({}, { batchSize: 500 })) {
      push(line({ type: 'doc', collection: c.name, doc: d } satisfies DocLine));
      n += 1;
    }
    documents[c.name] = n;
    total += n;
  }

  const { driver } = await deps.storage.manager.forProject(scope.project);
  let files = 0;
  let fileBytes = 0;
  for await (const f of deps.models.StoredFile.find({ projectId: pid }).sort({ createdAt: 1 }).lean().cursor()) {
    const data = await driver.get(f.key);
    if (!data) {
      deps.logger.warn({ projectId: pid, key: f.key }, 'backup: stored file missing from storage, skipped');
      continue;
    }
    const path = f.key.startsWith(`${pid}/`) ? f.key.slice(pid.length + 1) : f.key;
    push(
      line({
        type: 'file',
        path,
        size: data.length,
        contentType: f.contentType,
        userId: f.userId ?? null,
        data: data.toString('base64'),
      } satisfies FileLine),
    );
    files += 1;
    fileBytes += data.length;
  }

  const hooks = await deps.models.Webhook.find({ projectId: pid }).select('+secret').sort({ createdAt: 1 }).lean();
  const secrets: SecretsBundle = { oauth: {}, smtpUrl: null, webhooks: {} };
  for (const provider of ['github', 'google'] as const) {
    const plain = tryDecrypt(
      deps.secretBox,
      doc.authProviders?.[provider]?.clientSecret,
      projectSecretContext(pid, `oauth:${provider}`),
    );
    if (plain) secrets.oauth[provider] = plain;
  }
  secrets.smtpUrl = tryDecrypt(deps.secretBox, doc.mail?.smtpUrl, projectSecretContext(pid, 'smtp'));
  const webhooks = hooks.map((h, i) => {
    const ref = `w${i + 1}`;
    const plain = tryDecrypt(deps.secretBox, h.secret, webhookSecretAad(pid));
    if (plain) secrets.webhooks[ref] = plain;
    return { ref, name: h.name, url: h.url, events: h.events ?? {}, enabled: h.enabled !== false };
  });
  const hasSecrets = Object.keys(secrets.oauth).length > 0 || secrets.smtpUrl || Object.keys(secrets.webhooks).length > 0;
  const templates = await deps.models.MailTemplate.find({ projectId: pid }).sort({ createdAt: 1 }).lean();

  const manifest: BackupManifest = {
    type: 'manifest',
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    productVersion: PRODUCT_VERSION,
    backupId,
    createdAt: new Date().toISOString(),
    source: { projectId: pid, name: doc.name, description: doc.description ?? '', siteUrl: doc.siteUrl ?? '' },
    settings: {
      isAuthEnabled: Boolean(doc.isAuthEnabled),
      allowedDomains: doc.allowedDomains ?? ['*'],
      allowPublishableUploads: Boolean(doc.allowPublishableUploads),
      authProviders: {
        github: { enabled: Boolean(doc.authProviders?.github?.enabled), clientId: doc.authProviders?.github?.clientId ?? '' },
        google: { enabled: Boolean(doc.authProviders?.google?.enabled), clientId: doc.authProviders?.google?.clientId ?? '' },
      },
      mailFrom: doc.mail?.from ?? null,
      lifecycle: {
        trashRetentionDays: doc.lifecycle?.trashRetentionDays ?? 30,
        trashDisabled: doc.lifecycle?.trashDisabled ?? [],
      },
    },
    collections: (doc.collections ?? []).map((c) => ({ name: c.name, model: c.model ?? [], rls: c.rls })),
    webhooks,
    mailTemplates: templates.map((t) => ({ key: t.key, name: t.name, subject: t.subject, html: t.html, text: t.text })),
    sealedSecrets: hasSecrets ? deps.secretBox.encrypt(JSON.stringify(secrets), backupAad(backupId)) : null,
    counts: { documents, files, fileBytes },
  };
  const text = line(manifest) + body.join('') + line({ type: 'end', documents: total, files } satisfies EndLine);
  const archive = await gzipAsync(Buffer.from(text, 'utf8'));
  const users = (doc.collections ?? [])
    .filter((c) => isUsersCollection(c.name))
    .reduce((n, c) => n + (documents[c.name] ?? 0), 0);
  return {
    backupId,
    archive,
    counts: { collections: doc.collections?.length ?? 0, documents: total, users, files, webhooks: hooks.length },
  };
}

const INVALID = 'This file is not a urBackend project backup (or it is damaged).';

/** Reads an archive (gzip'd or plain NDJSON); 400 when it is not a complete backup of a known format. */
export async function readBackupArchive(input: Buffer): Promise<BackupArchive> {
  let raw: Buffer;
  try {
    raw = input[0] === 0x1f && input[1] === 0x8b ? await gunzipAsync(input, { maxOutputLength: BACKUP_MAX_BYTES }) : input;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw badRequest(INVALID);
  }
  const lines = raw.toString('utf8').split('\n');
  let manifest: BackupManifest | null = null;
  const documents = new Map<string, Record<string, unknown>[]>();
  const files: BackupArchive['files'] = [];
  let end: EndLine | null = null;
  let docCount = 0;
  for (const text of lines) {
    if (!text.trim()) continue;
    let rec: { type?: string };
    try {
      rec = EJSON.parse(text, { relaxed: true }) as { type?: string };
    } catch {
      throw badRequest(INVALID);
    }
    if (!manifest) {
      const m = rec as BackupManifest;
      if (m.type !== 'manifest' || m.format !== BACKUP_FORMAT) throw badRequest(INVALID);
      if (m.formatVersion > BACKUP_FORMAT_VERSION) {
        throw badRequest(
          `This backup uses format version ${m.formatVersion}; this instance reads up to ${BACKUP_FORMAT_VERSION}.`,
        );
      }
      // Schemas are checked like the collection routes check them: a crafted file cannot name `_urb_trash`.
      if (!Array.isArray(m.collections) || !Array.isArray(m.webhooks) || !Array.isArray(m.mailTemplates) || !m.settings) {
        throw badRequest(INVALID);
      }
      for (const c of m.collections) {
        assertCollectionName(c.name);
        c.model = parseFieldList(c.model, `collections.${c.name}.schema`);
        if (isUsersCollection(c.name) && usersSchemaProblem(c.model)) throw badRequest(usersSchemaProblem(c.model) as string);
        if (c.rls && !rlsUpdateSchema.safeParse(c.rls).success) throw badRequest(`${INVALID} (RLS of "${c.name}")`);
        if (documents.has(c.name)) throw badRequest(`${INVALID} (collection "${c.name}" twice)`);
        documents.set(c.name, []);
      }
      manifest = m;
      continue;
    }
    if (rec.type === 'doc') {
      const d = rec as DocLine;
      const list = documents.get(d.collection);
      if (!list) throw badRequest(`${INVALID} (documents of an undeclared collection "${d.collection}")`);
      list.push(d.doc);
      docCount += 1;
    } else if (rec.type === 'file') {
      const f = rec as FileLine;
      if (typeof f.path !== 'string' || f.path.includes('..') || f.path.startsWith('/')) throw badRequest(INVALID);
      files.push({
        path: f.path,
        size: f.size,
        contentType: f.contentType,
        userId: f.userId,
        data: Buffer.from(f.data, 'base64'),
      });
    } else if (rec.type === 'end') {
      end = rec as EndLine;
    }
  }
  if (!manifest || !end || end.documents !== docCount || end.files !== files.length) {
    throw badRequest(`${INVALID} (incomplete: the archive ends early)`);
  }
  return { manifest, documents, files };
}

// ---------------------------------------------------------------- restore

export type RestoreMode = 'replace' | 'clone';

export interface RestoreReport {
  mode: RestoreMode;
  projectId: string;
  source: BackupManifest['source'] & { backupId: string; createdAt: string };
  collections: number;
  documents: number;
  users: number;
  files: number;
  webhooks: number;
  mailTemplates: number;
  /** `restored`: the sealed secrets were readable here; `unavailable`: made on an instance with another key; `none`. */
  secrets: 'restored' | 'unavailable' | 'none';
  /** Webhooks whose signing secret was generated anew (shown once). */
  newWebhookSecrets: { name: string; secret: string }[];
  usage: { databaseUsed: number; storageUsed: number };
  notes: string[];
}

/** Refuses a restore that would exceed the target's plan (nothing is written yet). */
function checkLimits(scope: ProjectScope, archive: BackupArchive, provider: 'internal' | 'external', byod: boolean): void {
  const { limits } = scope;
  const { manifest } = archive;
  const max = (limit: number, value: number, what: string) => {
    if (limit >= 0 && value > limit) throw forbidden(`The backup exceeds this project's plan: ${what} (${value} > ${limit}).`);
  };
  max(limits.maxCollections, manifest.collections.length, 'collections');
  max(limits.webhooksLimit, manifest.webhooks.length, 'webhooks');
  let dbBytes = 0;
  let users = 0;
  for (const [name, docs] of archive.documents) {
    if (isUsersCollection(name)) users += docs.length;
    else for (const d of docs) dbBytes += documentBytes(d);
  }
  max(limits.authUsersLimit, users, 'users');
  if (!byod) max(limits.mongoBytes, dbBytes, 'database bytes');
  if (provider === 'internal')
    max(
      limits.storageBytes,
      archive.files.reduce((n, f) => n + f.data.length, 0),
      'storage bytes',
    );
}

/**
 * Restores an archive into the scope's project: settings, schemas and RLS, webhooks, mail
 * templates, documents (users with their password hashes), files; replaces what the project had
 * (its trash and end-user sessions too). API keys and the user-JWT secret are never touched.
 * Usage counters are recomputed from the data at the end (the reconciler's sources).
 */
export async function restoreBackupArchive(
  deps: BackupDeps,
  scope: ProjectScope,
  archive: BackupArchive,
  mode: RestoreMode,
): Promise<RestoreReport> {
  const pid = scope.project._id;
  const { manifest } = archive;
  const { models } = deps;
  const current = await models.Project.findById(pid).lean();
  if (!current) throw new AppError('NOT_FOUND', 'Project not found.');
  const { driver, provider } = await deps.storage.manager.forProject(scope.project);
  const byod = Boolean(current.resources?.db?.isExternal);
  checkLimits(scope, archive, provider, byod);
  const notes: string[] = [];

  // Secrets: readable only on an instance holding the key that sealed them.
  let secrets: SecretsBundle | null = null;
  let secretsState: RestoreReport['secrets'] = 'none';
  if (manifest.sealedSecrets) {
    const plain = tryDecrypt(deps.secretBox, manifest.sealedSecrets, backupAad(manifest.backupId));
    secrets = plain ? (JSON.parse(plain) as SecretsBundle) : null;
    secretsState = secrets ? 'restored' : 'unavailable';
    if (!secrets) {
      notes.push(
        'The secrets of this backup were sealed by another instance (another ENCRYPTION_KEY): OAuth client secrets and the SMTP URL were not restored, webhook signing secrets were generated anew.',
      );
    }
  }

  // 1. Data: drop what the project declares, then write the archive's collections.
  const conn = await scope.tenant.connection();
  const kind = await scope.tenant.serverKind();
  const wanted = new Set(manifest.collections.map((c) => c.name));
  for (const c of current.collections ?? []) {
    if (!wanted.has(c.name)) await conn.dropCollection(c.name).catch(() => undefined);
  }
  await conn
    .collection(TRASH_COLLECTION)
    .deleteMany({})
    .catch(() => undefined);
  let documents = 0;
  let users = 0;
  for (const c of manifest.collections) {
    await conn.dropCollection(c.name).catch(() => undefined);
    await conn.createCollection(c.name).catch((err: { codeName?: string; code?: number }) => {
      if (err.code !== 48 && err.codeName !== 'NamespaceExists') throw err;
    });
    const docs = archive.documents.get(c.name) ?? [];
    for (let i = 0; i < docs.length; i += INSERT_BATCH) {
      await conn.collection(c.name).insertMany(docs.slice(i, i + INSERT_BATCH), { ordered: true });
    }
    documents += docs.length;
    if (isUsersCollection(c.name)) users += docs.length;
    await syncUniqueIndexes(conn, c.name, c.model, kind);
    await syncQueryIndexes(conn, c.name, c.rls ?? defaultRls(c.name, c.model), (err) =>
      deps.logger.warn({ projectId: pid, collection: c.name, err: { message: (err as Error).message } }, 'query index not built'),
    );
  }
  await models.UserSession.deleteMany({ projectId: pid });
  // Every collection's documents were replaced: list totals are counted again.
  await advanceDataVersions(deps.cache, pid, [...wanted, ...(current.collections ?? []).map((c) => c.name)]);

  // 2. Settings, schemas and RLS (keys and the JWT secret stay).
  const s = manifest.settings;
  const oauth = (p: 'github' | 'google') => {
    const secret = secrets?.oauth[p];
    if (secret)
      return { ...s.authProviders[p], clientSecret: deps.secretBox.encrypt(secret, projectSecretContext(pid, `oauth:${p}`)) };
    // Same project, secrets unreadable: keep the secret it has now.
    const kept = mode === 'replace' ? (current.authProviders?.[p]?.clientSecret ?? null) : null;
    if (!kept && s.authProviders[p].enabled)
      notes.push(`${p} sign-in was turned off: its client secret is not in this backup; set it again.`);
    return { ...s.authProviders[p], enabled: s.authProviders[p].enabled && Boolean(kept), clientSecret: kept };
  };
  const smtpUrl = secrets?.smtpUrl
    ? deps.secretBox.encrypt(secrets.smtpUrl, projectSecretContext(pid, 'smtp'))
    : mode === 'replace'
      ? (current.mail?.smtpUrl ?? null)
      : null;
  const now = new Date();
  await models.Project.updateOne(
    { _id: pid },
    {
      $set: {
        isAuthEnabled: s.isAuthEnabled,
        allowedDomains: s.allowedDomains,
        allowPublishableUploads: s.allowPublishableUploads,
        authProviders: { github: oauth('github'), google: oauth('google') },
        mail: { smtpUrl, from: s.mailFrom },
        lifecycle: s.lifecycle,
        collections: manifest.collections.map((c) => ({
          _id: new Types.ObjectId(),
          name: c.name,
          model: c.model,
          rls: c.rls ?? defaultRls(c.name, c.model),
          version: 1,
          createdAt: now,
          updatedAt: now,
        })),
        ...(mode === 'clone' ? { description: manifest.source.description, siteUrl: manifest.source.siteUrl } : {}),
      },
      $inc: { configVersion: 1 },
    },
  );

  // 3. Webhooks and mail templates.
  await models.Webhook.deleteMany({ projectId: pid });
  const newWebhookSecrets: RestoreReport['newWebhookSecrets'] = [];
  for (const h of manifest.webhooks) {
    let secret = secrets?.webhooks[h.ref];
    if (!secret) {
      secret = `whsec_${randomToken(24)}`;
      newWebhookSecrets.push({ name: h.name, secret });
    }
    await models.Webhook.create({
      projectId: pid,
      name: h.name,
      url: h.url,
      events: h.events,
      enabled: h.enabled,
      secret: deps.secretBox.encrypt(secret, webhookSecretAad(pid)),
    });
  }
  await deps.webhooksChanged(pid);
  await models.MailTemplate.deleteMany({ projectId: pid });
  for (const t of manifest.mailTemplates) await models.MailTemplate.create({ ...t, projectId: pid, isSystem: false });

  // 4. Files: the project's files are replaced by the archive's (same paths below the new prefix).
  for await (const f of models.StoredFile.find({ projectId: pid }).lean().cursor()) {
    await driver.delete(f.key).catch(() => undefined);
  }
  await Promise.all([models.StoredFile.deleteMany({ projectId: pid }), models.PendingUpload.deleteMany({ projectId: pid })]);
  for (const f of archive.files) {
    const key = `${pid}/${f.path}`;
    await driver.put(key, f.data, f.contentType);
    await models.StoredFile.create({
      projectId: pid,
      key,
      size: f.data.length,
      contentType: f.contentType,
      provider,
      charged: provider === 'internal',
      userId: f.userId,
    });
  }

  // 5. Usage counters from the data (what the reconciler does), then every process is told.
  const databaseUsed = await deps.meter.reconcile(pid, 'db');
  const storageUsed = await deps.meter.reconcile(pid, 'storage');
  await models.Project.updateOne({ _id: pid }, { $set: { databaseUsed, storageUsed } });
  deps.storage.manager.invalidate(pid);
  await publishProjectChanged(
    deps.cache,
    { projectId: pid, keyHashes: [current.publishableKeyHash, current.secretKeyHash], reason: 'restore' },
    deps.logger,
  );
  if (mode === 'clone') notes.push("New API keys were issued: the source project's keys do not work here.");
  if (byod && mode === 'replace') notes.push("Documents were written to the project's own database (BYOD).");

  return {
    mode,
    projectId: pid,
    source: { ...manifest.source, backupId: manifest.backupId, createdAt: manifest.createdAt },
    collections: manifest.collections.length,
    documents,
    users,
    files: archive.files.length,
    webhooks: manifest.webhooks.length,
    mailTemplates: manifest.mailTemplates.length,
    secrets: secretsState,
    newWebhookSecrets,
    usage: { databaseUsed, storageUsed },
    notes,
  };
}

/** The storage key of a backup: outside the project's file prefix, so "delete all files" keeps backups. */
export function backupKey(projectId: string, backupId: string): string {
  return `_backups/${projectId}/${backupId}-${randomUUID().slice(0, 8)}.ndjson.gz`;
}
