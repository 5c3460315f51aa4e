import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { DestinationRefusedError } from './errors.ts';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** One resolved address of a destination host. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a host name to every address it has. Injected so that tests can answer differently on each call
 * (DNS rebinding) and so that the guard never depends on the machine's resolver configuration.
 */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/**
 * Which destinations deliveries may reach: the public internet, plus the operator's allow-list
 * (`VIGIL_WEBHOOK_ALLOW_CIDRS`) for private ticketing systems.
 */
export interface AddressPolicy {
  allow: readonly AllowedRange[];
}

export interface AllowedRange {
  /** The CIDR as the operator wrote it, for messages. */
  cidr: string;
  range: [Address, number];
}

/** The most a destination URL may be; longer ones are refused rather than stored. */
export const MAX_URL_LENGTH = 2048;

/**
 * Builds a policy from CIDR strings (`10.20.0.0/16`, `fd00::/8`, or a bare address for a single host).
 * A malformed entry throws: an operator typo must not silently open or close anything.
 */
export function addressPolicy(cidrs: readonly string[] = []): AddressPolicy {
  const allow: AllowedRange[] = [];
  for (const raw of cidrs) {
    const cidr = raw.trim();
    if (cidr === '') continue;
    let range: [Address, number];
    try {
      if (cidr.includes('/')) range = ipaddr.parseCIDR(cidr);
      else {
        const address = ipaddr.parse(cidr);
        range = [address, address.kind() === 'ipv4' ? 32 : 128];
      }
    } catch {
      throw new Error(`not a CIDR range: ${JSON.stringify(cidr)} (expected e.g. 10.20.0.0/16)`);
    }
    allow.push({ cidr, range });
  }
  return { allow };
}

/** Parses `VIGIL_WEBHOOK_ALLOW_CIDRS` (comma-separated CIDRs; empty or absent allows nothing extra). */
export function parseAllowCidrs(value: string | undefined): AddressPolicy {
  return addressPolicy((value ?? '').split(','));
}

export type AddressVerdict = { allowed: true } | { allowed: false; range: string };

// Never connectable, whatever the allow-list says: an "allow everything" entry must not make 0.0.0.0
// (which reaches the local host) or a multicast group a destination.
const NEVER = new Set(['unspecified', 'multicast', 'broadcast']);

function allowListed(address: Address, policy: AddressPolicy): boolean {
  return policy.allow.some(
    ({ range }) => range[0].kind() === address.kind() && address.match(range as [Address, number]),
  );
}

function ipv4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * The IPv4 address an IPv6 address carries, for the forms that route to it: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-translated (::ffff:0:a.b.c.d), NAT64 well-known prefix (64:ff9b::/96) and 6to4 (2002:aabb:ccdd::).
 */
function embeddedIpv4(address: ipaddr.IPv6): { ipv4: ipaddr.IPv4; form: string } | null {
  const p = address.parts;
  const range = address.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145')
    return { ipv4: ipv4FromParts(p[6]!, p[7]!), form: range };
  if (range === 'rfc6052' && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0) {
    return { ipv4: ipv4FromParts(p[6]!, p[7]!), form: 'nat64' };
  }
  if (range === '6to4') return { ipv4: ipv4FromParts(p[1]!, p[2]!), form: '6to4' };
  return null;
}

/**
 * Whether a delivery may connect to `ip`. Public unicast addresses may; loopback, RFC 1918, link-local
 * (169.254.0.0/16 with the instance metadata service, fe80::/10), CGNAT, unique-local, documentation,
 * benchmarking and reserved ranges may not, unless the allow-list names them. IPv4-mapped IPv6 is refused
 * as such; NAT64 and 6to4 addresses are judged by the IPv4 address they embed.
 */
