import { type Connection, type Model, Schema, type Types } from 'mongoose';

/** The platform admin actions that are recorded (`GET /api/admin/audit-log`). */
export const ADMIN_AUDIT_ACTIONS = [
  'developer.plan',
  'developer.disable',
  'developer.enable',
  'developer.delete',
  'project.limits',
  'registration.mode',
  'invite-code.create',
  'invite-code.revoke',
] as const;

export type AdminAuditAction = (typeof ADMIN_AUDIT_ACTIONS)[number];

/** What an admin action was applied to (`label`: an email, a project name, a code suffix). */
export interface AdminAuditTarget {
  type: 'developer' | 'project' | 'registration' | 'invite-code';
  id: string | null;
  label: string;
}

/** One platform admin action: who, what, on what, with which details, when. */
export interface AdminAudit {
  adminId: Types.ObjectId;
  adminEmail: string;
  action: AdminAuditAction;
  target: AdminAuditTarget;
  details: Record<string, unknown>;
  at: Date;
}

const targetSchema = new Schema<AdminAuditTarget>(
  { type: { type: String, required: true }, id: { type: String, default: null }, label: { type: String, default: '' } },
  { _id: false },
);

export const adminAuditSchema = new Schema<AdminAudit>(
  {
    adminId: { type: Schema.Types.ObjectId, required: true },
    adminEmail: { type: String, required: true },
    action: { type: String, enum: ADMIN_AUDIT_ACTIONS, required: true },
    target: { type: targetSchema, required: true },
    details: { type: Schema.Types.Mixed, default: {} },
    at: { type: Date, default: () => new Date() },
  },
  { collection: 'admin_audit_log', versionKey: false, minimize: false },
);
adminAuditSchema.index({ at: -1 });

export type AdminAuditModel = Model<AdminAudit>;

/** Registers (or returns) the AdminAudit model on a connection. */
export function adminAuditModel(connection: Connection): AdminAuditModel {
  return (
    (connection.models.AdminAudit as AdminAuditModel | undefined) ?? connection.model<AdminAudit>('AdminAudit', adminAuditSchema)
  );
}
