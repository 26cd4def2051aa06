import ipaddr from 'ipaddr.js';

/**
 * Which destinations a webhook may reach. Public unicast addresses always; anything else only when
 * the URL's host is listed in `allowedHosts` (a name, an address or a CIDR range matching an
 * address written in the URL), or — except link-local, where cloud metadata lives — when
 * `allowPrivate` is on.
 */
export interface AddressPolicy {
  allowPrivate: boolean;
  allowedHosts: readonly HostRule[];
}

export type HostRule =
  { kind: 'name'; name: string } | { kind: 'range'; range: [ipaddr.IPv4 | ipaddr.IPv6, number] };

const RANGE_LABELS: Record<string, string> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local (cloud metadata)',
  carrierGradeNat: 'carrier-grade NAT',
  uniqueLocal: 'unique-local',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  reserved: 'reserved',
};

/** URL hostnames keep IPv6 literals in brackets; addresses are compared without them. */
export const bareHost = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();

/**
 * The special-purpose range of an address (`unicast` for an ordinary public one). IPv4-mapped
 * IPv6 (`::ffff:10.0.0.1`) is classified as the IPv4 address it carries.
 */
export function addressRange(address: string): string {
  return ipaddr.process(bareHost(address)).range();
}

/** Parses one entry of WEBHOOK_ALLOWED_HOSTS: `localhost`, `127.0.0.1`, `::1` or `10.0.0.0/8`. */
export function parseHostRule(entry: string): HostRule {
  const value = bareHost(entry.trim());
  if (ipaddr.isValidCIDR(value)) return { kind: 'range', range: ipaddr.parseCIDR(value) };
  if (ipaddr.isValid(value)) {
    const ip = ipaddr.process(value);
    return { kind: 'range', range: [ip, ip.kind() === 'ipv4' ? 32 : 128] };
  }
  if (!/^[a-z0-9.-]+$/.test(value))
    throw new Error(`"${entry}" is not a host name, address or CIDR`);
  return { kind: 'name', name: value };
}

function hostIsListed(host: string, rules: readonly HostRule[]): boolean {
  const literal = ipaddr.isValid(host) ? ipaddr.process(host) : null;
  return rules.some((rule) =>
    rule.kind === 'name'
      ? rule.name === host
      : literal !== null && literal.kind() === rule.range[0].kind() && literal.match(rule.range),
  );
}

/**
 * Why `address` (what `host` resolved to) may not be contacted, or null when it may. `host` is the
 * URL's hostname as written.
 */
export function refusalReason(host: string, address: string, policy: AddressPolicy): string | null {
  const bare = bareHost(host);
  if (hostIsListed(bare, policy.allowedHosts)) return null;
  const ip = ipaddr.process(bareHost(address));
  const range = ip.range();
  if (range === 'unicast') return null;
  if (policy.allowPrivate && range !== 'linkLocal') return null;
  const label = RANGE_LABELS[range] ?? range;
  // An IPv4-mapped address is named by the IPv4 address it reaches.
  const shown =
    ip.toString() === bareHost(address) ? ip.toString() : `${bareHost(address)} (${ip})`;
  const via = bareHost(address) === bare ? '' : ` (${host} resolves to it)`;
  return `${shown} is a ${label} address${via}; webhooks may only call public addresses`;
}
