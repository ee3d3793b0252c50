import type { Types } from 'mongoose';
import { AppError, conflict, notFound } from '../errors/index.js';
import type { MailTemplate, MailTemplateModel } from '../models/mail-template.model.js';
import { parseObjectId } from '../tenant/object-id.js';
import type { MailTemplateCreateInput, MailTemplateUpdateInput } from './schemas.js';

type Lean = MailTemplate & { _id: Types.ObjectId };

const summary = (t: Lean) => ({ id: String(t._id), key: t.key, name: t.name, subject: t.subject, updatedAt: t.updatedAt });
const full = (t: Lean) => ({
  ...summary(t),
  html: t.html,
  text: t.text,
  scope: t.projectId ? 'project' : 'global',
  isSystem: t.isSystem,
});

/** Looks templates up for sending: project first, then global system ones. */
export async function findTemplate(
  model: MailTemplateModel,
  projectId: string,
  ref: { id?: string; name?: string },
): Promise<Lean | null> {
  if (ref.id) {
    return model.findOne({ _id: ref.id, $or: [{ projectId }, { projectId: null }] }).lean<Lean>();
  }
  const name = (ref.name ?? '').trim().toLowerCase();
  const byProject = await model.findOne({ projectId, $or: [{ key: name }, { nameLower: name }] }).lean<Lean>();
  return byProject ?? model.findOne({ projectId: null, isSystem: true, $or: [{ key: name }, { nameLower: name }] }).lean<Lean>();
}

/** Mail template administration for the dashboard (reference §6.2; system templates read-only). */
export type MailTemplatesService = ReturnType<typeof createMailTemplatesService>;

/** Creates the template admin service. */
export function createMailTemplatesService(model: MailTemplateModel) {
  async function getOwn(projectId: string, id: string): Promise<Lean> {
    const t = await model.findOne({ _id: parseObjectId(id), $or: [{ projectId }, { projectId: null }] }).lean<Lean>();
    if (!t) throw notFound('Mail template not found.');
    return t;
  }

  async function assertFree(projectId: string, key: string | undefined, name: string | undefined, exceptId?: string) {
    const or: Record<string, string>[] = [];
    if (key) or.push({ key });
    if (name) or.push({ nameLower: name.trim().toLowerCase() });
    if (!or.length) return;
    const clash = await model.findOne({ projectId, $or: or, ...(exceptId ? { _id: { $ne: exceptId } } : {}) }).lean();
    if (clash) throw conflict('A mail template with this name or key already exists.');
  }

  return {
    async list(projectId: string) {
      const rows = await model.find({ projectId }).sort({ updatedAt: -1 }).lean<Lean[]>();
      return { templates: rows.map(summary) };
    },
    async listGlobal() {
      const rows = await model.find({ projectId: null, isSystem: true }).sort({ key: 1 }).lean<Lean[]>();
      return { templates: rows.map((t) => ({ ...summary(t), scope: 'global' })) };
    },
    async get(projectId: string, id: string) {
      return { template: full(await getOwn(projectId, id)) };
    },
    async create(projectId: string, input: MailTemplateCreateInput) {
      await assertFree(projectId, input.key, input.name);
      const doc = await model.create({
        projectId,
        ...input,
        nameLower: input.name.toLowerCase(),
        html: input.html ?? '',
        text: input.text ?? '',
      });
      return { template: summary(doc.toObject() as Lean) };
    },
    async update(projectId: string, id: string, input: MailTemplateUpdateInput) {
      const current = await getOwn(projectId, id);
      if (!current.projectId) throw new AppError('FORBIDDEN', 'System templates cannot be edited.');
      await assertFree(projectId, input.key, input.name, id);
      const set: Record<string, unknown> = { ...input };
      if (input.name) set.nameLower = input.name.toLowerCase();
      const next = await model
        .findOneAndUpdate({ _id: id, projectId }, { $set: set }, { new: true, runValidators: true })
        .lean<Lean>();
      if (!next) throw notFound('Mail template not found.');
      return { template: summary(next) };
    },
    async remove(projectId: string, id: string): Promise<void> {
      const current = await getOwn(projectId, id);
      if (!current.projectId) throw new AppError('FORBIDDEN', 'System templates cannot be deleted.');
      await model.deleteOne({ _id: id, projectId });
    },
    async removeAll(projectId: string): Promise<void> {
      await model.deleteMany({ projectId });
    },
  };
}
