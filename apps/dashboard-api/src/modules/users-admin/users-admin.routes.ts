import { parse } from '@urbackend/common/http';
import { isPlainObject } from '@urbackend/common/validation';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { currentDeveloper, requireVerified } from '../../middleware/auth.js';
import { guardedRouter } from '../../middleware/guarded-router.js';
import type { UsersAdminService } from './users-admin.service.js';

const projectParams = z.object({ projectId: z.string() });
const userParams = projectParams.extend({ userId: z.string() });
const sessionParams = userParams.extend({ tokenId: z.string().min(1).max(100) });
const listQuery = z.object({
  search: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
// z.custom keeps the body as sent (z.record would drop an own `__proto__` key); validateDocument refuses bad keys.
const objectBody = z.custom<Record<string, unknown>>(isPlainObject, { message: 'Request body must be a JSON object.' });
const passwordBody = z.object({ newPassword: z.string().min(6, 'newPassword must be at least 6 characters').max(100) });

/** `/api/projects/:projectId/admin/users`: end-user administration. */
export function usersAdminRouter(deps: { users: UsersAdminService; requireDeveloper: RequestHandler }): Router {
  const { users } = deps;
  const r = guardedRouter([deps.requireDeveloper, requireVerified], { mergeParams: true });
  const dev = currentDeveloper;

  r.get('/', async (req, res) => {
    const { projectId } = parse(projectParams, req.params);
    const data = await users.list(dev(res), projectId, parse(listQuery, req.query));
    res.json({ success: true, data, message: '' });
  });
  r.post('/', async (req, res) => {
    const { projectId } = parse(projectParams, req.params);
    const user = await users.create(dev(res), projectId, parse(objectBody, req.body));
    res.status(201).json({ message: 'User created successfully', user });
  });
  r.get('/:userId', async (req, res) => {
    const { projectId, userId } = parse(userParams, req.params);
    res.json(await users.get(dev(res), projectId, userId));
  });
  r.put('/:userId', async (req, res) => {
    const { projectId, userId } = parse(userParams, req.params);
    await users.update(dev(res), projectId, userId, parse(objectBody, req.body));
    res.json({ message: 'User updated successfully' });
  });
  r.delete('/:userId', async (req, res) => {
    const { projectId, userId } = parse(userParams, req.params);
    await users.remove(dev(res), projectId, userId);
    res.json({ message: 'User deleted successfully' });
  });
  r.patch('/:userId/password', async (req, res) => {
    const { projectId, userId } = parse(userParams, req.params);
    await users.setPassword(dev(res), projectId, userId, parse(passwordBody, req.body).newPassword);
    res.json({ message: 'Password updated successfully' });
  });
  r.get('/:userId/sessions', async (req, res) => {
    const { projectId, userId } = parse(userParams, req.params);
    res.json({ sessions: await users.sessions(dev(res), projectId, userId) });
  });
  r.delete('/:userId/sessions/:tokenId', async (req, res) => {
    const { projectId, userId, tokenId } = parse(sessionParams, req.params);
    await users.revokeSession(dev(res), projectId, userId, tokenId);
    res.json({ message: 'Session revoked successfully' });
  });
  return r.router;
}
