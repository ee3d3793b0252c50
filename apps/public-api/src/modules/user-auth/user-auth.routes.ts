import { assertSafeKeys } from '@urbackend/common/end-users';
import { AppError, unauthenticated } from '@urbackend/common/errors';
import { parse, scopeOf } from '@urbackend/common/http';
import cookieParser from 'cookie-parser';
import { type RequestHandler, type Response, Router } from 'express';
import type { SessionsService } from './sessions.service.js';
import type { IssuedTokens } from './sessions.service.js';
import type { SocialService } from './social.service.js';
import { bearerOf, clearRefreshCookie, clientOf, refreshTokenOf, setRefreshCookie, wantsHeaderMode } from './transport.js';
import {
  changePasswordSchema,
  emailOnlySchema,
  loginSchema,
  resetPasswordSchema,
  signupSchema,
  socialExchangeSchema,
  verifyEmailSchema,
} from './user-auth.schemas.js';
import type { UserAuthService } from './user-auth.service.js';

export interface UserAuthRouterDeps {
  auth: UserAuthService;
  sessions: SessionsService;
  social: SocialService;
  /** API-key middleware (and usage gates), mounted per route so unknown paths stay 404. */
  guard: RequestHandler[];
  /** Per-IP limiter for login, signup, OTP, reset and refresh (`RATE_LIMIT_AUTH_IP_PER_15MIN`). */
  ipLimit: RequestHandler;
  refreshTtlMs: number;
  isProduction: boolean;
}

/** `/api/userAuth/*` (reference §1.4, CONTRACT §4). Handlers parse, call one service, respond. */
export function createUserAuthRouter(deps: UserAuthRouterDeps): Router {
  const { auth, sessions, social, guard, ipLimit, isProduction } = deps;
  const router = Router();
  router.use(cookieParser());
  const limited = [ipLimit, ...guard];

  const tokenBody = (res: Response, tokens: IssuedTokens, includeRefresh: boolean) => {
    setRefreshCookie(res, tokens.refreshToken, deps.refreshTtlMs, isProduction);
    const body = { token: tokens.accessToken, accessToken: tokens.accessToken, expiresIn: tokens.expiresIn };
    return includeRefresh ? { ...body, refreshToken: tokens.refreshToken } : body;
  };

  router.post('/signup', ...limited, async (req, res) => {
    const result = await auth.signup(scopeOf(req), parse(signupSchema, assertSafeKeys(req.body)), clientOf(req));
    if (result.kind === 'resent') {
      res.json({
        success: true,
        message: 'User already exists but is unverified. A new verification code has been sent.',
        userId: result.userId,
      });
      return;
    }
    const message = 'User registered successfully. Please verify your email.';
    res.status(201).json({ message, ...tokenBody(res, result.tokens, wantsHeaderMode(req)), userId: result.userId });
  });
  router.post('/login', ...limited, async (req, res) => {
    const tokens = await auth.login(scopeOf(req), parse(loginSchema, req.body), clientOf(req));
    res.json(tokenBody(res, tokens, wantsHeaderMode(req)));
  });
  router.get('/me', ...guard, async (req, res) => {
    res.json(await auth.me(scopeOf(req), bearerOf(req)));
  });
  router.get('/public/:username', ...guard, async (req, res) => {
    res.json(await auth.publicProfile(scopeOf(req), String(req.params.username)));
  });
  router.put('/update-profile', ...guard, async (req, res) => {
    await auth.updateProfile(scopeOf(req), bearerOf(req), req.body);
    res.json({ message: 'Profile updated successfully' });
  });
  router.put('/change-password', ...limited, async (req, res) => {
    await auth.changePassword(scopeOf(req), bearerOf(req), parse(changePasswordSchema, req.body));
    res.json({ message: 'Password changed successfully' });
  });
  router.post('/verify-email', ...limited, async (req, res) => {
    await auth.verifyEmail(scopeOf(req), parse(verifyEmailSchema, req.body));
    res.json({ message: 'Email verified successfully' });
  });
  router.post('/resend-verification-otp', ...limited, async (req, res) => {
    await auth.resendVerification(scopeOf(req), parse(emailOnlySchema, req.body));
    res.json({ message: 'Verification code sent successfully.' });
  });
  router.post('/request-password-reset', ...limited, async (req, res) => {
    await auth.requestPasswordReset(scopeOf(req), parse(emailOnlySchema, req.body));
    res.json({ message: 'If that email exists, a reset code has been sent.' });
  });
  router.post('/reset-password', ...limited, async (req, res) => {
    await auth.resetPassword(scopeOf(req), parse(resetPasswordSchema, req.body));
    res.json({ message: 'Password updated successfully' });
  });
  mountSessionRoutes(router, deps, tokenBody);
  mountSocialRoutes(router, deps);
  return router;
}

