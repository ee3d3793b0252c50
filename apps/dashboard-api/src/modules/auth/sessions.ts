import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex } from '@urbackend/common/crypto';
import { unauthenticated } from '@urbackend/common/errors';
import type { DeveloperSessionModel } from '@urbackend/common/models';
import type { Types } from 'mongoose';

/**
 * How long after a refresh token was first exchanged it may be exchanged again (two tabs, or a
 * retried request, refreshing at once): each such reuse gets a valid token of the same family and
 * revokes nothing. A reuse after this window revokes the whole family.
 */
export const REUSE_WINDOW_MS = 10_000;

export interface SessionContext {
  ip: string;
  userAgent: string;
}

export interface IssuedRefresh {
  token: string;
  familyId: string;
  expiresAt: Date;
}

/** Developer refresh sessions: opaque tokens stored as SHA-256, single use, families revoked on reuse. */
export interface DeveloperSessions {
  /** Starts a new family (login, OTP verification). */
  start(developerId: Types.ObjectId | string, ctx: SessionContext): Promise<IssuedRefresh>;
  /**
   * Exchanges a refresh token for a new one of the same family. Unknown, expired or revoked → 401.
   * A token exchanged again within {@link REUSE_WINDOW_MS} of its first exchange gets another
   * valid token of the family (a sibling); after the window the reuse revokes the family → 401.
   */
  rotate(token: string, ctx: SessionContext): Promise<{ developerId: string; refresh: IssuedRefresh }>;
  /** Revokes the family of `token` (logout); unknown tokens are ignored. */
  revokeByToken(token: string): Promise<void>;
  /** Revokes every session of a developer, except the family of `keepToken` when given. */
  revokeAll(developerId: Types.ObjectId | string, keepToken?: string): Promise<void>;
}

/** Creates the developer session service over the DeveloperSession model. */
export function createDeveloperSessions(DeveloperSession: DeveloperSessionModel, ttlMs: number): DeveloperSessions {
  async function issue(developerId: Types.ObjectId | string, familyId: string, ctx: SessionContext): Promise<IssuedRefresh> {
    const token = randomToken(32);
    const expiresAt = new Date(Date.now() + ttlMs);
    await DeveloperSession.create({
      developerId,
      familyId,
      tokenHash: sha256Hex(token),
      expiresAt,
      ip: ctx.ip.slice(0, 100),
      userAgent: ctx.userAgent.slice(0, 300),
    });
    return { token, familyId, expiresAt };
  }

  async function revokeFamily(familyId: string): Promise<void> {
    await DeveloperSession.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: new Date() } });
  }

  return {
    start: (developerId, ctx) => issue(developerId, randomUUID(), ctx),

    async rotate(token, ctx) {
      const invalid = () => unauthenticated('Invalid or expired refresh token. Please log in again.');
      const tokenHash = sha256Hex(token);
      const known = await DeveloperSession.findOne({ tokenHash }).lean();
      const now = new Date();
      if (!known || known.revokedAt || known.expiresAt <= now) throw invalid();
      if (known.rotatedAt && now.getTime() - known.rotatedAt.getTime() > REUSE_WINDOW_MS) {
        // Reuse of a token exchanged earlier: token theft, burn the whole family.
        await revokeFamily(known.familyId);
        throw invalid();
      }
      // First exchange, or a reuse within the window (concurrent refreshes): both get a token.
      // No atomic claim is needed (FerretDB has none): concurrent first exchanges all fall within
      // the window; the window counts from rotatedAt, set by the first one (or, on FerretDB, by
      // one of several racing first exchanges, milliseconds apart).
      if (!known.rotatedAt) {
        await DeveloperSession.updateOne({ _id: known._id, rotatedAt: null }, { $set: { rotatedAt: now, lastUsedAt: now } });
      }
      const refresh = await issue(known.developerId, known.familyId, ctx);
      return { developerId: String(known.developerId), refresh };
    },

    async revokeByToken(token) {
      const known = await DeveloperSession.findOne({ tokenHash: sha256Hex(token) }).lean();
      if (known) await revokeFamily(known.familyId);
    },

    async revokeAll(developerId, keepToken) {
      let keepFamily: string | null = null;
      if (keepToken) {
        const known = await DeveloperSession.findOne({ tokenHash: sha256Hex(keepToken), developerId }).lean();
        keepFamily = known?.familyId ?? null;
      }
      const filter: Record<string, unknown> = { developerId, revokedAt: null };
      if (keepFamily) filter.familyId = { $ne: keepFamily };
      await DeveloperSession.updateMany(filter, { $set: { revokedAt: new Date() } });
    },
  };
}
