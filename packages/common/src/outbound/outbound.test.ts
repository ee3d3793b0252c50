import { describe, expect, it } from 'vitest';
import { assertPublicHttpUrl, assertPublicMongoUri, embeddedIPv4, isNonPublicAddress, mongoUriHosts } from './index.js';

describe('isNonPublicAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
    ['::', true],
    ['::1', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['ff02::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:10.0.0.1', true],
    ['64:ff9b::a00:1', true],
    ['2002:7f00:1::', true],
    ['not-an-ip', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['1.1.1.1', false],
    ['2606:4700:4700::1111', false],
    ['::ffff:8.8.8.8', false],
  ])('%s → %s', (address, expected) => {
    expect(isNonPublicAddress(address)).toBe(expected);
  });

  it('extracts IPv4 from mapped, NAT64 and 6to4 forms', () => {
    expect(embeddedIPv4('::ffff:192.168.0.1')).toBe('192.168.0.1');
    expect(embeddedIPv4('64:ff9b::808:808')).toBe('8.8.8.8');
    expect(embeddedIPv4('2002:0a00:0001::')).toBe('10.0.0.1');
    expect(embeddedIPv4('2606:4700::1')).toBeNull();
  });
});

const fakeDns = (table: Record<string, string[]>) => ({
  allowPrivateTargets: false,
  resolve: async (host: string) => {
    const found = table[host];
    if (!found) throw new Error('ENOTFOUND');
    return found;
  },
  resolveSrv: async (host: string) => table[`srv:${host}`] ?? [],
});

describe('assertPublicMongoUri', () => {
  const dns = fakeDns({
    'db.example.com': ['8.8.8.8'],
    'mixed.example.com': ['8.8.8.8', '10.0.0.5'],
    'srv:cluster.example.com': ['db.example.com', 'mixed.example.com'],
    'srv:good.example.com': ['db.example.com'],
  });

  it.each([
    ['mongodb://localhost:27017/x', /could not be resolved|private/],
    ['mongodb://127.0.0.1/x', /private/],
    ['mongodb://[::1]:27017/x', /private/],
    ['mongodb://u:p@db.example.com,10.0.0.1:27018/x', /private/],
    ['mongodb://mixed.example.com/x', /private/],
    ['mongodb+srv://cluster.example.com/x', /private/],
    ['postgres://db.example.com', /mongodb/],
    ['mongodb://nowhere.invalid/x', /could not be resolved/],
  ])('refuses %s', async (uri, message) => {
    await expect(assertPublicMongoUri(uri, dns)).rejects.toThrow(message);
  });

  it('accepts public hosts (plain and SRV) and anything when private targets are allowed', async () => {
    await assertPublicMongoUri('mongodb://u:p%40@db.example.com:27017/app?tls=true', dns);
    await assertPublicMongoUri('mongodb+srv://good.example.com/app', dns);
    await assertPublicMongoUri('mongodb://127.0.0.1/x', { allowPrivateTargets: true });
  });

  it('parses hosts of replica-set URIs', () => {
    expect(mongoUriHosts('mongodb://a:1,b:2,[::1]:3/db')).toEqual({ srv: false, hosts: ['a', 'b', '::1'] });
  });
});

describe('assertPublicHttpUrl', () => {
  const dns = fakeDns({ 'hooks.example.com': ['93.184.216.34'] });
  it.each([
    ['http://127.0.0.1/hook', /private/],
    ['http://2130706433/hook', /private/],
    ['http://0x7f.0.0.1/hook', /private/],
    ['http://[::ffff:127.0.0.1]/hook', /private/],
    ['ftp://hooks.example.com/', /http or https/],
    ['https://u:p@hooks.example.com/', /credentials/],
    ['not a url', /not valid/],
  ])('refuses %s', async (url, message) => {
    await expect(assertPublicHttpUrl(url, dns)).rejects.toThrow(message);
  });

  it('accepts a public https URL', async () => {
    const url = await assertPublicHttpUrl('https://hooks.example.com/in', dns);
    expect(url.hostname).toBe('hooks.example.com');
  });
});
