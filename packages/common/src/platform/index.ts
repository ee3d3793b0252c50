import { type Cache, createCache } from '../cache/index.js';
import type { BaseConfig } from '../config/index.js';
import { type SecretBox, createSecretBox } from '../crypto/index.js';
import { type PlatformDb, createPlatformDb } from '../db/index.js';
import type { Logger } from '../logger/index.js';
import { type Mailer, createMailer } from '../mail/index.js';

/** What both servers build at boot from the base config. */
export interface PlatformServices {
  db: PlatformDb;
  cache: Cache;
  secretBox: SecretBox;
  /** The platform mailer (`SMTP_URL`, `MAIL_FROM`): one transport per process, shared by every feature that mails. */
  mailer: Mailer;
  /** Closes the mailer, the cache and the database pool. */
  close(): Promise<void>;
}

export interface PlatformOverrides {
  /** Use an existing db (tests). */
  db?: PlatformDb;
  /** Use an existing cache (tests). */
  cache?: Cache;
}

/**
 * Builds the shared services (not connected: call `db.connect()`). Logs loudly when there is
 * no Redis (single-process mode, development only: production config requires REDIS_URL).
 */
export function createPlatformServices(config: BaseConfig, logger: Logger, overrides: PlatformOverrides = {}): PlatformServices {
  const db =
    overrides.db ??
    createPlatformDb({ uri: config.mongodb.uri, timeoutMs: config.mongodb.timeoutMs, poolSize: config.mongodb.poolSize, logger });
  const cache =
    overrides.cache ??
    createCache({
      url: config.redis.url,
      commandTimeoutMs: config.redis.commandTimeoutMs,
      keyPrefix: config.redis.keyPrefix,
      logger,
    });
  if (!cache.client) {
    logger.warn('REDIS_URL is not set: SINGLE-PROCESS MODE (caches, rate limits and counters live in this process only)');
  }
  const secretBox = createSecretBox(config.security.encryptionKey, config.security.previousEncryptionKeys);
  const mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    logger,
    isProduction: config.isProduction,
  });
  return {
    db,
    cache,
    secretBox,
    mailer,
    async close() {
      mailer.close();
      await Promise.allSettled([cache.close(), db.close()]);
    },
  };
}
