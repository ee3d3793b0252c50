import { randomBytes, randomUUID } from 'node:crypto';
import { sha256Hex } from '../crypto/index.js';
import { AppError, unauthenticated } from '../errors/index.js';
import type { UserSessionModel } from '../models/user-session.model.js';

/** Where a session was opened from (recorded on every token of the family). */
export interface SessionClient {
  ip: string;
  userAgent: string;
}

/** A freshly issued refresh token: the raw value is shown to the client once, never stored. */
export interface IssuedRefreshToken {
  refreshToken: string;
  familyId: string;
}

/** One active login of a user, as listed by `GET /api/userAuth/sessions`. */
export interface ActiveSession {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  ip: string;
  userAgent: string;
  method: string;
}

/**
 * How long after a refresh token was first spent it may still be spent again (two tabs or a
 * retried request refreshing at once): each such reuse gets a valid token of the same family and
 * revokes nothing. A reuse after this window revokes the whole family (token theft).
 */
export const REFRESH_REUSE_WINDOW_MS = 10_000;

/** Durable refresh sessions of end users (CONTRACT §7): MongoDB is the source of truth. */
export interface RefreshSessions {
  /** Starts a new family (a login) and returns its first token. */
  create(projectId: string, userId: string, client: SessionClient, method: string): Promise<IssuedRefreshToken>;
  /**
   * Spends `token` and issues the next one of the same family with a fresh expiry (sliding).
   * A token spent again within the reuse window (concurrent refreshes) gets a valid token of its
   * own in the same family (a sibling) and revokes nothing. Throws 401 `Invalid refresh token
   * format` / `Refresh session not found`, 403 `Refresh token does not belong to this project`,
   * and 403 `Refresh token is invalid or already used` for a revoked or expired token and for a
   * reuse after the window; the latter two revoke the whole family.
   */
  rotate(projectId: string, token: string, client: SessionClient): Promise<IssuedRefreshToken & { userId: string }>;
  /** The user of `token` (spent, revoked or live) when it is one of `projectId`'s; null otherwise. */
  ownerOf(projectId: string, token: string): Promise<string | null>;
  /** Revokes the family of `token` if it belongs to `projectId`; false when unknown. Throws 403 for another project. */
  revokeByToken(projectId: string, token: string): Promise<boolean>;
  /** Revokes one family of a user; false when it is not theirs or not active. */
  revokeFamily(projectId: string, userId: string, familyId: string): Promise<boolean>;
  /** Revokes every session of a user (logout-all, password change/reset, deletion); returns how many tokens. */
  revokeAllForUser(projectId: string, userId: string): Promise<number>;
  /** The user's active logins (one entry per family), newest first. */
  listActive(projectId: string, userId: string): Promise<ActiveSession[]>;
}

const FORMAT = /^[0-9a-f-]{36}\.[0-9a-f]{64}$/;

/**
 * Creates the refresh-session service over the `UserSession` model; `ttlMs` is the sliding
 * lifetime, `reuseWindowMs` the reuse window (default {@link REFRESH_REUSE_WINDOW_MS}).
 */
