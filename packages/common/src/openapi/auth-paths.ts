import { SELF_PROTECTED_USER_FIELDS } from '../end-users/rules.js';
import { type JsonSchema, type SchemaContext, objectSchema } from './json-schema.js';
import {
  type ERROR_RESPONSES,
  KEY_AND_USER,
  KEY_ONLY,
  type OpenApiProject,
  type Operation,
  type PathItem,
  envelope,
  envelopeLike,
  errorResponses,
  json,
  messageOnly,
  ref,
} from './shared.js';

export const TOKENS_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    token: { type: 'string', description: 'Same as accessToken (older clients).' },
    accessToken: { type: 'string', description: 'End-user JWT: send as `Authorization: Bearer`.' },
    expiresIn: { type: 'string' },
    refreshToken: { type: 'string', description: 'Only with `x-refresh-token-mode: header` (otherwise a cookie).' },
  },
  required: ['token', 'accessToken', 'expiresIn'],
};

export function userAuthPaths(users: OpenApiProject['collections'][number], project: OpenApiProject): Record<string, PathItem> {
  const tag = 'userAuth';
  const email = { type: 'string', format: 'email', maxLength: 100 };
  const password = { type: 'string', minLength: 6, maxLength: 100 };
  const otp = { type: 'string', minLength: 6, maxLength: 6 };
  const custom = users.model.filter(
    (f) => !SELF_PROTECTED_USER_FIELDS.has(f.key) && f.key !== 'password' && f.key !== 'username',
  );
  const ctx: SchemaContext = { refOf: () => null };
  const customProps = (objectSchema(custom, 'update', ctx).properties ?? {}) as Record<string, JsonSchema>;
  const body = (properties: Record<string, JsonSchema>, required: string[]) => ({
    required: true,
    content: json({ type: 'object', properties, required }),
  });
  const ok = (description: string, schema: JsonSchema = messageOnly()) => ({ '200': { description, content: json(schema) } });
  const op = (operationId: string, summary: string, extra: Operation, errors: (keyof typeof ERROR_RESPONSES)[] = []) => ({
    tags: [tag],
    operationId,
    summary,
    security: KEY_ONLY,
    ...extra,
    responses: {
      ...(extra.responses as object),
      ...errorResponses('BadRequest', 'Unauthorized', 'Forbidden', 'TooManyRequests', ...errors),
    },
  });
  const userOnly = { security: KEY_AND_USER };
  const headerMode = {
    name: 'x-refresh-token-mode',
    in: 'header',
    description: '`header`: also answer the refresh token in the body (apps without cookies).',
    schema: { type: 'string', enum: ['header'] },
  };
  const paths: Record<string, PathItem> = {
    '/api/userAuth/signup': {
      post: op(
        'signup',
        'Sign up an end user',
        {
          parameters: [headerMode],
          requestBody: body({ email, password, username: { type: 'string', minLength: 3, maxLength: 50 }, ...customProps }, [
            'email',
            'password',
          ]),
          responses: {
            '201': {
              description: 'Registered; a verification code was mailed.',
              content: json({
                ...TOKENS_SCHEMA,
                properties: { message: { type: 'string' }, userId: { type: 'string' }, ...(TOKENS_SCHEMA.properties as object) },
                required: ['message', 'userId', ...(TOKENS_SCHEMA.required as string[])],
              }),
            },
            ...ok('The user exists unverified: a new code was mailed.', envelopeLike({ userId: { type: 'string' } })),
          },
        },
        ['Conflict'],
      ),
    },
    '/api/userAuth/login': {
      post: op('login', 'Log in an end user', {
        parameters: [headerMode],
        requestBody: body({ email, password: { type: 'string', maxLength: 200 } }, ['email', 'password']),
        responses: ok('Logged in.', TOKENS_SCHEMA),
      }),
    },
    '/api/userAuth/me': {
      get: op(
        'me',
        'The current end user',
        {
          ...userOnly,
          responses: ok('The user (never the password hash).', ref('UserProfile')),
        },
        ['NotFound'],
      ),
    },
    '/api/userAuth/update-profile': {
      put: op('updateProfile', "Update the current user's custom fields", {
        ...userOnly,
        requestBody: body({ username: { type: 'string', minLength: 3, maxLength: 50 }, ...customProps }, []),
        responses: ok('Updated.'),
      }),
    },
    '/api/userAuth/change-password': {
      put: op('changePassword', "Change the current user's password", {
        ...userOnly,
        requestBody: body({ currentPassword: { type: 'string', maxLength: 200 }, newPassword: password }, [
          'currentPassword',
          'newPassword',
        ]),
        responses: ok('Changed.'),
      }),
    },
    '/api/userAuth/verify-email': {
      post: op('verifyEmail', 'Verify an email with the mailed code', {
        requestBody: body({ email, otp }, ['email', 'otp']),
        responses: ok('Verified.'),
      }),
    },
    '/api/userAuth/resend-verification-otp': {
      post: op('resendVerificationOtp', 'Mail a new verification code', {
        requestBody: body({ email }, ['email']),
        responses: ok('Sent.'),
      }),
    },
    '/api/userAuth/request-password-reset': {
      post: op('requestPasswordReset', 'Mail a password reset code', {
        requestBody: body({ email }, ['email']),
        responses: ok('Sent when the email exists (same answer otherwise).'),
      }),
    },
    '/api/userAuth/reset-password': {
      post: op('resetPassword', 'Set a new password with the mailed code', {
        requestBody: body({ email, otp, newPassword: password }, ['email', 'otp', 'newPassword']),
        responses: ok('Password updated.'),
      }),
    },
    '/api/userAuth/refresh-token': {
      post: op('refreshToken', 'New access token from the refresh token (cookie or `x-refresh-token`)', {
        parameters: [
          {
            name: 'x-refresh-token',
            in: 'header',
            description: 'The refresh token, when not sent as the cookie.',
            schema: { type: 'string' },
          },
          headerMode,
        ],
        responses: ok('New tokens (the refresh token rotates).', TOKENS_SCHEMA),
      }),
    },
    '/api/userAuth/logout': {
      post: op('logout', 'Revoke the refresh token of this session', {
        responses: ok('Logged out.', envelopeLike({})),
      }),
    },
    '/api/userAuth/logout-all': {
      post: op('logoutAll', 'Revoke every session of the current user', {
        ...userOnly,
        responses: ok('Logged out everywhere.', envelope({ type: 'object', properties: { revoked: { type: 'integer' } } })),
      }),
    },
    '/api/userAuth/sessions': {
      get: op('listSessions', "The current user's sessions", {
        ...userOnly,
        responses: ok(
          'Active sessions.',
          envelope({
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                createdAt: { type: 'string', format: 'date-time' },
                lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
                expiresAt: { type: 'string', format: 'date-time' },
                ip: { type: ['string', 'null'] },
                userAgent: { type: ['string', 'null'] },
                method: { type: ['string', 'null'] },
                current: { type: 'boolean' },
              },
            },
          }),
        ),
      }),
    },
    '/api/userAuth/sessions/{id}': {
      delete: op(
        'revokeSession',
        'Revoke one session of the current user',
        {
          ...userOnly,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: ok('Revoked.', envelopeLike({})),
        },
        ['NotFound'],
      ),
    },
    '/api/userAuth/public/{username}': {
      get: op(
        'publicProfile',
        'Public profile of a user by username',
        {
          parameters: [{ name: 'username', in: 'path', required: true, schema: { type: 'string' } }],
          responses: ok('Non-sensitive fields of the user.', { type: 'object', additionalProperties: true }),
        },
        ['NotFound'],
      ),
    },
  };
  const providers = (['github', 'google'] as const).filter((p) => project.authProviders?.[p]?.enabled);
  if (providers.length) {
    paths['/api/userAuth/social/{provider}/start'] = {
      get: op('socialStart', 'Start a social login (redirects to the provider)', {
        parameters: [
          { name: 'provider', in: 'path', required: true, schema: { type: 'string', enum: providers } },
          {
            name: 'key',
            in: 'query',
            description: 'The publishable key (links cannot send headers).',
            schema: { type: 'string' },
          },
        ],
        security: [{ apiKey: [] }, { apiKeyQuery: [] }],
        responses: { '302': { description: 'Redirect to the provider.' } },
      }),
    };
    paths['/api/userAuth/social/exchange'] = {
      post: op('socialExchange', 'Exchange the code of the social-login redirect for a refresh token', {
        requestBody: body({ rtCode: { type: 'string' }, token: { type: 'string' } }, []),
        responses: ok(
          'The refresh token.',
          envelope({ type: 'object', properties: { refreshToken: { type: 'string' } }, required: ['refreshToken'] }),
        ),
      }),
    };
  }
  return paths;
}
