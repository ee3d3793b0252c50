import { randomToken, sha256Hex } from '@urbackend/common/crypto';
import { AppError, badRequest, forbidden, notFound } from '@urbackend/common/errors';
import {
  type InviteCode,
  type InviteCodeModel,
  type InviteCodeUseModel,
  PLATFORM_SETTINGS_ID,
  type PlatformSettingsModel,
  type RegistrationMode,
} from '@urbackend/common/models';
import type { Types } from 'mongoose';

export const REGISTRATION_CLOSED = 'Registration is closed on this server. Ask the administrator for an account.';
export const INVITE_CODE_REQUIRED =
  'Registration on this server is by invitation only: an invite code (inviteCode) from the administrator is required.';

const DAY_MS = 86_400_000;
/** An invite code: `inv_` + 18 random bytes (base64url). */
const newCode = () => `inv_${randomToken(18)}`;

/** An invite code as the admin lists it (never the code itself: only its last characters). */
export interface InviteCodeView {
  _id: string;
  suffix: string;
  maxUses: number;
  uses: number;
  remaining: number;
  usedBy: string[];
  expiresAt: Date;
  note: string;
  createdByEmail: string;
  createdAt: Date;
  revokedAt: Date | null;
  status: 'active' | 'expired' | 'used' | 'revoked';
}

type InviteDoc = InviteCode & { _id: unknown };

function viewOf(doc: InviteDoc, usedBy: string[], now = Date.now()): InviteCodeView {
  const remaining = Math.max(0, doc.maxUses - usedBy.length);
  const status = doc.revokedAt
    ? 'revoked'
    : remaining <= 0
      ? 'used'
      : new Date(doc.expiresAt).getTime() <= now
        ? 'expired'
        : 'active';
  return {
    _id: String(doc._id),
    suffix: doc.suffix,
    maxUses: doc.maxUses,
    uses: usedBy.length,
    remaining,
    usedBy,
    expiresAt: doc.expiresAt,
    note: doc.note ?? '',
    createdByEmail: doc.createdByEmail ?? '',
    createdAt: doc.createdAt,
    revokedAt: doc.revokedAt ?? null,
    status,
  };
}

/** A use of an invite code taken by a registration; `refund` gives it back when the account was not created. */
export interface Admission {
  refund(): Promise<void>;
}

export interface Registration {
  /** The effective mode: the admin's setting, else the environment default. */
  mode(): Promise<RegistrationMode>;
  setMode(mode: RegistrationMode, adminEmail: string): Promise<{ from: RegistrationMode; to: RegistrationMode }>;
  /**
   * The gate of one registration under the current mode: 403 when closed; in `invite-only` 400
   * without a code. `admit(email)` then takes one use of the code (403 for an unknown, revoked,
   * expired or used-up code): a free slot `1..maxUses` inserted on a unique index, so exactly
   * `maxUses` registrations succeed even when they race (FerretDB's find-and-modify is not atomic).
   */
  gate(inviteCode: string | undefined): Promise<{ admit(email: string): Promise<Admission> }>;
  /** Issues a code: the raw code is returned here only (it is stored hashed). */
  issue(input: {
    maxUses: number;
    expiresInDays: number;
    note?: string;
    admin: { _id: Types.ObjectId; email: string };
  }): Promise<{ code: string; invite: InviteCodeView }>;
  list(): Promise<InviteCodeView[]>;
  /** Revokes a code (it stays listed as `revoked`); 404 unknown. */
  revoke(id: Types.ObjectId): Promise<InviteCodeView>;
}

export interface RegistrationDeps {
  PlatformSettings: PlatformSettingsModel;
  InviteCode: InviteCodeModel;
  InviteCodeUse: InviteCodeUseModel;
  /** `REGISTRATION_MODE`: the mode until the admin sets one. */
  defaultMode: RegistrationMode;
}

