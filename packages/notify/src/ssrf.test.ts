import { describe, expect, it } from 'vitest';
import { DestinationRefusedError } from './errors.ts';
import {
  addressPolicy,
  checkDestination,
  classifyAddress,
  parseAllowCidrs,
  parseDestinationUrl,
  type Resolver,
} from './ssrf.ts';

const none = addressPolicy();
const fixed =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

async function refusal(url: string, resolver: Resolver = fixed('93.184.216.34'), policy = none) {
  try {
    await checkDestination(url, { policy, resolver });
  } catch (error) {
    expect(error).toBeInstanceOf(DestinationRefusedError);
    const e = error as DestinationRefusedError;
    return { reason: e.reason, range: e.range };
  }
  return null;
}

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.0.0.2', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['169.254.0.1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456:789a::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:127.0.0.1', 'ipv4Mapped(127.0.0.1)'],
    ['::ffff:169.254.169.254', 'ipv4Mapped(169.254.169.254)'],
    ['::ffff:8.8.8.8', 'ipv4Mapped(8.8.8.8)'],
    ['::ffff:0:7f00:1', 'rfc6145(127.0.0.1)'],
    ['64:ff9b::a9fe:a9fe', 'nat64(linkLocal)'],
    ['64:ff9b::7f00:1', 'nat64(loopback)'],
    ['64:ff9b:1::1', 'rfc6052'],
    ['2002:7f00:1::1', '6to4(loopback)'],
    ['2002:a00:1::1', '6to4(private)'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['not-an-ip', 'unparsable'],
  ])('refuses %s (%s)', (ip, range) => {
    expect(classifyAddress(ip, none)).toEqual({ allowed: false, range });
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows the public address %s', (ip) => {
    expect(classifyAddress(ip, none)).toEqual({ allowed: true });
  });

  it('opens allow-listed ranges and nothing beside them', () => {
    const policy = parseAllowCidrs('10.20.0.0/16, 127.0.0.0/8,fd00:1::/32');
    expect(classifyAddress('10.20.3.4', policy).allowed).toBe(true);
    expect(classifyAddress('10.21.0.1', policy).allowed).toBe(false);
    expect(classifyAddress('127.0.0.1', policy).allowed).toBe(true);
    expect(classifyAddress('fd00:1::5', policy).allowed).toBe(true);
    expect(classifyAddress('fd00:2::5', policy).allowed).toBe(false);
    // A mapped address reaches its IPv4 host: the IPv4 allow-list decides.
    expect(classifyAddress('::ffff:10.20.0.9', policy).allowed).toBe(true);
    expect(classifyAddress('::ffff:10.30.0.9', policy).allowed).toBe(false);
    expect(classifyAddress('169.254.169.254', policy).allowed).toBe(false);
  });

  it('never opens unspecified, multicast or broadcast addresses, even to an allow-everything entry', () => {
    const policy = parseAllowCidrs('0.0.0.0/0,::/0');
    expect(classifyAddress('10.0.0.1', policy).allowed).toBe(true);
    expect(classifyAddress('0.0.0.0', policy)).toEqual({ allowed: false, range: 'unspecified' });
    expect(classifyAddress('224.0.0.1', policy)).toEqual({ allowed: false, range: 'multicast' });
    expect(classifyAddress('::', policy)).toEqual({ allowed: false, range: 'unspecified' });
  });

  it('treats a bare address in the allow-list as that single host', () => {
    const policy = parseAllowCidrs('10.0.0.5');
    expect(classifyAddress('10.0.0.5', policy).allowed).toBe(true);
    expect(classifyAddress('10.0.0.6', policy).allowed).toBe(false);
  });

  it('rejects a malformed allow-list entry instead of ignoring it', () => {
    expect(() => parseAllowCidrs('10.0.0.0/16,10.0.0/33')).toThrow(/not a CIDR range: "10.0.0\/33"/);
    expect(parseAllowCidrs(undefined).allow).toEqual([]);
    expect(parseAllowCidrs(' , ').allow).toEqual([]);
  });
});

