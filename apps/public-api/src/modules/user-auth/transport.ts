import type { SessionClient } from '@urbackend/common/user-auth';
import type { CookieOptions, Request, Response } from 'express';

/** Name of the refresh-token cookie (reference §1.4). */
export const REFRESH_COOKIE = 'refreshToken';

function cookieOptions(isProduction: boolean): CookieOptions {
  return { httpOnly: true, path: '/', secure: isProduction, sameSite: isProduction ? 'none' : 'lax' };
}

/** Sets the `refreshToken` cookie (httpOnly, path `/`; `Secure` + `SameSite=None` in production, else `Lax`). */
export function setRefreshCookie(res: Response, token: string, maxAgeMs: number, isProduction: boolean): void {
  res.cookie(REFRESH_COOKIE, token, { ...cookieOptions(isProduction), maxAge: maxAgeMs });
}

export function clearRefreshCookie(res: Response, isProduction: boolean): void {
  res.clearCookie(REFRESH_COOKIE, cookieOptions(isProduction));
}

function header(req: Request, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

/** The refresh token of a request: the cookie first, then `x-refresh-token`; `fromHeader` says which. */
export function refreshTokenOf(req: Request): { token: string; fromHeader: boolean } | null {
  const cookies = (req as Request & { cookies?: Record<string, unknown> }).cookies;
  const cookie = cookies?.[REFRESH_COOKIE];
  if (typeof cookie === 'string' && cookie) return { token: cookie, fromHeader: false };
  const fromHeader = header(req, 'x-refresh-token');
  return fromHeader ? { token: fromHeader, fromHeader: true } : null;
}

/** True when the client asked for the refresh token in the JSON body (`x-refresh-token-mode: header`). */
export function wantsHeaderMode(req: Request): boolean {
  return header(req, 'x-refresh-token-mode')?.toLowerCase() === 'header';
}

/** Where the request comes from, recorded on sessions. */
export function clientOf(req: Request): SessionClient {
  return { ip: req.ip ?? req.socket.remoteAddress ?? '', userAgent: header(req, 'user-agent') ?? '' };
}

/** The Bearer token (scheme case-insensitive), or null. */
export function bearerOf(req: Request): string | null {
  const match = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1] ?? null;
}
