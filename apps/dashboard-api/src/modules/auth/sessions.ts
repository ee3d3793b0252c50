import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex } from '@urbackend/common/crypto';
import { unauthenticated } from '@urbackend/common/errors';
import type { DeveloperSessionModel } from '@urbackend/common/models';
import type { Types } from 'mongoose';

/** A token replayed this soon after its rotation is refused without revoking its family. */
export const REUSE_GRACE_MS = 3000;

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
   * Exchanges a refresh token for a new one. Unknown, expired or revoked → 401. A token that was
   * already exchanged (reuse) revokes its whole family → 401.
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
      const now = new Date();
      // Claim the token atomically: only one request can exchange it.
      const claimed = await DeveloperSession.findOneAndUpdate(
        { tokenHash: sha256Hex(token), rotatedAt: null, revokedAt: null },
        { $set: { rotatedAt: now, lastUsedAt: now } },
      ).lean();
      if (!claimed) {
        const known = await DeveloperSession.findOne({ tokenHash: sha256Hex(token) }).lean();
        // Reuse of a spent or revoked token burns the family, except a replay within a few
        // seconds of its rotation (two tabs refreshing at once), which just fails.
        const racing = known?.rotatedAt && now.getTime() - known.rotatedAt.getTime() < REUSE_GRACE_MS && !known.revokedAt;
        if (known && !racing) await revokeFamily(known.familyId);
        throw invalid();
      }
      if (claimed.expiresAt <= now) throw invalid();
      const refresh = await issue(claimed.developerId, claimed.familyId, ctx);
      return { developerId: String(claimed.developerId), refresh };
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
