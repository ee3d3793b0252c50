import { type Logger, type LoggerOptions, pino, stdSerializers } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino removes from every log line: credentials in headers, passwords, secrets, tokens,
 * keys and connection URIs, at the top level and one or two levels down.
 */
export const redactPaths: string[] = (() => {
  const sensitive = [
    'password',
    'newPassword',
    'currentPassword',
    'secret',
    'clientSecret',
    'secretKey',
    'jwtSecret',
    'token',
    'accessToken',
    'refreshToken',
    'apiKey',
    'otp',
    'uri',
    'dbUri',
    'mongoUri',
    'url',
    'storageKey',
    'encryptionKey',
  ];
  const paths = [
    'req.headers.authorization',
    'req.headers["x-api-key"]',
    'req.headers.cookie',
    'req.headers["x-refresh-token"]',
    'res.headers["set-cookie"]',
    'headers.authorization',
    'headers["x-api-key"]',
    'headers.cookie',
  ];
  for (const key of sensitive) paths.push(key, `*.${key}`, `*.*.${key}`);
  return paths;
})();

export interface CreateLoggerOptions {
  level?: string;
  /** Name of the process, added to every line as `app`. */
  name: string;
  /** Pretty, human-readable lines (development). */
  pretty?: boolean;
}

/** Creates the process logger. JSON lines in production; pretty output when `pretty` is set. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { app: options.name },
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { err: stdSerializers.err },
  };
  if (options.pretty) {
    config.transport = {
      target: 'pino-pretty',
      options: { colorize: true, ignore: 'pid,hostname,app', translateTime: 'HH:MM:ss' },
    };
  }
  return pino(config);
}

/** Replaces credentials in a URI (`mongodb://user:pass@host`) so it can be logged. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^@/]*)@/, '//[redacted]@');
}
