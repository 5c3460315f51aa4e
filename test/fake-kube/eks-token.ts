import { createHash, createHmac } from 'node:crypto';

/**
 * Checks an EKS bearer token the way the EKS authenticator does, independently of the code that made it:
 * the documented shape (`k8s-aws-v1.` + unpadded base64url of a presigned STS GetCallerIdentity URL on the
 * regional endpoint, `x-k8s-aws-id` among the signed headers, issued less than 15 minutes ago) and, given
 * the secret key, the SigV4 query-string signature recomputed from the specification with node:crypto.
 */

export interface VerifiedEksToken {
  url: URL;
  accessKeyId: string;
  region: string;
  signedAt: Date;
}

export interface VerifyOptions {
  clusterName: string;
  region: string;
  /** The secret key for the access key id the token names; omitted, the signature is not recomputed. */
  secretFor?: (accessKeyId: string) => string | undefined;
  now?: Date;
}

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Throws an Error saying what is wrong; returns the decoded parts when the token is valid. */
export function verifyEksToken(token: string, options: VerifyOptions): VerifiedEksToken {
  const prefix = 'k8s-aws-v1.';
  if (!token.startsWith(prefix)) throw new Error('token does not start with k8s-aws-v1.');
  const encoded = token.slice(prefix.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) throw new Error('token is not unpadded base64url');
  const url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  if (url.protocol !== 'https:') throw new Error('not https');
  const host = options.region.startsWith('cn-')
    ? `sts.${options.region}.amazonaws.com.cn`
    : `sts.${options.region}.amazonaws.com`;
  if (url.host !== host) throw new Error(`host ${url.host} is not ${host}`);
  if (url.pathname !== '/') throw new Error('path is not /');
  const q = url.searchParams;
  const need = (key: string) => {
    const values = q.getAll(key);
    if (values.length !== 1) throw new Error(`query parameter ${key} missing or repeated`);
    return values[0]!;
  };
  if (need('Action') !== 'GetCallerIdentity') throw new Error('Action is not GetCallerIdentity');
  if (need('Version') !== '2011-06-15') throw new Error('Version is not 2011-06-15');
  if (need('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
    throw new Error('X-Amz-Algorithm is not AWS4-HMAC-SHA256');
  const expires = Number(need('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires <= 0 || expires > 900)
    throw new Error('X-Amz-Expires out of range');
  const signedHeaders = need('X-Amz-SignedHeaders');
  if (!signedHeaders.split(';').includes('x-k8s-aws-id'))
    throw new Error('x-k8s-aws-id is not a signed header');
  if (!signedHeaders.split(';').includes('host')) throw new Error('host is not a signed header');
  const [accessKeyId, day, region, service, terminator, ...rest] = need('X-Amz-Credential').split('/');
  if (
    !accessKeyId ||
    rest.length ||
    service !== 'sts' ||
    terminator !== 'aws4_request' ||
    region !== options.region
  ) {
    throw new Error('X-Amz-Credential does not name an sts scope in the region');
  }
  const amzDate = need('X-Amz-Date');
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!match || amzDate.slice(0, 8) !== day)
    throw new Error('X-Amz-Date malformed or not the credential day');
  const signedAt = new Date(
    Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!),
  );
  const now = options.now ?? new Date();
  if (now.getTime() - signedAt.getTime() > 15 * 60_000) throw new Error('token is older than 15 minutes');
  const signature = need('X-Amz-Signature');
  if (!/^[0-9a-f]{64}$/.test(signature)) throw new Error('X-Amz-Signature is not 64 hex digits');

  const secret = options.secretFor?.(accessKeyId);
  if (options.secretFor) {
    if (!secret) throw new Error(`unknown access key ${accessKeyId}`);
    const canonicalQuery = [...q.entries()]
      .filter(([key]) => key !== 'X-Amz-Signature')
      .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
      .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
      .map(([key, value]) => `${key}=${value}`)
      .join('&');
    const headerValues: Record<string, string> = { host: url.host, 'x-k8s-aws-id': options.clusterName };
    const names = signedHeaders.split(';');
    const canonicalHeaders = names.map((name) => `${name}:${headerValues[name] ?? ''}\n`).join('');
    const canonicalRequest = ['GET', '/', canonicalQuery, canonicalHeaders, signedHeaders, EMPTY_SHA256].join(
      '\n',
    );
    const scope = `${day}/${region}/sts/aws4_request`;
    const stringToSign = [
      'AWS4-HMAC-SHA256',
      amzDate,
      scope,
      createHash('sha256').update(canonicalRequest).digest('hex'),
    ].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day!), region), 'sts'), 'aws4_request');
    const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
    if (expected !== signature)
      throw new Error('signature does not verify (wrong cluster name, key or canonical form)');
  }
  return { url, accessKeyId, region, signedAt };
}
