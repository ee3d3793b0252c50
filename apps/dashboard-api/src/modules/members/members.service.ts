import { publishProjectChanged } from '@urbackend/common/cache';
import { AppError, badRequest, conflict, notFound } from '@urbackend/common/errors';
import type { Logger } from '@urbackend/common/logger';
import { type Mailer, projectInvitationMail } from '@urbackend/common/mail';
import type { Project, ProjectMember } from '@urbackend/common/models';
import { isWithinLimit } from '@urbackend/common/plans';
import type { Platform } from '@urbackend/common/platform';
import type { Claims } from '@urbackend/common/rate-limit';
import { parseObjectId } from '@urbackend/common/tenant';
import { Types } from 'mongoose';
import type { CurrentDeveloper } from '../../middleware/auth.js';
import { type DashboardScope, roleIn, toDashboardProject } from '../../middleware/project-access.js';

/** Invitations expire after 7 days (addendum §C). */
export const INVITATION_TTL_MS = 7 * 86_400_000;

export type MemberRole = ProjectMember['role'];

/** One entry of the config log (written by the config-log module). */
export interface MemberLogEntry {
  category: 'member';
  label: string;
  diff?: { field: string; from: unknown; to: unknown }[];
}

export interface MembersServiceDeps extends Pick<Platform, 'models' | 'plans' | 'cache' | 'scopeFor'> {
  mailer: Mailer;
  logger: Logger;
  /** The dashboard's base URL (links in invitation mails). */
  dashboardUrl: string;
  /** Durable claims (`auth_claims`): the per-project member lock. */
  claims: Claims;
  /** Records a member change in the project's config log. */
  recordChange(scope: DashboardScope, entry: MemberLogEntry): Promise<void>;
}

type ProjectDoc = Project & { _id: Types.ObjectId };

/** A member change holds the project's lock at most this long (a crashed holder frees it then). */
const LOCK_TTL_MS = 10_000;
/** How long a member change waits for the lock before answering 409. */
const LOCK_WAIT_MS = 5_000;

/**
 * Project members and invitations (addendum §C, minus its bugs): the owner invites existing
 * developers by email (mailed, 7-day expiry), the invitee accepts or declines, the owner changes
 * roles, removes members or transfers the project to an admin. The plan's member limit (owner
 * included) is the OWNER's plan and holds under concurrent accepts: every member change is a
 * compare-and-set on `membersRev`.
 */
