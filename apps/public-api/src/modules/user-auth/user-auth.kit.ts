import type { RedisConnection } from '@urbackend/common/cache';
import type { SecretBox } from '@urbackend/common/crypto';
import { type UsersAccess, createUsersAccess } from '@urbackend/common/end-users';
import type { Logger } from '@urbackend/common/logger';
import type { Mailer } from '@urbackend/common/mail';
import { type PlatformModels, authClaimModel } from '@urbackend/common/models';
import type { Platform } from '@urbackend/common/platform';
import { type AttemptCounter, createAttemptCounter } from '@urbackend/common/rate-limit';
import type { ScopedProject } from '@urbackend/common/scope';
import {
  type AccessTokens,
  DEFAULT_OAUTH_URLS,
  type OAuthProvider,
  type OAuthProviderName,
  type OAuthProviderUrls,
  type OneTimeStore,
  type OtpService,
  type PasswordHasher,
  type RefreshSessions,
  createAccessTokens,
  createOAuthProviders,
  createOneTimeStore,
  createOtpService,
  createRefreshSessions,
  durationMs,
} from '@urbackend/common/user-auth';

/** Settings of end-user auth (env: USER_ACCESS_TOKEN_TTL, USER_REFRESH_TOKEN_TTL, OAUTH_*). */
export interface UserAuthSettings {
  accessTokenTtl: string;
  refreshTokenTtl: string;
  oauth: OAuthProviderUrls;
}

export const DEFAULT_USER_AUTH_SETTINGS: UserAuthSettings = {
  accessTokenTtl: '15m',
  refreshTokenTtl: '7d',
  oauth: DEFAULT_OAUTH_URLS,
};

/** What the user-auth services need from the app's composition root. */
export interface UserAuthInput {
  settings: UserAuthSettings;
  isProduction: boolean;
  publicApiUrl: string;
  dashboardUrl: string;
  authAccountPer15Min: number;
  cache: RedisConnection;
  secretBox: SecretBox;
  /** The key that signs the project's end-user tokens (`Platform['projectJwtKey']`). */
  projectJwtKey: Platform['projectJwtKey'];
  models: PlatformModels;
  logger: Logger;
  /** The platform's end-user password hasher (`BCRYPT_COST`), the same one the dashboard uses. */
  hasher: PasswordHasher;
  /** Builds a project scope (social login callbacks arrive without an API key). */
  scopeFor: Platform['scopeFor'];
  /** The platform mailer (OTP mails go out with the project's name as sender name). */
  mailer: Mailer;
  /** The platform sender (`MAIL_FROM`), whose address OTP mails use. */
  mailFrom: string;
  /** Data events of the `users` rows written here (signup, profile): realtime and webhooks. None when absent. */
  onDataEvent?: Platform['onDataEvent'];
  /** Sessions were revoked (logout, revocation, password change): realtime closes their connections. */
  onSessionsRevoked?: (projectId: string, userId: string, sessionId: string | null) => void;
}

/** Everything the user-auth services share, built once in `deps.ts`. */
export interface UserAuthKit extends UserAuthInput {
  refreshTtlMs: number;
  tokens: AccessTokens;
  sessions: RefreshSessions;
  otp: OtpService;
  oauthStates: OneTimeStore;
  exchangeCodes: OneTimeStore;
  providers: Record<OAuthProviderName, OAuthProvider>;
  users: UsersAccess;
  /** Failed logins per account. */
  loginFailures: AttemptCounter;
  /** Wrong OTPs per account (verification and reset). */
  otpFailures: AttemptCounter;
}

/** Builds the user-auth kit (no I/O). */
export function createUserAuthKit(input: UserAuthInput): UserAuthKit {
  const { settings, models } = input;
  const refreshTtlMs = durationMs(settings.refreshTokenTtl);
  const window = 15 * 60_000;
  const message = 'Too many attempts. Please try again later.';
  // Durable counters and cooldowns (MongoDB, beside the other platform models).
  const claims = authClaimModel(models.UserOtp.db);
  return {
    ...input,
    refreshTtlMs,
    tokens: createAccessTokens({ ttl: settings.accessTokenTtl }),
    sessions: createRefreshSessions({ model: models.UserSession, ttlMs: refreshTtlMs, onRevoke: input.onSessionsRevoked }),
    otp: createOtpService({ model: models.UserOtp, claims }),
    oauthStates: createOneTimeStore(claims, 'uauth:oauth-state'),
    exchangeCodes: createOneTimeStore(claims, 'uauth:oauth-exchange'),
    providers: createOAuthProviders(settings.oauth),
    users: createUsersAccess(),
    loginFailures: createAttemptCounter({
      model: claims,
      name: 'uauth-login',
      windowMs: window,
      limit: input.authAccountPer15Min,
      message,
    }),
    otpFailures: createAttemptCounter({
      model: claims,
      name: 'uauth-otp',
      windowMs: window,
      limit: input.authAccountPer15Min,
      message,
    }),
  };
}
