import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials, AwsCredentialsProvider } from '../types.ts';

/**
 * The EKS bearer token, made in-process the way aws-iam-authenticator and `aws eks get-token` make it: a
 * presigned STS GetCallerIdentity URL whose signature covers the `x-k8s-aws-id: <cluster name>` header,
 * base64url-encoded without padding behind `k8s-aws-v1.`. EKS accepts it for 15 minutes after X-Amz-Date
 * (it does not honour X-Amz-Expires), so tokens are renewed well before that.
 */

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
const STS_VERSION = '2011-06-15';
const PRESIGN_EXPIRES_SECONDS = 60;
/** EKS rejects a token 15 minutes after signing; renewing at 10 leaves room for clock skew and slow pages. */
export const EKS_TOKEN_RENEW_AFTER_MS = 10 * 60_000;

/** The regional STS endpoint EKS expects for the cluster's partition. */
export function stsHostname(region: string, partition = 'aws'): string {
  return partition === 'aws-cn' ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

/** RFC 3986 percent-encoding, as SigV4 canonicalises query strings. */
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export interface EksTokenInput {
  clusterName: string;
  region: string;
  partition?: string;
  credentials: AwsCredentials;
  signingDate: Date;
}

/** One token for the cluster, signed with the given credentials at the given time. */
export async function presignEksToken(input: EksTokenInput): Promise<string> {
  const hostname = stsHostname(input.region, input.partition);
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: input.credentials.accessKeyId,
      secretAccessKey: input.credentials.secretAccessKey,
      ...(input.credentials.sessionToken ? { sessionToken: input.credentials.sessionToken } : {}),
    },
    region: input.region,
    service: 'sts',
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: STS_VERSION },
    headers: { host: hostname, 'x-k8s-aws-id': input.clusterName },
  });
  const signed = await signer.presign(request, {
    expiresIn: PRESIGN_EXPIRES_SECONDS,
    signingDate: input.signingDate,
  });
  const query = Object.entries(signed.query ?? {})
    .flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value]).map(
        (v) => `${encodeRfc3986(key)}=${encodeRfc3986(String(v))}`,
      ),
    )
    .sort()
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

export interface EksTokenProviderOptions {
  clusterName: string;
  region: string;
  partition?: string;
  credentials: AwsCredentialsProvider;
  clock: () => number;
  renewAfterMs?: number;
}

/**
 * Hands out the current token, signing a new one when the cached one is older than `renewAfterMs`.
 * Concurrent callers during a renewal share one signing. The token lives only in this object's memory.
 */
export class EksTokenProvider {
  private readonly options: EksTokenProviderOptions;
  private cached: { token: string; signedAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(options: EksTokenProviderOptions) {
    this.options = options;
  }

  async token(): Promise<string> {
    const now = this.options.clock();
    const renewAfter = this.options.renewAfterMs ?? EKS_TOKEN_RENEW_AFTER_MS;
    if (this.cached && now - this.cached.signedAt < renewAfter) return this.cached.token;
    this.pending ??= (async () => {
      try {
        const signedAt = this.options.clock();
        const token = await presignEksToken({
          clusterName: this.options.clusterName,
          region: this.options.region,
          ...(this.options.partition ? { partition: this.options.partition } : {}),
          credentials: await this.options.credentials(),
          signingDate: new Date(signedAt),
        });
        this.cached = { token, signedAt };
        return token;
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }

  /** Shown instead of the token if anything ever tries to print this object. */
  toJSON(): string {
    return '[EksTokenProvider]';
  }
}
