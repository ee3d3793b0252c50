import { AppError } from '../errors/index.js';
import type { UsageMeter } from '../usage/index.js';

/** A reserved share of this month's mail quota; `release` gives it back (send failed). */
export interface MailReservation {
  month: string;
  /** Mails (recipients) counted this month, this reservation included. */
  usage: number;
  release(): Promise<void>;
}

/** Monthly mail quota per project, counted per recipient (CONTRACT §9). */
export interface MailQuota {
  /**
   * Reserves `recipients` mails of this month atomically. Throws 429 `Monthly mail limit
   * exceeded.` when they would cross `limit` (-1 = unlimited; nothing is reserved then) and 503
   * when Redis is configured but unreachable.
   */
  reserve(projectId: string, limit: number, recipients: number): Promise<MailReservation>;
  /** Gives back `recipients` mails of `month` (a queued send that finally failed). */
  release(projectId: string, month: string, recipients: number): Promise<void>;
}

/** The month a mail is counted in (`YYYY-MM`, UTC). */
export function mailMonth(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/**
 * The mail quota over the usage meter: one counter per project and month, rebuilt from the mail
 * delivery log (recipients of sends not finally failed) when Redis lost it, so an exhausted
 * quota stays exhausted.
 */
export function createMailQuota(meter: UsageMeter, now: () => Date = () => new Date()): MailQuota {
  return {
    async reserve(projectId, limit, recipients) {
      const month = mailMonth(now());
      if (!(await meter.reserve(projectId, 'mail', recipients, limit, month))) {
        throw new AppError('RATE_LIMITED', 'Monthly mail limit exceeded.');
      }
      const usage = await meter.current(projectId, 'mail', month);
      return { month, usage, release: () => meter.release(projectId, 'mail', recipients, month) };
    },
    release: (projectId, month, recipients) => meter.release(projectId, 'mail', recipients, month),
  };
}
