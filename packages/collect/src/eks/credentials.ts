import { randomUUID } from 'node:crypto';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { AssumeRoleError } from '../errors.ts';
import type { AwsCredentials, AwsCredentialsProvider } from '../types.ts';
import { type AwsCallContext, awsCall } from './aws-call.ts';
import { classifyAwsError, describeAwsError } from './aws-errors.ts';
import { ASSUME_ROLE_ACTION } from './iam-actions.ts';

/** Assumed credentials are refreshed this long before they expire, so no request carries stale ones. */
const REFRESH_BEFORE_MS = 5 * 60_000;
const SESSION_SECONDS = 3600;

/**
 * `vigil-<scanId>`, reduced to the characters STS allows ([\w+=,.@-]) and its 64-character limit, so the
 * scan that used a role can be found in the cluster account's CloudTrail.
 */
export function roleSessionName(scanId: string | undefined): string {
  const id = (scanId ?? randomUUID()).replace(/[^\w+=,.@-]/g, '-');
  return `vigil-${id}`.slice(0, 64);
}

export interface AssumeRoleOptions {
  sts: STSClient;
  roleArn: string;
  externalId: string | undefined;
  sessionName: string;
  call: AwsCallContext;
}

/**
 * Credentials of the scanner role in the cluster's account, assumed on first use and again shortly before
 * they expire. The ExternalId is sent whenever one is configured. Failures throw AssumeRoleError naming the
 * role, with the reason AWS gave; neither the credentials nor the external id ever appear in it.
 */
export function assumeRoleProvider(options: AssumeRoleOptions): AwsCredentialsProvider {
  let current: AwsCredentials | undefined;
  let pending: Promise<AwsCredentials> | undefined;
  const assume = async (): Promise<AwsCredentials> => {
    const result = await awsCall(options.call, ASSUME_ROLE_ACTION, (abortSignal) =>
      options.sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: options.sessionName,
          DurationSeconds: SESSION_SECONDS,
          ...(options.externalId !== undefined ? { ExternalId: options.externalId } : {}),
        }),
        { abortSignal },
      ),
    );
    if (!result.ok) {
      const failure = classifyAwsError(result.error);
      const hint =
        failure === 'denied'
          ? ': the role trust policy must allow this scanner identity and require the external id configured for the cluster'
          : '';
      throw new AssumeRoleError(
        options.roleArn,
        `cannot assume role ${options.roleArn} (${describeAwsError(result.error)})${hint}`,
      );
    }
    const credentials = result.value.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new AssumeRoleError(
        options.roleArn,
        `${ASSUME_ROLE_ACTION} on ${options.roleArn} returned no credentials`,
      );
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    };
  };
  return async () => {
    const now = options.call.timing.now();
    if (current && (!current.expiration || current.expiration.getTime() - REFRESH_BEFORE_MS > now))
      return current;
    pending ??= assume().then(
      (fresh) => {
        current = fresh;
        pending = undefined;
        return fresh;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}