/** Registration mode (platform settings document) and admin-issued invite codes. */
export function createRegistration(deps: RegistrationDeps): Registration {
  const { PlatformSettings, InviteCode, InviteCodeUse } = deps;

  async function mode(): Promise<RegistrationMode> {
    const settings = await PlatformSettings.findById(PLATFORM_SETTINGS_ID).lean();
    return settings?.registrationMode ?? deps.defaultMode;
  }

  /** Emails that used each code, oldest first. */
  async function usesOf(codeIds: unknown[]): Promise<Map<string, string[]>> {
    const uses = codeIds.length
      ? await InviteCodeUse.find({ codeId: { $in: codeIds } })
          .sort({ at: 1, _id: 1 })
          .lean()
      : [];
    const byCode = new Map<string, string[]>();
    for (const u of uses) byCode.set(String(u.codeId), [...(byCode.get(String(u.codeId)) ?? []), u.email]);
    return byCode;
  }

  /**
   * Takes the lowest free slot (1..`maxUses`) of a code: an insert on the unique `{codeId, slot}`
   * index, so concurrent registrations never share a slot; null when every slot is taken.
   */
  async function takeSlot(code: InviteDoc, email: string): Promise<unknown | null> {
    const taken = new Set((await InviteCodeUse.find({ codeId: code._id }).select('slot').lean()).map((u) => u.slot));
    for (let slot = 1; slot <= code.maxUses; slot++) {
      if (taken.has(slot)) continue;
      try {
        const use = await InviteCodeUse.create({ codeId: code._id, slot, email, at: new Date() });
        return use._id;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    }
    return null;
  }

  return {
    mode,

    async setMode(next, adminEmail) {
      const from = await mode();
      await PlatformSettings.updateOne(
        { _id: PLATFORM_SETTINGS_ID },
        { $set: { registrationMode: next, updatedBy: adminEmail } },
        { upsert: true },
      );
      return { from, to: next };
    },

    async gate(inviteCode) {
      const current = await mode();
      if (current === 'closed') throw new AppError('FORBIDDEN', REGISTRATION_CLOSED);
      if (current === 'open') return { admit: async () => ({ refund: async () => undefined }) };
      const code = inviteCode?.trim();
      if (!code) throw badRequest(INVITE_CODE_REQUIRED);
      const codeHash = sha256Hex(code);
      return {
        async admit(email) {
          const doc = await InviteCode.findOne({ codeHash }).lean();
          if (!doc || doc.revokedAt) {
            throw forbidden('Invalid invite code. Check the code or ask the administrator for a new one.');
          }
          if (doc.expiresAt.getTime() <= Date.now())
            throw forbidden('This invite code has expired. Ask the administrator for a new one.');
          const useId = await takeSlot(doc, email);
          if (!useId) throw forbidden('This invite code has already been used the maximum number of times.');
          return {
            async refund() {
              await InviteCodeUse.deleteOne({ _id: useId });
            },
          };
        },
      };
    },

    async issue({ maxUses, expiresInDays, note, admin }) {
      const code = newCode();
      const doc = await InviteCode.create({
        codeHash: sha256Hex(code),
        suffix: code.slice(-4),
        maxUses,
        expiresAt: new Date(Date.now() + expiresInDays * DAY_MS),
        note: note ?? '',
        createdBy: admin._id,
        createdByEmail: admin.email,
      });
      return { code, invite: viewOf(doc.toObject(), []) };
    },

    async list() {
      const docs = await InviteCode.find().sort({ createdAt: -1, _id: -1 }).limit(500).lean();
      const uses = await usesOf(docs.map((d) => d._id));
      const now = Date.now();
      return docs.map((d) => viewOf(d, uses.get(String(d._id)) ?? [], now));
    },

    async revoke(id) {
      await InviteCode.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: new Date() } });
      const doc = await InviteCode.findById(id).lean();
      if (!doc) throw notFound('Invite code not found.');
      return viewOf(doc, (await usesOf([doc._id])).get(String(doc._id)) ?? []);
    },
  };
}
