import { describe, expect, it } from 'vitest';
import { unavailable } from '../errors/index.js';
import { MAIL_ERROR_MAX_CHARS, mailErrorText } from './deliveries.js';

describe('mailErrorText', () => {
  it('keeps the transport error under the generic wrapper', () => {
    const err = unavailable('The mail could not be sent.', new Error("Can't send mail - all recipients were rejected: 550 nope"));
    expect(mailErrorText(err)).toBe("Can't send mail - all recipients were rejected: 550 nope");
  });

  it('removes credentials of URLs and AUTH arguments', () => {
    const text = mailErrorText(
      new Error('connect to smtps://user:s3cret@mail.example.com:465 failed; AUTH PLAIN AHVzZXIAczNjcmV0'),
    );
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('AHVzZXIAczNjcmV0');
    expect(text).toContain('smtps://***@mail.example.com:465');
  });

  it('truncates long errors', () => {
    const text = mailErrorText(new Error('x'.repeat(5000)));
    expect(text).toHaveLength(MAIL_ERROR_MAX_CHARS);
  });
});
