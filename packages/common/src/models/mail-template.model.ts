import { type Connection, type Model, Schema, type Types } from 'mongoose';

/** A mail template: a project's own (`projectId` set) or a global system one (`projectId` null). */
export interface MailTemplate {
  projectId: Types.ObjectId | null;
  /** Slug, unique per project (lower-case). */
  key: string;
  name: string;
  /** Lower-cased name, unique per project. */
  nameLower: string;
  subject: string;
  html: string;
  text: string;
  isSystem: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const mailTemplateSchema = new Schema<MailTemplate>(
  {
    projectId: { type: Schema.Types.ObjectId, default: null },
    key: { type: String, required: true, trim: true, lowercase: true, maxlength: 100 },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    nameLower: { type: String, required: true },
    subject: { type: String, default: '', maxlength: 200 },
    html: { type: String, default: '' },
    text: { type: String, default: '' },
    isSystem: { type: Boolean, default: false },
  },
  { timestamps: true, collection: 'mailtemplates' },
);
mailTemplateSchema.pre('validate', function setLower() {
  if (typeof this.name === 'string') this.nameLower = this.name.trim().toLowerCase();
});
mailTemplateSchema.index({ projectId: 1, key: 1 }, { unique: true });
mailTemplateSchema.index({ projectId: 1, nameLower: 1 }, { unique: true });

export type MailTemplateModel = Model<MailTemplate>;

/** Registers (or returns) the MailTemplate model on a connection. */
export function mailTemplateModel(connection: Connection): MailTemplateModel {
  return (
    (connection.models.MailTemplate as MailTemplateModel | undefined) ??
    connection.model<MailTemplate>('MailTemplate', mailTemplateSchema)
  );
}
