import { parse } from '@urbackend/common/http';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper, requireVerified } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';
import type { MembersService } from './members.service.js';

const roleField = z.enum(['admin', 'viewer'], { errorMap: () => ({ message: "Role must be 'admin' or 'viewer'" }) });
const inviteBody = z.object({
  email: z
    .string({ required_error: 'A valid email address is required' })
    .trim()
    .email('A valid email address is required')
    .max(254),
  role: roleField.default('admin'),
});
const roleBody = z.object({ role: roleField });
const transferBody = z.object({
  memberId: z.string({ required_error: 'memberId is required' }),
  confirm: z.string({ required_error: 'Type the project name to confirm the transfer.' }),
});
const memberParams = z.object({ memberId: z.string() });
const invitationParams = z.object({ invitationId: z.string() });
const idParams = z.object({ id: z.string() });

/** `/api/projects/:projectId` member routes (addendum §C): list, invite, roles, remove, leave, transfer. */
export function createMembersRouter(deps: {
  members: MembersService;
  access: (action: ProjectAction) => RequestHandler[];
}): Router {
  const { members, access } = deps;
  const r = guardedRouter([], { mergeParams: true });
  const scope = dashboardScope;
  r.get('/members', ...access('read'), async (req, res) => {
    res.json({ success: true, data: await members.list(scope(req)), message: 'Project members retrieved.' });
  });
  r.post('/members/invite', ...access('owner'), async (req, res) => {
    const data = await members.invite(scope(req), parse(inviteBody, req.body));
    const note = data.mailed ? '' : ' (the email could not be sent; they will see it in their dashboard)';
    res.status(201).json({ success: true, data, message: `Invitation sent to ${data.email}${note}` });
  });
  r.get('/invitations', ...access('owner'), async (req, res) => {
    res.json({ success: true, data: await members.pending(scope(req)), message: '' });
  });
  r.delete('/invitations/:invitationId', ...access('owner'), async (req, res) => {
    await members.revoke(scope(req), parse(invitationParams, req.params).invitationId);
    res.json({ success: true, data: {}, message: 'Invitation revoked' });
  });
  r.patch('/members/:memberId/role', ...access('owner'), async (req, res) => {
    const { memberId } = parse(memberParams, req.params);
    const data = await members.changeRole(scope(req), memberId, parse(roleBody, req.body).role);
    res.json({ success: true, data, message: 'Member role updated' });
  });
  r.delete('/members/:memberId', ...access('owner'), async (req, res) => {
    await members.remove(scope(req), parse(memberParams, req.params).memberId);
    res.json({ success: true, data: {}, message: 'Member removed from project' });
  });
  r.post('/leave', ...access('read'), async (req, res) => {
    await members.leave(scope(req));
    res.json({ success: true, data: {}, message: 'You left the project' });
  });
  r.post('/transfer', ...access('owner'), async (req, res) => {
    const data = await members.transfer(scope(req), parse(transferBody, req.body));
    res.json({ success: true, data, message: `Ownership transferred to ${data.owner.email}` });
  });
  return r.router;
}

/** `/api/invitations`: the logged-in developer's pending invitations (session only). */
export function createInvitationsRouter(deps: { members: MembersService; requireDeveloper: RequestHandler }): Router {
  const { members } = deps;
  const r = guardedRouter([deps.requireDeveloper]);
  r.get('/', async (_req, res) => {
    res.json({ success: true, data: await members.mine(currentDeveloper(res)), message: '' });
  });
  r.post('/:id/accept', requireVerified, async (req, res) => {
    const data = await members.accept(currentDeveloper(res), parse(idParams, req.params).id);
    const message = data.already
      ? 'You are already a member of this project'
      : 'Invitation accepted — you are now a member of the project';
    res.json({ success: true, data: { projectId: data.projectId, role: data.role }, message });
  });
  r.post('/:id/decline', async (req, res) => {
    await members.decline(currentDeveloper(res), parse(idParams, req.params).id);
    res.json({ success: true, data: {}, message: 'Invitation declined' });
  });
  return r.router;
}
