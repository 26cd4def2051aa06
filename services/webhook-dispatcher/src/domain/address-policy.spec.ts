import { describe, expect, it } from 'vitest';
import {
  addressRange,
  parseHostRule,
  refusalReason,
  type AddressPolicy,
} from './address-policy.js';

const strict: AddressPolicy = { allowPrivate: false, allowedHosts: [] };

describe('addressRange', () => {
  it.each([
    ['8.8.8.8', 'unicast'],
    ['2606:4700::1111', 'unicast'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['fd00::1', 'uniqueLocal'],
    ['0.0.0.0', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:10.0.0.1', 'private'],
    ['[::1]', 'loopback'],
  ])('%s is %s', (address, range) => {
    expect(addressRange(address)).toBe(range);
  });
});

describe('refusalReason', () => {
  it('lets public addresses through', () => {
    expect(refusalReason('example.com', '93.184.216.34', strict)).toBeNull();
    expect(refusalReason('[2606:4700::1111]', '2606:4700::1111', strict)).toBeNull();
  });

  it('refuses every non-public range and says why', () => {
    expect(refusalReason('169.254.169.254', '169.254.169.254', strict)).toBe(
      '169.254.169.254 is a link-local (cloud metadata) address; webhooks may only call public addresses',
    );
    expect(refusalReason('10.0.0.1', '10.0.0.1', strict)).toMatch(/10.0.0.1 is a private address/);
    expect(refusalReason('[::1]', '::1', strict)).toMatch(/::1 is a loopback address/);
    expect(refusalReason('100.64.1.1', '100.64.1.1', strict)).toMatch(/carrier-grade NAT/);
    expect(refusalReason('[fd12::1]', 'fd12::1', strict)).toMatch(/unique-local/);
    expect(refusalReason('[::ffff:7f00:1]', '::ffff:7f00:1', strict)).toMatch(
      /::ffff:7f00:1 \(127.0.0.1\) is a loopback address/,
    );
  });

  it('names the host when a name resolves to a refused address', () => {
    expect(refusalReason('localhost', '127.0.0.1', strict)).toMatch(
      /127.0.0.1 is a loopback address \(localhost resolves to it\)/,
    );
  });

  it('allows hosts listed by name, address or range — as written in the URL', () => {
    const policy: AddressPolicy = {
      allowPrivate: false,
      allowedHosts: ['localhost', '127.0.0.1', '::1', '10.1.0.0/16'].map(parseHostRule),
    };
    expect(refusalReason('localhost', '127.0.0.1', policy)).toBeNull();
    expect(refusalReason('127.0.0.1', '127.0.0.1', policy)).toBeNull();
    expect(refusalReason('[::1]', '::1', policy)).toBeNull();
    expect(refusalReason('10.1.2.3', '10.1.2.3', policy)).toBeNull();
    expect(refusalReason('10.2.0.1', '10.2.0.1', policy)).toMatch(/private/);
    // A listed address does not vouch for other names that resolve to it.
    expect(
      refusalReason('evil.example', '127.0.0.1', {
        ...policy,
        allowedHosts: [parseHostRule('127.0.0.1')],
      }),
    ).toMatch(/evil.example resolves to it/);
  });

  it('allowPrivate opens private ranges but never link-local', () => {
    const open: AddressPolicy = { allowPrivate: true, allowedHosts: [] };
    expect(refusalReason('10.0.0.1', '10.0.0.1', open)).toBeNull();
    expect(refusalReason('localhost', '127.0.0.1', open)).toBeNull();
    expect(refusalReason('169.254.169.254', '169.254.169.254', open)).toMatch(/link-local/);
  });

  it('refuses malformed allow-list entries', () => {
    expect(() => parseHostRule('http://x')).toThrow(/not a host name, address or CIDR/);
  });
});
