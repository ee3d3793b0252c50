import { type CollectionService, isUsersCollection, usersSchemaProblem } from '@urbackend/common/collections';
import { AppError, badRequest } from '@urbackend/common/errors';
import { assertPublicHttpUrl, assertPublicMongoUri } from '@urbackend/common/outbound';
import type { Platform } from '@urbackend/common/platform';
import { projectSecretContext } from '@urbackend/common/scope';
import { parseByodStorageConfig } from '@urbackend/common/storage';
import mongoose from 'mongoose';
import type { z } from 'zod';
import type { DashboardScope } from '../../middleware/project-access.js';
import { projectView } from './project-view.js';
import { type ProjectServiceDeps, changeProject } from './project.service.js';
import type { authProvidersBody, byodConfigBody } from './projects.schemas.js';

export type ProjectSettingsDeps = ProjectServiceDeps & {
  /** Re-creates collections and unique indexes after the database changed. */
  collections: Pick<CollectionService, 'ensurePhysical'>;
  scopeFor: Platform['scopeFor'];
  allowPrivateTargets: boolean;
  /** Live connection test timeout for BYOD databases (5 s). */
  byodConnectTimeoutMs: number;
};

type Providers = z.infer<typeof authProvidersBody>;
type Byod = z.infer<typeof byodConfigBody>;

/** Opens a short-lived connection, pings, closes. Throws 400 with a hint (never the URI) on failure. */
async function testMongoConnection(uri: string, timeoutMs: number): Promise<void> {
  const conn = mongoose.createConnection();
  try {
    await conn.openUri(uri, {
      serverSelectionTimeoutMS: timeoutMs,
      connectTimeoutMS: timeoutMs,
      maxPoolSize: 1,
      autoIndex: false,
    });
    await conn.db?.admin().ping();
  } catch {
    throw badRequest(
      'Could not connect to the database within 5 seconds. Check the URI, the credentials and that the server accepts connections from this platform (IP allow-list).',
    );
  } finally {
    await conn.close(true).catch(() => undefined);
  }
}

function storageInput(body: Byod): Record<string, unknown> {
  if (body.storageProvider === 's3' || (body.storageProvider === undefined && body.s3Bucket !== undefined)) {
    return {
      provider: 's3',
      bucket: body.s3Bucket,
      region: body.s3Region || undefined,
      accessKeyId: body.s3AccessKeyId,
      secretAccessKey: body.s3SecretAccessKey,
      endpoint: body.s3Endpoint || undefined,
      forcePathStyle: body.s3Endpoint ? true : undefined,
      publicUrlHost: body.publicUrlHost || undefined,
    };
  }
  return { provider: 'supabase', url: body.storageUrl, key: body.storageKey };
}