export function createMembersService(deps: MembersServiceDeps) {
  const { models, plans } = deps;
  const { Project, Developer, ProjectInvitation } = models;

  /**
   * Applies `change` to the project's member list under the project's member lock (a claim: a
   * unique insert, so exactly one process holds it, on MongoDB and on FerretDB, whose conditional
   * find-and-modify is not atomic), then writes it as a compare-and-set on `membersRev` as well.
   * `change` returns the new list and extra `$set`s, or throws. Returns the updated project.
   */
  async function changeMembers(
    projectId: Types.ObjectId | string,
    change: (doc: ProjectDoc) => Promise<{ members: ProjectMember[]; set?: Record<string, unknown> }>,
  ): Promise<ProjectDoc> {
    const lock = `members:${String(projectId)}`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const left = await deps.claims.take(lock, LOCK_TTL_MS);
      if (left === 0) break;
      if (Date.now() > deadline) throw new AppError('CONFLICT', 'The project members are being changed. Please try again.');
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 10 + Math.random() * 40)));
    }
    try {
      const doc = (await Project.findById(projectId).lean()) as ProjectDoc | null;
      if (!doc) throw notFound('Project not found.');
      const { members, set } = await change(doc);
      const rev = doc.membersRev;
      const updated = (await Project.findOneAndUpdate(
        { _id: doc._id, membersRev: rev === undefined ? { $exists: false } : rev },
        { $set: { members, membersRev: (rev ?? 0) + 1, ...set } },
        { new: true },
      ).lean()) as ProjectDoc | null;
      if (!updated) throw new AppError('CONFLICT', 'The project members changed at the same time. Please try again.');
      return updated;
    } finally {
      await deps.claims.release(lock);
    }
  }

  async function ownerLimits(doc: Pick<Project, 'owner'>) {
    const owner = await Developer.findById(doc.owner).select('plan isAdmin').lean();
    return plans.limitsFor(owner ?? {});
  }

  function memberLimitError(max: number, forInvitee: boolean): AppError {
    const hint = forInvitee
      ? 'Ask the project owner to upgrade their plan or remove a member.'
      : "Upgrade the owner's plan or remove a member to invite more.";
    return new AppError('FORBIDDEN', `Member limit reached (${max} total, owner included). ${hint}`);
  }

  /** Closes a pending invitation: frees its slot so a new one can be issued later. */
  async function close(invitation: { _id: Types.ObjectId; slot: string }, status: 'accepted' | 'declined' | 'revoked') {
    return ProjectInvitation.findOneAndUpdate(
      { _id: invitation._id, status: 'pending' },
      { $set: { status, slot: `${invitation.slot}:${String(invitation._id)}` } },
      { new: true },
    ).lean();
  }

  const slotOf = (projectId: unknown, invitee: unknown) => `${String(projectId)}:${String(invitee)}`;
  const actorOf = (scope: DashboardScope) => {
    if (scope.actor.type !== 'developer') throw new AppError('FORBIDDEN', 'Only developers manage members.');
    return scope.actor;
  };

  return {
    async list(scope: DashboardScope) {
      const doc = (await Project.findById(scope.project._id).select('owner members').lean()) as ProjectDoc | null;
      if (!doc) throw notFound('Project not found.');
      const ids = [doc.owner, ...(doc.members ?? []).map((m) => m.user)];
      const devs = await Developer.find({ _id: { $in: ids } })
        .select('email')
        .lean();
      const emails = new Map(devs.map((d) => [String(d._id), d.email]));
      const owner = { _id: String(doc.owner), email: emails.get(String(doc.owner)) ?? '', name: null, role: 'owner' as const };
      const members = (doc.members ?? []).map((m) => ({
        _id: String(m.user),
        email: emails.get(String(m.user)) ?? '',
        name: null,
        role: m.role,
        addedAt: m.addedAt,
      }));
      return { members: [owner, ...members] };
    },

    async invite(scope: DashboardScope, input: { email: string; role: MemberRole }) {
      const actor = actorOf(scope);
      const email = input.email.trim().toLowerCase();
      if (email === actor.email) throw badRequest('You cannot invite yourself');
      const invitee = await Developer.findOne({ email }).select('email').lean();
      if (!invitee) throw notFound('No urBackend account found with this email address');
      const doc = (await Project.findById(scope.project._id).select('owner members').lean()) as ProjectDoc | null;
      if (!doc) throw notFound('Project not found.');
      if (roleIn(doc, String(invitee._id))) throw conflict('This developer is already a member of this project');
      const { maxMembers } = await ownerLimits(doc);
      if (!isWithinLimit(maxMembers, (doc.members ?? []).length + 1)) throw memberLimitError(maxMembers, false);

      const slot = slotOf(doc._id, invitee._id);
      const stale = await ProjectInvitation.findOne({ slot, status: 'pending', expiresAt: { $lte: new Date() } })
        .select('slot')
        .lean();
      if (stale) await close(stale, 'revoked');
      const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
      let created: { _id: Types.ObjectId };
      try {
        created = await ProjectInvitation.create({
          projectId: doc._id,
          invitee: invitee._id,
          email,
          role: input.role,
          invitedBy: new Types.ObjectId(actor.developerId),
          slot,
          expiresAt,
        });
      } catch (err) {
        if ((err as { code?: number }).code === 11000) throw conflict('A pending invitation already exists for this developer');
        throw err;
      }
      let mailed = true;
      try {
        const mail = projectInvitationMail({
          projectName: scope.project.name,
          invitedBy: actor.email,
          role: input.role,
          expiresAt,
          link: `${deps.dashboardUrl}/invitations`,
        });
        await deps.mailer.send({ to: email, ...mail });
      } catch (err) {
        // The invitation stands (the invitee sees it in the dashboard); the owner is told it was not mailed.
        mailed = false;
        deps.logger.warn({ err, projectId: scope.project._id }, 'invitation mail not sent');
      }
      await deps.recordChange(scope, {
        category: 'member',
        label: `Invited ${email} as ${input.role}`,
        diff: [{ field: `invitations.${email}`, from: null, to: input.role }],
      });
      return { _id: String(created._id), email, role: input.role, expiresAt, mailed };
    },

    /** Pending, unexpired invitations of the project (owner view). */
    async pending(scope: DashboardScope) {
      const items = await ProjectInvitation.find({
        projectId: parseObjectId(scope.project._id),
        status: 'pending',
        expiresAt: { $gt: new Date() },
      })
        .select('email role expiresAt createdAt')
        .sort({ createdAt: -1 })
        .lean();
      return {
        invitations: items.map((i) => ({
          _id: String(i._id),
          email: i.email,
          role: i.role,
          expiresAt: i.expiresAt,
          createdAt: i.createdAt,
        })),
      };
    },

    async revoke(scope: DashboardScope, invitationId: string) {
      const found = await ProjectInvitation.findOne({
        _id: parseObjectId(invitationId),
        projectId: parseObjectId(scope.project._id),
        status: 'pending',
      })
        .select('slot email role')
        .lean();
      if (!found || !(await close(found, 'revoked'))) throw notFound('Invitation not found.');
      await deps.recordChange(scope, {
        category: 'member',
        label: `Invitation of ${found.email} revoked`,
        diff: [{ field: `invitations.${found.email}`, from: found.role, to: null }],
      });
    },

    async changeRole(scope: DashboardScope, memberId: string, role: MemberRole) {
      const actor = actorOf(scope);
      const id = String(parseObjectId(memberId));
      if (id === actor.developerId) throw new AppError('FORBIDDEN', 'You cannot modify your own role');
      let from: MemberRole | undefined;
      await changeMembers(scope.project._id, async (doc) => {
        const member = (doc.members ?? []).find((m) => String(m.user) === id);
        if (!member) throw notFound('Project or member not found');
        from = member.role;
        return { members: doc.members.map((m) => (String(m.user) === id ? { ...m, role } : m)) };
      });
      if (from !== role) {
        const email = (await Developer.findById(id).select('email').lean())?.email ?? id;
        await deps.recordChange(scope, {
          category: 'member',
          label: `Role of ${email} changed to ${role}`,
          diff: [{ field: `members.${email}.role`, from, to: role }],
        });
      }
      return { memberId: id, role };
    },

    async remove(scope: DashboardScope, memberId: string) {
      const actor = actorOf(scope);
      const id = String(parseObjectId(memberId));
      if (id === actor.developerId) throw new AppError('FORBIDDEN', 'You cannot remove yourself');
      await removeMember(scope, id);
    },

    /** A member leaves the project (the owner cannot: transfer or delete it instead). */
    async leave(scope: DashboardScope) {
      const actor = actorOf(scope);
      if (actor.role === 'owner') {
        throw badRequest('The owner cannot leave the project. Transfer ownership to an admin or delete the project.');
      }
      await removeMember(scope, actor.developerId);
    },

    /** Owner → an admin member; the old owner stays as an admin. Confirmed with the project's name. */
    async transfer(scope: DashboardScope, input: { memberId: string; confirm: string }) {
      const actor = actorOf(scope);
      if (input.confirm !== scope.project.name) {
        throw badRequest('Type the project name exactly to confirm the transfer.');
      }
      const id = parseObjectId(input.memberId);
      const next = await Developer.findById(id).select('email isVerified isAdmin plan').lean();
      if (!next) throw notFound('Project or member not found');
      if (!next.isVerified) throw badRequest('The new owner must verify their email first.');
      const { maxProjects } = plans.limitsFor(next);
      const owned = await Project.countDocuments({ owner: id });
      if (!isWithinLimit(maxProjects, owned)) {
        throw new AppError('FORBIDDEN', `${next.email} has reached their plan's project limit (${maxProjects}).`);
      }
      const updated = await changeMembers(scope.project._id, async (doc) => {
        if (String(doc.owner) !== actor.developerId)
          throw new AppError('FORBIDDEN', 'Only the project owner can perform this action.');
        const member = (doc.members ?? []).find((m) => String(m.user) === String(id));
        if (!member) throw notFound('Project or member not found');
        if (member.role !== 'admin')
          throw badRequest('Ownership can only be transferred to an admin member. Promote them first.');
        const members = doc.members.filter((m) => String(m.user) !== String(id));
        members.push({ user: doc.owner, role: 'admin', addedAt: new Date() });
        return { members, set: { owner: id, configVersion: (doc.configVersion ?? 1) + 1 } };
      });
      // The owner's plan sets the project's limits: every public-API process drops its cached copy.
      await publishProjectChanged(
        deps.cache,
        {
          projectId: String(updated._id),
          keyHashes: [updated.publishableKeyHash, updated.secretKeyHash],
          reason: 'owner-transfer',
        },
        deps.logger,
      );
      await deps.recordChange(scope, {
        category: 'member',
        label: `Ownership transferred to ${next.email}`,
        diff: [{ field: 'owner', from: actor.email, to: next.email }],
      });
      return { projectId: String(updated._id), owner: { _id: String(id), email: next.email } };
    },

    /** The developer's pending, unexpired invitations. */
    async mine(dev: CurrentDeveloper) {
      const items = await ProjectInvitation.find({ invitee: dev._id, status: 'pending', expiresAt: { $gt: new Date() } })
        .sort({ createdAt: -1 })
        .lean();
      const projects = await Project.find({ _id: { $in: items.map((i) => i.projectId) } })
        .select('name description')
        .lean();
      const inviters = await Developer.find({ _id: { $in: items.map((i) => i.invitedBy) } })
        .select('email')
        .lean();
      const projectById = new Map(projects.map((p) => [String(p._id), p]));
      const inviterById = new Map(inviters.map((d) => [String(d._id), d]));
      return items
        .filter((i) => projectById.has(String(i.projectId)))
        .map((i) => {
          const p = projectById.get(String(i.projectId));
          return {
            _id: String(i._id),
            project: { _id: String(i.projectId), name: p?.name ?? '', description: p?.description ?? '' },
            invitedBy: { email: inviterById.get(String(i.invitedBy))?.email ?? '', name: null },
            role: i.role,
            expiresAt: i.expiresAt,
            createdAt: i.createdAt,
          };
        });
    },

    async accept(dev: CurrentDeveloper, invitationId: string) {
      const gone = () => notFound('Invitation not found, already used, or expired');
      const invitation = await ProjectInvitation.findOne({
        _id: parseObjectId(invitationId),
        invitee: dev._id,
        status: 'pending',
        expiresAt: { $gt: new Date() },
      }).lean();
      if (!invitation) throw gone();
      let already = false;
      const updated = await changeMembers(invitation.projectId, async (doc) => {
        if (roleIn(doc, dev.id)) {
          already = true;
          return { members: doc.members ?? [] };
        }
        const { maxMembers } = await ownerLimits(doc);
        if (!isWithinLimit(maxMembers, (doc.members ?? []).length + 1, 1)) throw memberLimitError(maxMembers, true);
        return { members: [...(doc.members ?? []), { user: dev._id, role: invitation.role, addedAt: new Date() }] };
      }).catch((err) => {
        if (err instanceof AppError && err.status === 404) throw gone();
        throw err;
      });
      await close(invitation, 'accepted');
      if (already) return { projectId: String(invitation.projectId), role: roleIn(updated, dev.id), already: true };
      const owner = await Developer.findById(updated.owner).select('isVerified isAdmin plan').lean();
      const scope = deps.scopeFor(toDashboardProject(updated, { ...owner, _id: String(updated.owner) }), {
        type: 'developer',
        developerId: dev.id,
        email: dev.email,
        role: invitation.role,
        via: dev.via,
      }) as DashboardScope;
      await deps.recordChange(scope, {
        category: 'member',
        label: `${dev.email} joined as ${invitation.role}`,
        diff: [{ field: `members.${dev.email}`, from: null, to: invitation.role }],
      });
      return { projectId: String(invitation.projectId), role: invitation.role, already: false };
    },

    /**
     * A deleted developer leaves every project they were a member of; their invitations and
     * personal access tokens go too (their own projects are deleted by the account deletion).
     */
    async forgetDeveloper(developerId: Types.ObjectId): Promise<void> {
      const projects = await Project.find({ 'members.user': developerId }).select('_id').lean();
      for (const p of projects) {
        await changeMembers(p._id, async (doc) => ({
          members: (doc.members ?? []).filter((m) => String(m.user) !== String(developerId)),
        }));
      }
      await ProjectInvitation.deleteMany({ invitee: developerId });
      await models.PersonalAccessToken.deleteMany({ developer: developerId });
    },

    async decline(dev: CurrentDeveloper, invitationId: string) {
      const invitation = await ProjectInvitation.findOne({
        _id: parseObjectId(invitationId),
        invitee: dev._id,
        status: 'pending',
      })
        .select('slot')
        .lean();
      if (!invitation || !(await close(invitation, 'declined'))) {
        throw notFound('Invitation not found, already used, or expired');
      }
    },
  };

  async function removeMember(scope: DashboardScope, id: string) {
    let removed: ProjectMember | undefined;
    await changeMembers(scope.project._id, async (doc) => {
      removed = (doc.members ?? []).find((m) => String(m.user) === id);
      if (!removed) throw notFound('Member not found in this project');
      return { members: doc.members.filter((m) => String(m.user) !== id) };
    });
    // Pending invitations of the removed developer go too.
    const pending = await ProjectInvitation.find({
      projectId: parseObjectId(scope.project._id),
      invitee: parseObjectId(id),
      status: 'pending',
    })
      .select('slot')
      .lean();
    for (const inv of pending) await close(inv, 'revoked');
    const email = (await Developer.findById(id).select('email').lean())?.email ?? id;
    await deps.recordChange(scope, {
      category: 'member',
      label: `${email} removed from the project`,
      diff: [{ field: `members.${email}`, from: removed?.role, to: null }],
    });
  }
}

export type MembersService = ReturnType<typeof createMembersService>;
