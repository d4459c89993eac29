import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook must never reach (SSRF): loopback, link-local (cloud metadata at 169.254.169.254), private
 * and carrier-grade NAT ranges, unspecified, multicast and reserved, in IPv4 and IPv6 (IPv4-mapped included).
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  // The unspecified and loopback addresses, and IPv4-compatible addresses (::a.b.c.d, deprecated) altogether.
  ['::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  // 6to4 embeds any IPv4 address, private ones included.
  ['2002::', 16],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** IPv4-mapped IPv6 (::ffff:127.0.0.1) is checked as the IPv4 address it maps. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export function isForbiddenAddress(address: string): boolean {
  const { address: plain, family } = unmapped(address);
  if (isIP(plain) === 0) return true;
  return BLOCKED.check(plain, family);
}

export class ForbiddenTargetError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`target ${host} resolves to ${address}, a loopback, link-local or private address`);
    this.name = 'ForbiddenTargetError';
  }
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Resolves a webhook's host and refuses it when any address is forbidden (unless private targets are allowed, for
 * development and tests). Returns the addresses to connect to, so the connection uses exactly what was checked (no
 * second lookup that DNS rebinding could answer differently).
 */
export async function checkTarget(
  url: URL,
  allowPrivate: boolean,
  resolve: Resolver = systemResolver,
): Promise<{ address: string; family: number }[]> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`unsupported protocol ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host);
  if (addresses.length === 0) throw new Error(`${host} does not resolve`);
  if (!allowPrivate) {
    const bad = addresses.find((a) => isForbiddenAddress(a.address));
    if (bad) throw new ForbiddenTargetError(host, bad.address);
  }
  return addresses;
}