/** Auth toggle, OAuth providers and BYOD settings of a project. */
export function createProjectSettingsService(deps: ProjectSettingsDeps) {
  const { secretBox } = deps;
  const outbound = { allowPrivateTargets: deps.allowPrivateTargets };

  return {
    async toggleAuth(scope: DashboardScope, enable: boolean) {
      const { project } = scope;
      if (enable) {
        const users = project.collections.find((c) => isUsersCollection(c.name));
        const problem = users
          ? usersSchemaProblem(users.model)
          : 'Create a users collection first (required String email and password).';
        if (problem) throw new AppError('UNPROCESSABLE', problem);
      }
      const updated = await changeProject(deps, scope, { isAuthEnabled: enable }, 'auth');
      return {
        message: `Authentication ${enable ? 'enabled' : 'disabled'} successfully`,
        isAuthEnabled: updated.isAuthEnabled,
        project: projectView(updated, scope.limits),
      };
    },

    async setAuthProviders(scope: DashboardScope, body: Providers) {
      const { project, limits } = scope;
      const update: Record<string, unknown> = {};
      for (const name of ['github', 'google'] as const) {
        const input = body[name];
        if (!input) continue;
        if (input.clientSecret !== undefined && !limits.byokEnabled) {
          throw new AppError('FORBIDDEN', 'Custom OAuth credentials (BYOK) are a Pro feature.');
        }
        const current = project.authProviders?.[name] ?? { enabled: false, clientId: '', clientSecret: null };
        const next = {
          enabled: input.enabled ?? current.enabled,
          clientId: input.clientId ?? current.clientId,
          clientSecret:
            input.clientSecret !== undefined
              ? secretBox.encrypt(input.clientSecret, projectSecretContext(project._id, `oauth:${name}`))
              : current.clientSecret,
        };
        if (next.enabled && (!next.clientId || !next.clientSecret)) {
          throw new AppError(
            'UNPROCESSABLE',
            `Incomplete provider config: ${name} needs clientId and clientSecret to be enabled.`,
          );
        }
        if (next.enabled && !project.siteUrl) {
          throw new AppError('UNPROCESSABLE', 'siteUrl required: set the project siteUrl before enabling social login.');
        }
        update[`authProviders.${name}`] = next;
      }
      const updated = await changeProject(deps, scope, update, 'auth');
      return { message: 'Auth providers updated', authProviders: projectView(updated, limits).authProviders };
    },

    async setByod(scope: DashboardScope, body: Byod) {
      const { limits } = scope;
      const projectId = scope.project._id;
      const update: Record<string, unknown> = {};
      if (body.dbUri !== undefined) {
        if (!limits.byomEnabled) throw new AppError('FORBIDDEN', 'External databases (BYOD) are not part of your plan.');
        await assertPublicMongoUri(body.dbUri, outbound);
        await testMongoConnection(body.dbUri, deps.byodConnectTimeoutMs);
        const config = secretBox.encrypt(JSON.stringify({ dbUri: body.dbUri }), projectSecretContext(projectId, 'byod:db'));
        update['resources.db'] = { isExternal: true, config, provider: 'mongodb' };
      }
      if (body.storageProvider !== undefined || body.storageUrl !== undefined || body.s3Bucket !== undefined) {
        if (!limits.byosEnabled) throw new AppError('FORBIDDEN', 'External Storage (BYOS) is a Pro feature.');
        const parsed = parseByodStorageConfig(storageInput(body));
        const target = parsed.provider === 'supabase' ? parsed.url : parsed.endpoint;
        if (target) await assertPublicHttpUrl(target, outbound);
        const config = secretBox.encrypt(JSON.stringify(parsed), projectSecretContext(projectId, 'byod:storage'));
        update['resources.storage'] = { isExternal: true, config, provider: parsed.provider };
      }
      const updated = await changeProject(deps, scope, update, 'byod');
      if (!update['resources.db']) return { message: 'External configuration updated successfully.' };
      await deps.tenants.byod.evict(projectId);
      const warnings = await deps.collections.ensurePhysical(deps.scopeFor(updated, scope.actor));
      return { message: 'External configuration updated successfully.', ...(warnings.length ? { warnings } : {}) };
    },

    /** Checks BYOD settings without saving them: SSRF rules, then a live 5 s connection test for a database URI. */
    async testByod(body: Byod) {
      if (body.dbUri !== undefined) {
        await assertPublicMongoUri(body.dbUri, outbound);
        await testMongoConnection(body.dbUri, deps.byodConnectTimeoutMs);
        return { ok: true, message: 'Connected to the database successfully.' };
      }
      const parsed = parseByodStorageConfig(storageInput(body));
      const target = parsed.provider === 'supabase' ? parsed.url : parsed.endpoint;
      if (target) await assertPublicHttpUrl(target, outbound);
      return { ok: true, message: 'Storage settings are valid.' };
    },

    async deleteByod(scope: DashboardScope, kind: 'db' | 'storage') {
      const update = { [`resources.${kind}`]: { isExternal: false, config: null, provider: null } };
      const updated = await changeProject(deps, scope, update, 'byod');
      if (kind === 'db') {
        await deps.tenants.byod.evict(scope.project._id);
        await deps.collections.ensurePhysical(deps.scopeFor(updated, scope.actor));
      }
      return { message: 'External configuration deleted successfully.' };
    },
  };
}

export type ProjectSettingsService = ReturnType<typeof createProjectSettingsService>;