describe('parseDestinationUrl', () => {
  it.each([
    ['ftp://example.com/x', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['gopher://example.com/', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['https://user:pass@example.com/', 'credentials_in_url'],
    ['https://user@example.com/', 'credentials_in_url'],
    ['not a url', 'invalid_url'],
    ['/relative/path', 'invalid_url'],
    ['', 'invalid_url'],
    [`https://example.com/${'a'.repeat(2100)}`, 'invalid_url'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(() => parseDestinationUrl(url)).toThrow(DestinationRefusedError);
    try {
      parseDestinationUrl(url);
    } catch (error) {
      expect((error as DestinationRefusedError).reason).toBe(reason);
    }
  });

  it('drops the fragment and keeps path and query', () => {
    expect(parseDestinationUrl('https://hooks.example.com/a/b?x=1#frag').toString()).toBe(
      'https://hooks.example.com/a/b?x=1',
    );
  });
});

describe('checkDestination', () => {
  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.0.0.2:8080/hook', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://0x7f.0.0.1/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://017700000001/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://2852039166/latest/meta-data/', 'linkLocal'],
    ['http://169.254.169.254/latest/meta-data/', 'linkLocal'],
    ['http://0xa9fea9fe/', 'linkLocal'],
    ['http://0/', 'unspecified'],
    ['http://0.0.0.0:9000/', 'unspecified'],
    ['http://[::1]/', 'loopback'],
    ['http://[::]/', 'unspecified'],
    ['http://[::ffff:127.0.0.1]/', 'ipv4Mapped(127.0.0.1)'],
    ['http://[::ffff:7f00:1]/', 'ipv4Mapped(127.0.0.1)'],
    ['http://[::ffff:a9fe:a9fe]/', 'ipv4Mapped(169.254.169.254)'],
    ['http://[fe80::1]/', 'linkLocal'],
    ['http://[fd00::1]/', 'uniqueLocal'],
    ['http://[64:ff9b::169.254.169.254]/', 'nat64(linkLocal)'],
    ['http://10.0.0.1/', 'private'],
    ['http://100.64.1.1/', 'carrierGradeNat'],
  ])('refuses the literal destination %s', async (url, range) => {
    expect(await refusal(url)).toEqual({ reason: 'address', range });
  });

  it('refuses names that resolve to refused addresses, including localhost', async () => {
    expect(await refusal('https://localhost/', fixed('127.0.0.1', '::1'))).toEqual({
      reason: 'address',
      range: 'loopback',
    });
    expect(await refusal('https://metadata.internal/', fixed('169.254.169.254'))).toEqual({
      reason: 'address',
      range: 'linkLocal',
    });
  });

  it('refuses a name when any one of its answers is refused', async () => {
    expect(await refusal('https://mixed.example/', fixed('93.184.216.34', '10.0.0.7'))).toEqual({
      reason: 'address',
      range: 'private',
    });
  });

  it('refuses a name that does not resolve or has no address', async () => {
    const failing: Resolver = async () => {
      throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
    };
    expect(await refusal('https://nope.example/', failing)).toEqual({
      reason: 'unresolvable',
      range: undefined,
    });
    expect(await refusal('https://empty.example/', fixed())).toEqual({
      reason: 'unresolvable',
      range: undefined,
    });
  });

  it('accepts a public name and returns the checked answers', async () => {
    const checked = await checkDestination('https://hooks.example.com/in', {
      policy: none,
      resolver: fixed('93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'),
    });
    expect(checked.url.hostname).toBe('hooks.example.com');
    expect(checked.addresses.map((a) => a.address)).toEqual([
      '93.184.216.34',
      '2606:2800:220:1:248:1893:25c8:1946',
    ]);
  });

  it('accepts an allow-listed private ticketing host', async () => {
    const policy = parseAllowCidrs('10.20.0.0/16');
    expect(await refusal('https://jira.corp.example/', fixed('10.20.1.5'), policy)).toBeNull();
    expect(await refusal('https://jira.corp.example/', fixed('10.30.1.5'), policy)).toEqual({
      reason: 'address',
      range: 'private',
    });
  });

  it('names the host and address but never the path or query in its message', async () => {
    try {
      await checkDestination('https://hooks.example/services/T000/B000/SECRETTOKEN?k=SECRET', {
        policy: none,
        resolver: fixed('127.0.0.1'),
      });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('hooks.example resolves to 127.0.0.1');
      expect((error as Error).message).not.toContain('SECRET');
    }
  });
});
