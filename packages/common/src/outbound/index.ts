import { lookup, resolveSrv } from 'node:dns/promises';
import { isIP } from 'node:net';
import { badRequest } from '../errors/index.js';
import { isNonPublicAddress } from './address.js';

export { embeddedIPv4, isNonPublicAddress } from './address.js';

export interface OutboundOptions {
  /** `ALLOW_PRIVATE_TARGETS`: lifts the check (development and tests only). */
  allowPrivateTargets: boolean;
  /** Name resolver (default: the system resolver, every A/AAAA record). */
  resolve?: (host: string) => Promise<string[]>;
  /** SRV resolver for `mongodb+srv://` (default: DNS `_mongodb._tcp.<host>`). */
  resolveSrv?: (host: string) => Promise<string[]>;
}

async function systemResolve(host: string): Promise<string[]> {
  const records = await lookup(host, { all: true, verbatim: true });
  return records.map((r) => r.address);
}

async function systemResolveSrv(host: string): Promise<string[]> {
  const records = await resolveSrv(`_mongodb._tcp.${host}`);
  return records.map((r) => r.name);
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Resolves `host` and throws a 400 when it does not resolve or when ANY of its addresses is
 * not public (SECURITY.md: SSRF). Numeric hosts are checked as they are.
 */
export async function assertPublicHost(host: string, options: OutboundOptions): Promise<void> {
  if (options.allowPrivateTargets) return;
  const bare = stripBrackets(host.trim()).toLowerCase();
  if (!bare) throw badRequest('The target host is missing.');
  let addresses: string[];
  if (isIP(bare)) addresses = [bare];
  else {
    try {
      addresses = await (options.resolve ?? systemResolve)(bare);
    } catch {
      throw badRequest(`The host '${bare}' could not be resolved.`);
    }
  }
  if (addresses.length === 0) throw badRequest(`The host '${bare}' could not be resolved.`);
  if (addresses.some(isNonPublicAddress)) {
    throw badRequest(`The host '${bare}' resolves to a private or internal address, which is not allowed.`);
  }
}

/** Checks an http(s) URL (webhooks): scheme, no credentials, every resolved address public. Returns the parsed URL. */
export async function assertPublicHttpUrl(raw: string, options: OutboundOptions): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('The URL is not valid.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badRequest('The URL must use http or https.');
  if (url.username || url.password) throw badRequest('The URL must not contain credentials.');
  await assertPublicHost(url.hostname, options);
  return url;
}

/** The hosts of a MongoDB connection string (`mongodb://h1:p,h2/db` or `mongodb+srv://host`). */
export function mongoUriHosts(uri: string): { srv: boolean; hosts: string[] } {
  const match = uri.match(/^mongodb(\+srv)?:\/\/(?:[^@/]*@)?([^/?#]*)/i);
  if (!match?.[2]) throw badRequest('The database URI must start with mongodb:// or mongodb+srv:// and name a host.');
  const hosts = match[2].split(',').map((h) => {
    const v6 = h.match(/^\[([^\]]+)\](?::\d+)?$/);
    return v6?.[1] ?? (h.split(':')[0] as string);
  });
  if (hosts.some((h) => !h)) throw badRequest('The database URI has an empty host.');
  return { srv: Boolean(match[1]), hosts };
}

/** Checks every host of a BYOD MongoDB URI (SRV targets included); throws 400 when any is internal. */
export async function assertPublicMongoUri(uri: string, options: OutboundOptions): Promise<void> {
  const { srv, hosts } = mongoUriHosts(uri);
  if (options.allowPrivateTargets) return;
  let targets = hosts;
  if (srv) {
    try {
      targets = await (options.resolveSrv ?? systemResolveSrv)(hosts[0] as string);
    } catch {
      throw badRequest(`The SRV record of '${hosts[0]}' could not be resolved.`);
    }
    if (targets.length === 0) throw badRequest(`The SRV record of '${hosts[0]}' has no hosts.`);
  }
  for (const host of targets) await assertPublicHost(host, options);
}
