import { durationSchema } from '@urbackend/common/config';
import { z } from 'zod';
import type { UserAuthSettings } from './user-auth.kit.js';

export type { UserAuthSettings } from './user-auth.kit.js';

/** Environment variables of end-user auth (documented in `.env.example`; BCRYPT_COST is a platform variable). */
export const userAuthEnvShape = {
  USER_ACCESS_TOKEN_TTL: durationSchema.default('15m'),
  USER_REFRESH_TOKEN_TTL: durationSchema.default('7d'),
  OAUTH_GITHUB_BASE_URL: z.string().url().default('https://github.com'),
  OAUTH_GITHUB_API_URL: z.string().url().default('https://api.github.com'),
  OAUTH_GOOGLE_ISSUER: z.string().url().default('https://accounts.google.com'),
};

type UserAuthEnv = z.infer<z.ZodObject<typeof userAuthEnvShape>>;

/** Maps the parsed variables to `UserAuthSettings`. */
export function mapUserAuthEnv(env: UserAuthEnv): UserAuthSettings {
  return {
    accessTokenTtl: env.USER_ACCESS_TOKEN_TTL,
    refreshTokenTtl: env.USER_REFRESH_TOKEN_TTL,
    oauth: {
      githubBaseUrl: env.OAUTH_GITHUB_BASE_URL,
      githubApiUrl: env.OAUTH_GITHUB_API_URL,
      googleIssuer: env.OAUTH_GOOGLE_ISSUER,
    },
  };
}
