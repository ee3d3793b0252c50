import { type Connection, type Model, Schema } from 'mongoose';

/** Who may create a developer account (`POST /api/auth/register`). */
export const REGISTRATION_MODES = ['open', 'invite-only', 'closed'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

/** The id of the single platform settings document. */
export const PLATFORM_SETTINGS_ID = 'platform';

/**
 * Platform-wide settings changed by the admin at run time (one document, `_id: 'platform'`).
 * A null field means "not set here": the server's environment default applies.
 */
export interface PlatformSettings {
  _id: string;
  registrationMode: RegistrationMode | null;
  updatedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const platformSettingsSchema = new Schema<PlatformSettings>(
  {
    _id: { type: String, required: true },
    registrationMode: { type: String, enum: [...REGISTRATION_MODES, null], default: null },
    updatedBy: { type: String, default: null },
  },
  { timestamps: true, collection: 'platform_settings' },
);

export type PlatformSettingsModel = Model<PlatformSettings>;

/** Registers (or returns) the PlatformSettings model on a connection. */
export function platformSettingsModel(connection: Connection): PlatformSettingsModel {
  return (
    (connection.models.PlatformSettings as PlatformSettingsModel | undefined) ??
    connection.model<PlatformSettings>('PlatformSettings', platformSettingsSchema)
  );
}
