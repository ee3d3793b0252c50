export {
  type AccessClaims,
  type AccessTokens,
  type IssuedAccessToken,
  INVALID_TOKEN_MESSAGE,
  createAccessTokens,
  createProjectJwtKeys,
  hmacKey,
} from './access-tokens.js';
export { durationMs } from '../config/index.js';
export {
  DEFAULT_OAUTH_URLS,
  OAUTH_PROVIDERS,
  type OAuthClient,
  type OAuthProfile,
  type OAuthProvider,
  type OAuthProviderName,
  type OAuthProviderUrls,
  createOAuthProviders,
} from './oauth-providers.js';
export { type OneTimeStore, createOneTimeStore } from './one-time-store.js';
export { type OtpMailDeps, type OtpMailProject, otpMailMessage, startOtpMail } from './otp-mail.js';
export { DEFAULT_OTP_RULES, type OtpPurpose, type OtpRules, type OtpService, createOtpService } from './otp.js';
export {
  type PasswordHasher,
  type PasswordHasherEngine,
  type PasswordHasherOptions,
  HASHING_BUSY,
  createPasswordHasher,
} from './password-hasher.js';
export {
  type ActiveSession,
  type IssuedRefreshToken,
  type RefreshSessions,
  REFRESH_REUSE_WINDOW_MS,
  type SessionClient,
  createRefreshSessions,
} from './refresh-sessions.js';
