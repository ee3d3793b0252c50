import type { EndUserAdmin } from '@urbackend/common/end-users';
import { parse } from '@urbackend/common/http';
import { isPlainObject } from '@urbackend/common/validation';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { guardedRouter } from '../../middleware/guarded-router.js';
import { type ProjectAction, dashboardScope } from '../../middleware/project-access.js';

const userParams = z.object({ userId: z.string() });
const sessionParams = userParams.extend({ tokenId: z.string().min(1).max(100) });
const listQuery = z.object({
  search: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
// z.custom keeps the body as sent (z.record would drop an own `__proto__` key); validateDocument refuses bad keys.
const objectBody = z.custom<Record<string, unknown>>(isPlainObject, { message: 'Request body must be a JSON object.' });
const passwordBody = z.object({ newPassword: z.string().min(6, 'newPassword must be at least 6 characters').max(100) });
const statusBody = z.object({ disabled: z.boolean({ required_error: 'disabled (true or false) is required' }) });

/** `/api/projects/:projectId/admin/users`: end-user administration. */
export function createUsersAdminRouter(deps: {
  users: EndUserAdmin;
  access: (action: ProjectAction) => RequestHandler[];
}): Router {
  const { users, access } = deps;
  const r = guardedRouter([], { mergeParams: true });
  const scope = dashboardScope;

  r.get('/', ...access('read'), async (req, res) => {
    const data = await users.list(scope(req), parse(listQuery, req.query));
    res.json({ success: true, data, message: '' });
  });
  r.post('/', ...access('write'), async (req, res) => {
    const user = await users.create(scope(req), parse(objectBody, req.body));
    res.status(201).json({ message: 'User created successfully', user });
  });
  r.get('/:userId', ...access('read'), async (req, res) => {
    const { userId } = parse(userParams, req.params);
    res.json(await users.get(scope(req), userId));
  });
  r.put('/:userId', ...access('write'), async (req, res) => {
    const { userId } = parse(userParams, req.params);
    await users.update(scope(req), userId, parse(objectBody, req.body));
    res.json({ message: 'User updated successfully' });
  });
  r.delete('/:userId', ...access('write'), async (req, res) => {
    const { userId } = parse(userParams, req.params);
    await users.remove(scope(req), userId, { permanent: req.query.permanent === 'true' });
    res.json({ message: 'User deleted successfully' });
  });
  r.patch('/:userId/password', ...access('write'), async (req, res) => {
    const { userId } = parse(userParams, req.params);
    await users.setPassword(scope(req), userId, parse(passwordBody, req.body).newPassword);
    res.json({ message: 'Password updated successfully' });
  });
  r.patch('/:userId/status', ...access('write'), async (req, res) => {
    const { userId } = parse(userParams, req.params);
    const { disabled } = parse(statusBody, req.body);
    const user = await users.setDisabled(scope(req), userId, disabled);
    res.json({ message: disabled ? 'User disabled; their sessions were signed out' : 'User enabled', user });
  });
  r.post('/:userId/password-reset', ...access('write'), async (req, res) => {
    const { userId } = parse(userParams, req.params);
    const { email } = await users.sendPasswordReset(scope(req), userId);
    res.json({ message: `A password-reset code was sent to ${email}.` });
  });
  r.get('/:userId/sessions', ...access('read'), async (req, res) => {
    const { userId } = parse(userParams, req.params);
    res.json({ sessions: await users.sessions(scope(req), userId) });
  });
  r.delete('/:userId/sessions/:tokenId', ...access('write'), async (req, res) => {
    const { userId, tokenId } = parse(sessionParams, req.params);
    await users.revokeSession(scope(req), userId, tokenId);
    res.json({ message: 'Session revoked successfully' });
  });
  return r.router;
}
