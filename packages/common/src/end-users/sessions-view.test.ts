import { describe, expect, it } from 'vitest';
import { readableDevice, readableIp } from './sessions-view.js';

describe('session view', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:10.0.0.7', '10.0.0.7'],
    ['::1', '::1'],
    ['2001:db8::1', '2001:db8::1'],
    [' 1.2.3.4 ', '1.2.3.4'],
    [null, ''],
  ])('shows %s as %s', (ip, shown) => {
    expect(readableIp(ip)).toBe(shown);
  });

  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36', 'Chrome on Linux'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      'Safari on iOS',
    ],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0', 'Firefox on Windows'],
    ['curl/8.5.0', 'curl'],
    ['node', 'node'],
    ['', 'Unknown device'],
  ])('names %s as %s', (ua, device) => {
    expect(readableDevice(ua)).toBe(device);
  });
});