export function classifyAddress(ip: string, policy: AddressPolicy): AddressVerdict {
  let address: Address;
  try {
    address = ipaddr.parse(ip.replace(/%.*$/, ''));
  } catch {
    return { allowed: false, range: 'unparsable' };
  }
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    const embedded = embeddedIpv4(v6);
    if (embedded) {
      const inner = classifyAddress(embedded.ipv4.toString(), policy);
      if (embedded.form === 'ipv4Mapped' || embedded.form === 'rfc6145') {
        // A mapped address reaches the IPv4 host directly: only an allow-listed IPv4 range opens it.
        if (allowListed(embedded.ipv4, policy) && inner.allowed) return inner;
        return { allowed: false, range: `${embedded.form}(${embedded.ipv4.toString()})` };
      }
      if (!inner.allowed) return { allowed: false, range: `${embedded.form}(${inner.range})` };
      return inner;
    }
  }
  const range = address.range();
  if (NEVER.has(range)) return { allowed: false, range };
  if (allowListed(address, policy)) return { allowed: true };
  if (range === 'unicast') return { allowed: true };
  return { allowed: false, range };
}

/**
 * Parses and checks a destination URL without resolving it: http or https only, no user name or password,
 * a host, at most MAX_URL_LENGTH characters. The WHATWG parser normalises IPv4 spellings (decimal
 * `2130706433`, hex `0x7f000001`, octal `0177.0.0.1`, short `127.1`) to dotted quads, so the address checks
 * see the address the socket would reach.
 */
export function parseDestinationUrl(raw: string): URL {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) {
    throw new DestinationRefusedError('invalid_url', `the URL must be 1 to ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DestinationRefusedError('invalid_url', 'not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DestinationRefusedError(
      'scheme',
      `only http and https destinations are allowed, not ${url.protocol}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new DestinationRefusedError('credentials_in_url', 'the URL must not carry a user name or password');
  }
  if (url.hostname === '') throw new DestinationRefusedError('invalid_url', 'the URL has no host');
  url.hash = '';
  return url;
}

/** The host of a parsed URL as an address (brackets of IPv6 literals removed), or null for a name. */
export function literalAddress(url: URL): string | null {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : null;
}

/** The name to resolve for a parsed URL (IPv6 brackets removed). */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Resolves `hostname` (or takes the literal address) and checks every answer. All must be allowed: a name
 * with one public and one private answer is refused, since the socket could reach either. Returns the
 * checked answers; the first is the one to pin a connection to.
 */
export async function resolveChecked(
  hostname: string,
  policy: AddressPolicy,
  resolver: Resolver,
): Promise<ResolvedAddress[]> {
  let answers: ResolvedAddress[];
  const literal = isIP(hostname);
  if (literal !== 0) answers = [{ address: hostname, family: literal as 4 | 6 }];
  else {
    try {
      answers = await resolver(hostname);
    } catch (error) {
      throw new DestinationRefusedError(
        'unresolvable',
        `${hostname} does not resolve (${(error as { code?: string }).code ?? 'lookup failed'})`,
      );
    }
  }
  if (answers.length === 0) throw new DestinationRefusedError('unresolvable', `${hostname} has no address`);
  for (const answer of answers) {
    const verdict = classifyAddress(answer.address, policy);
    if (!verdict.allowed) {
      throw new DestinationRefusedError(
        'address',
        `${hostname} resolves to ${answer.address}, a ${verdict.range} address; deliveries only go to public addresses or ranges in VIGIL_WEBHOOK_ALLOW_CIDRS`,
        { address: answer.address, range: verdict.range },
      );
    }
  }
  return answers;
}

/**
 * The check made when a subscription is saved: a well-formed http(s) URL whose host resolves only to allowed
 * addresses. Deliveries check again when they connect (see createHttpClient), since DNS answers change.
 */
export async function checkDestination(
  raw: string,
  options: { policy: AddressPolicy; resolver: Resolver },
): Promise<{ url: URL; addresses: ResolvedAddress[] }> {
  const url = parseDestinationUrl(raw);
  const addresses = await resolveChecked(hostOf(url), options.policy, options.resolver);
  return { url, addresses };
}
