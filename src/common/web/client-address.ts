import type { BlockList } from 'node:net';
import { isIPv4 } from 'node:net';

/** Node reports IPv4 peers on a dual-stack socket as ::ffff:a.b.c.d; match them as IPv4. */
export function normaliseAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = address.startsWith('::ffff:') ? address.slice(7) : address;
  return isIPv4(mapped) ? { address: mapped, family: 'ipv4' } : { address, family: 'ipv6' };
}

export function addressIn(list: BlockList, address: string | undefined | null): boolean {
  if (!address) return false;
  const n = normaliseAddress(address);
  return list.check(n.address, n.family);
}
