import type { BlockList } from 'node:net';
import { isIPv4 } from 'node:net';

/** Node reports IPv4 peers on a dual-stack socket as ::ffff:a.b.c.d; match them as IPv4. */
export function normaliseAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = address.startsWith('::ffff:') ? address.slice(7) : address;
  return isIPv4(mapped) ? { address: mapped, family: 'ipv4' } : { address, family: 'ipv6' };
}

/** Answers per list and address: Express asks the trusted-proxy list on every `req.ip`, pages ask the intranet list. */
const answers = new WeakMap<BlockList, Map<string, boolean>>();
/** Addresses remembered per list; past this the list's answers start over. */
const ANSWERS_KEPT = 4096;

/** Whether the address is in the list (lists are built once, from the configuration, and never changed). */
export function addressIn(list: BlockList, address: string | undefined | null): boolean {
  if (!address) return false;
  let known = answers.get(list);
  if (!known) answers.set(list, (known = new Map()));
  let answer = known.get(address);
  if (answer === undefined) {
    const n = normaliseAddress(address);
    answer = list.check(n.address, n.family);
    if (known.size >= ANSWERS_KEPT) known.clear();
    known.set(address, answer);
  }
  return answer;
}