const FOREIGN_TOKEN = 'Refresh token does not belong to this project';

type TokenBody = (res: Response, tokens: IssuedTokens, includeRefresh: boolean) => Record<string, string>;

function mountSessionRoutes(router: Router, deps: UserAuthRouterDeps, tokenBody: TokenBody): void {
  const { sessions, guard, ipLimit, isProduction } = deps;
  router.post('/refresh-token', ipLimit, ...guard, async (req, res) => {
    const presented = refreshTokenOf(req);
    try {
      if (!presented) throw unauthenticated('Refresh token missing');
      const tokens = await sessions.refresh(scopeOf(req), presented.token, clientOf(req));
      res.json(tokenBody(res, tokens, presented.fromHeader));
    } catch (err) {
      // A token of another project is not this project's to clear (reference refresh step 5).
      if (!(err instanceof AppError && err.message === FOREIGN_TOKEN)) clearRefreshCookie(res, isProduction);
      throw err;
    }
  });
  router.post('/logout', ...guard, async (req, res) => {
    await sessions.logout(scopeOf(req), refreshTokenOf(req)?.token ?? null);
    clearRefreshCookie(res, isProduction);
    res.json({ success: true, message: 'Logged out successfully' });
  });
  router.post('/logout-all', ...guard, async (req, res) => {
    const revoked = await sessions.logoutAll(scopeOf(req), bearerOf(req));
    clearRefreshCookie(res, isProduction);
    res.json({ success: true, data: { revoked }, message: 'Logged out from all sessions' });
  });
  router.get('/sessions', ...guard, async (req, res) => {
    res.json({ success: true, data: await sessions.list(scopeOf(req), bearerOf(req)), message: 'Active sessions' });
  });
  router.delete('/sessions/:id', ...guard, async (req, res) => {
    await sessions.revoke(scopeOf(req), bearerOf(req), String(req.params.id));
    res.json({ success: true, message: 'Session revoked' });
  });
}

function mountSocialRoutes(router: Router, deps: UserAuthRouterDeps): void {
  const { social, guard, ipLimit, isProduction } = deps;
  router.get('/social/:provider/start', ipLimit, ...guard, async (req, res) => {
    res.redirect(302, await social.start(scopeOf(req), String(req.params.provider)));
  });
  router.get('/social/:provider/callback', ipLimit, async (req, res) => {
    const outcome = await social.callback(String(req.params.provider), req.query as Record<string, unknown>, clientOf(req));
    if (outcome.kind === 'error') throw outcome.error;
    if (outcome.refreshToken) setRefreshCookie(res, outcome.refreshToken, deps.refreshTtlMs, isProduction);
    res.redirect(302, outcome.url);
  });
  router.post('/social/exchange', ipLimit, ...guard, async (req, res) => {
    const refreshToken = await social.exchange(scopeOf(req), parse(socialExchangeSchema, req.body ?? {}));
    res.json({ success: true, data: { refreshToken }, message: 'Refresh token exchanged successfully' });
  });
}
