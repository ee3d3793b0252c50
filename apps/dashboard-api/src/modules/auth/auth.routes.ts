import { AppError } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import cookieParser from 'cookie-parser';
import { type CookieOptions, type Request, type RequestHandler, type Response, Router } from 'express';
import { currentDeveloper } from '../../middleware/auth.js';
import {
  changePasswordBody,
  deleteAccountBody,
  emailBody,
  loginBody,
  registerBody,
  resetPasswordBody,
  verifyOtpBody,
} from './auth.schemas.js';
import type { AuthService, SessionResult } from './auth.service.js';
import { GENERIC_FORGOT, GENERIC_SEND_OTP } from './auth.service.js';
import type { SessionContext } from './sessions.js';

export const REFRESH_COOKIE = 'refreshToken';
const COOKIE_PATH = '/api/auth';

export interface AuthRouterDeps {
  auth: AuthService;
  /** Bearer check (`requireDeveloper`). */
  requireDeveloper: RequestHandler;
  /** Per-IP limiter of the sensitive routes (login, signup, OTP, reset, refresh). */
  authLimiter: RequestHandler;
  isProduction: boolean;
  allowedOrigins: readonly string[];
}

function ctxOf(req: Request): SessionContext {
  return { ip: req.ip ?? '', userAgent: String(req.headers['user-agent'] ?? '') };
}

/** `/api/auth`: developer accounts and sessions (CONTRACT §5). */
export function createAuthRouter(deps: AuthRouterDeps): Router {
  const { auth, authLimiter } = deps;
  const router = Router();
  router.use(cookieParser());
  const cookieOptions: CookieOptions = { httpOnly: true, sameSite: 'strict', secure: deps.isProduction, path: COOKIE_PATH };
  const allowed = new Set(deps.allowedOrigins);

  const sendSession = (res: Response, result: SessionResult) => {
    res.cookie(REFRESH_COOKIE, result.refresh.token, { ...cookieOptions, expires: result.refresh.expiresAt });
    res.json(result.body);
  };
  const refreshCookie = (req: Request): string | undefined => {
    const value = (req.cookies as Record<string, unknown> | undefined)?.[REFRESH_COOKIE];
    return typeof value === 'string' && value ? value : undefined;
  };

  router.post('/register', authLimiter, async (req, res) => {
    const body = parse(registerBody, req.body);
    await auth.register(body.email, body.password, body.inviteCode);
    res.status(201).json({ message: 'Registered successfully' });
  });

  /** Public: who may register (`open`, `invite-only`, `closed`), so the register page can explain it. */
  router.get('/registration', async (_req, res) => {
    res.json({ success: true, data: { mode: await auth.registrationMode() }, message: '' });
  });

  router.post('/send-otp', authLimiter, async (req, res) => {
    await auth.sendVerificationOtp(parse(emailBody, req.body).email);
    res.json({ message: GENERIC_SEND_OTP });
  });

  router.post('/verify-otp', authLimiter, async (req, res) => {
    const body = parse(verifyOtpBody, req.body);
    sendSession(res, await auth.verifyOtp(body.email, body.otp, ctxOf(req)));
  });

  router.post('/login', authLimiter, async (req, res) => {
    const body = parse(loginBody, req.body);
    sendSession(res, await auth.login(body.email, body.password, ctxOf(req)));
  });

  router.post('/refresh-token', authLimiter, async (req, res) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !allowed.has(origin)) throw new AppError('FORBIDDEN', 'Origin not allowed.');
    const token = refreshCookie(req);
    if (!token) throw new AppError('UNAUTHENTICATED', 'No refresh token. Please log in.');
    sendSession(res, await auth.refresh(token, ctxOf(req)));
  });

  router.post('/logout', async (req, res) => {
    const token = refreshCookie(req);
    if (token) await auth.revokeSession(token);
    res.clearCookie(REFRESH_COOKIE, cookieOptions);
    res.json({ success: true, message: 'Logged out successfully' });
  });

  router.post('/logout-all', deps.requireDeveloper, async (_req, res) => {
    await auth.revokeAllSessions(currentDeveloper(res)._id);
    res.clearCookie(REFRESH_COOKIE, cookieOptions);
    res.json({ success: true, message: 'Logged out on every device' });
  });

  router.get('/me', deps.requireDeveloper, async (_req, res) => {
    res.json({ success: true, user: await auth.me(currentDeveloper(res)._id) });
  });

  router.put('/change-password', deps.requireDeveloper, async (req, res) => {
    const body = parse(changePasswordBody, req.body);
    await auth.changePassword(currentDeveloper(res)._id, body.currentPassword, body.newPassword, refreshCookie(req));
    res.json({ message: 'Password updated successfully' });
  });

  router.post('/forgot-password', authLimiter, async (req, res) => {
    await auth.forgotPassword(parse(emailBody, req.body).email);
    res.json({ message: GENERIC_FORGOT });
  });

  router.post('/reset-password', authLimiter, async (req, res) => {
    const body = parse(resetPasswordBody, req.body);
    await auth.resetPassword(body.email, body.otp, body.newPassword);
    res.clearCookie(REFRESH_COOKIE, cookieOptions);
    res.json({ message: 'Password reset successfully. Please log in with your new password.' });
  });

  router.delete('/delete-account', deps.requireDeveloper, async (req, res) => {
    const body = parse(deleteAccountBody, req.body);
    await auth.deleteAccount(currentDeveloper(res)._id, body.password);
    res.clearCookie(REFRESH_COOKIE, cookieOptions);
    res.json({ message: 'Account and all projects deleted.' });
  });

  return router;
}
