import { randomBytes } from 'node:crypto';
import { sha256Hex } from '@urbackend/common/crypto';
import { AppError, notFound } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import type { PersonalAccessTokenModel } from '@urbackend/common/models';
import { parseObjectId } from '@urbackend/common/tenant';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper, requireVerified } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';

/** Active tokens one developer may hold. */
export const MAX_PATS_PER_DEVELOPER = 50;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of `bytes` random bytes (43 characters for 32 bytes). */
function randomBase62(bytes: number): string {
  let n = BigInt(`0x${randomBytes(bytes).toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(43, '0');
}

const createBody = z.object({
  label: z
    .string({ required_error: 'Token label is required.' })
    .trim()
    .min(1, 'Token label is required.')
    .max(100, 'Token label is at most 100 characters.'),
  type: z.enum(['human', 'agent']).default('human'),
  scopes: z
    .array(
      z.enum(['api:all', 'api:read'], {
        errorMap: () => ({ message: "Scopes are 'api:all' (full access) or 'api:read' (read-only)." }),
      }),
      {
        required_error: 'At least one scope must be explicitly selected.',
      },
    )
    .min(1, 'At least one scope must be explicitly selected.'),
  ttlDays: z.coerce
    .number({ invalid_type_error: 'Token TTL must be between 1 and 365 days.' })
    .int('Token TTL must be between 1 and 365 days.')
    .min(1, 'Token TTL must be between 1 and 365 days.')
    .max(365, 'Token TTL must be between 1 and 365 days.')
    .default(30),
});
const idParams = z.object({ id: z.string() });

export interface PatsRouterDeps {
  PersonalAccessToken: PersonalAccessTokenModel;
  /** Dashboard session only: a token never creates, lists or revokes tokens. */
  requireDeveloper: RequestHandler;
  /** Session or token (the CLI's `whoami`). */
  requireDeveloperOrPat: RequestHandler;
  /** `live` tokens in production, `test` elsewhere. */
  isProduction: boolean;
}

/**
 * `/api/user`: personal access tokens (addendum §B) and the CLI's profile route. Tokens are shown
 * once and stored as SHA-256 hashes; scopes are enforced by the developer guard.
 */
export function createPatsRouter(deps: PatsRouterDeps): Router {
  const { PersonalAccessToken } = deps;
  const session = guardedRouter([deps.requireDeveloper]);

  session.post('/pats', requireVerified, async (req, res) => {
    const dev = currentDeveloper(res);
    const body = parse(createBody, req.body ?? {});
    const active = await PersonalAccessToken.countDocuments({ developer: dev._id, expiresAt: { $gt: new Date() } });
    if (active >= MAX_PATS_PER_DEVELOPER) {
      throw new AppError('FORBIDDEN', `You already have ${MAX_PATS_PER_DEVELOPER} active tokens. Revoke one first.`);
    }
    const body62 = randomBase62(32);
    const rawToken = `ubpat_${deps.isProduction ? 'live' : 'test'}_${body62}`;
    const scopes = [...new Set(body.scopes)];
    const created = await PersonalAccessToken.create({
      developer: dev._id,
      tokenHash: sha256Hex(rawToken),
      suffix: body62.slice(-4),
      label: body.label,
      type: body.type,
      scopes,
      expiresAt: new Date(Date.now() + body.ttlDays * 86_400_000),
    });
    res.status(201).json({
      success: true,
      data: {
        rawToken,
        pat: {
          id: String(created._id),
          suffix: created.suffix,
          label: created.label,
          type: created.type,
          scopes,
          expiresAt: created.expiresAt,
        },
      },
      message: 'Token created successfully. Store this token now. You will not be able to see it again.',
    });
  });

  session.get('/pats', async (_req, res) => {
    const items = await PersonalAccessToken.find({ developer: currentDeveloper(res)._id })
      .sort({ createdAt: -1 })
      .lean();
    const now = Date.now();
    const pats = items.map((p) => ({
      id: String(p._id),
      suffix: p.suffix,
      label: p.label,
      type: p.type,
      scopes: p.scopes,
      createdAt: p.createdAt,
      expiresAt: p.expiresAt,
      expired: p.expiresAt.getTime() <= now,
      lastUsedAt: p.lastUsedAt,
      lastUsedIp: p.lastUsedIp,
    }));
    res.json({ success: true, data: { pats }, message: '' });
  });

  session.delete('/pats/:id', async (req, res) => {
    const _id = parseObjectId(parse(idParams, req.params).id);
    const removed = await PersonalAccessToken.deleteOne({ _id, developer: currentDeveloper(res)._id });
    if (removed.deletedCount === 0) throw notFound('Token not found');
    res.json({ success: true, data: {}, message: 'Token revoked successfully' });
  });

  session.router.get('/cli/me', deps.requireDeveloperOrPat, async (_req, res) => {
    const dev = currentDeveloper(res);
    res.json({
      success: true,
      data: {
        developer: { id: dev.id, email: dev.email, plan: dev.plan, githubUsername: null, avatarUrl: null },
        auth: { scopes: dev.scopes ?? ['api:all'], tokenType: dev.via === 'pat' ? (dev.patType ?? 'human') : 'session' },
      },
      message: 'Success',
    });
  });
  return session.router;
}