export function createRefreshSessions(options: {
  model: UserSessionModel;
  ttlMs: number;
  reuseWindowMs?: number;
  /** Called after sessions were revoked (`sessionId` null: all of the user's): realtime closes their connections. */
  onRevoke?: (projectId: string, userId: string, sessionId: string | null) => void;
}): RefreshSessions {
  const { model: Session, ttlMs } = options;
  const revoked = (projectId: string, userId: string, sessionId: string | null) =>
    options.onRevoke?.(projectId, userId, sessionId);
  const reuseWindowMs = options.reuseWindowMs ?? REFRESH_REUSE_WINDOW_MS;

  async function insert(
    base: { projectId: string; userId: string; familyId: string; familyCreatedAt: Date; method: string; parentKey: string },
    client: SessionClient,
  ) {
    const refreshToken = `${randomUUID()}.${randomBytes(32).toString('hex')}`;
    const now = new Date();
    await Session.create({
      ...base,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: new Date(now.getTime() + ttlMs),
      lastUsedAt: now,
      ip: client.ip.slice(0, 100),
      userAgent: client.userAgent.slice(0, 500),
    });
    return { refreshToken, familyId: base.familyId };
  }

  async function revokeFamilyId(familyId: string) {
    await Session.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: new Date() } });
  }

  const spent = () => new AppError('FORBIDDEN', 'Refresh token is invalid or already used');
  const otherProject = () => new AppError('FORBIDDEN', 'Refresh token does not belong to this project');

  return {
    create(projectId, userId, client, method) {
      const familyId = randomUUID();
      return insert({ projectId, userId, familyId, familyCreatedAt: new Date(), method, parentKey: `root:${familyId}` }, client);
    },

    async rotate(projectId, token, client) {
      if (!FORMAT.test(token)) throw unauthenticated('Invalid refresh token format');
      const tokenHash = sha256Hex(token);
      const current = await Session.findOne({ tokenHash }).lean();
      if (!current) throw unauthenticated('Refresh session not found');
      if (current.projectId !== projectId) throw otherProject();
      if (current.revokedAt || current.expiresAt.getTime() <= Date.now()) {
        // Use of a revoked or expired token: burn the whole family.
        await revokeFamilyId(current.familyId);
        revoked(projectId, current.userId, current.familyId);
        throw spent();
      }
      const { userId, familyId, familyCreatedAt, method } = current;
      const base = { projectId, userId, familyId, familyCreatedAt, method };
      if (!current.rotatedAt) {
        try {
          // The unique parentKey lets exactly one successor exist: a concurrent use loses here.
          const next = await insert({ ...base, parentKey: tokenHash }, client);
          const now = new Date();
          await Session.updateOne({ tokenHash, rotatedAt: null }, { $set: { rotatedAt: now, lastUsedAt: now } });
          return { ...next, userId };
        } catch (err) {
          if ((err as { code?: number }).code !== 11000) throw err;
        }
      }
      // Spent already (by a concurrent request, or earlier). When it was first spent: its
      // rotatedAt, or, while the winner has not set that yet, when the successor was created.
      const successor = current.rotatedAt ? null : await Session.findOne({ parentKey: tokenHash }).lean();
      const spentAt = current.rotatedAt ?? successor?.createdAt ?? new Date();
      if (Date.now() - spentAt.getTime() > reuseWindowMs) {
        // Replay of a spent token after the reuse window: token theft, burn the whole family.
        await revokeFamilyId(familyId);
        revoked(projectId, userId, familyId);
        throw spent();
      }
      // Within the window (two tabs refreshing at once): a valid sibling in the same family.
      const sibling = await insert({ ...base, parentKey: `reuse:${tokenHash}:${randomUUID()}` }, client);
      return { ...sibling, userId };
    },

    async ownerOf(projectId, token) {
      if (!FORMAT.test(token)) return null;
      const row = await Session.findOne({ tokenHash: sha256Hex(token), projectId }, { userId: 1 }).lean();
      return row?.userId ?? null;
    },

    async revokeByToken(projectId, token) {
      if (!FORMAT.test(token)) return false;
      const existing = await Session.findOne({ tokenHash: sha256Hex(token) }).lean();
      if (!existing) return false;
      if (existing.projectId !== projectId) throw otherProject();
      await revokeFamilyId(existing.familyId);
      revoked(projectId, existing.userId, existing.familyId);
      return true;
    },

    async revokeFamily(projectId, userId, familyId) {
      const res = await Session.updateMany({ projectId, userId, familyId, revokedAt: null }, { $set: { revokedAt: new Date() } });
      if (res.modifiedCount > 0) revoked(projectId, userId, familyId);
      return res.modifiedCount > 0;
    },

    async revokeAllForUser(projectId, userId) {
      const res = await Session.updateMany({ projectId, userId, revokedAt: null }, { $set: { revokedAt: new Date() } });
      revoked(projectId, userId, null);
      return res.modifiedCount;
    },

    async listActive(projectId, userId) {
      const rows = await Session.find({ projectId, userId, rotatedAt: null, revokedAt: null, expiresAt: { $gt: new Date() } })
        .sort({ lastUsedAt: -1 })
        .limit(100)
        .lean();
      // A family may have several live tokens (siblings from concurrent refreshes): list it once.
      const seen = new Set<string>();
      const families = rows.filter((r) => !seen.has(r.familyId) && seen.add(r.familyId));
      return families.map((r) => ({
        id: r.familyId,
        createdAt: r.familyCreatedAt,
        lastUsedAt: r.lastUsedAt,
        expiresAt: r.expiresAt,
        ip: r.ip,
        userAgent: r.userAgent,
        method: r.method,
      }));
    },
  };
}
