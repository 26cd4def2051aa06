import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { bareHost, refusalReason, type AddressPolicy } from '../domain/address-policy.js';

/** A destination the address policy refuses; never worth sending to. */
export class RefusedDestinationError extends Error {
  override name = 'RefusedDestinationError';
}

export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (host: string) => Promise<PinnedAddress[]>;

export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })) as PinnedAddress[];

/**
 * Resolves the URL's host and checks every address it resolves to (one bad answer is enough to
 * refuse: an attacker controls which one a client would pick). The first address is returned so
 * the request connects to exactly what was checked, whatever DNS answers a moment later.
 */
export async function resolveDestination(
  url: URL,
  policy: AddressPolicy,
  resolve: Resolver = systemResolver,
): Promise<PinnedAddress> {
  const host = bareHost(url.hostname);
  const family = isIP(host);
  const addresses =
    family === 0 ? await resolve(host) : [{ address: host, family: family as 4 | 6 }];
  for (const { address } of addresses) {
    const reason = refusalReason(url.hostname, address, policy);
    if (reason) throw new RefusedDestinationError(reason);
  }
  const first = addresses[0];
  if (!first) throw new Error(`${host} resolves to no address`);
  return first;
}
