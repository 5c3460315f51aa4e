import {
  AssumeRoleError,
  ClusterAuthError,
  ClusterUnreachableError,
  DeadlineExceededError,
  EksApiError,
  InvalidResponseError,
  InvalidSourceError,
} from '@vigil/collect';
import { InputError } from '@vigil/core';
import { DatabaseConfigError, InvalidInputError, NotFoundError, RunTransitionError } from '@vigil/db';
import { describe, expect, it } from 'vitest';
import { InsufficientTimeError, MalformedMessageError, PermanentScanError } from '../errors.ts';
import { classifyScanError, describeScanError } from './classify.ts';

describe('classifyScanError', () => {
  it.each([
    ['a deleted cluster', new PermanentScanError('CLUSTER_DELETED', 'gone')],
    ['an invalid source', new InvalidSourceError('no such context')],
    ['refused credentials', new ClusterAuthError('401')],
    ['a refused AssumeRole', new AssumeRoleError('arn:aws:iam::111122223333:role/x', 'external id mismatch')],
    ['an endpoint answering garbage', new InvalidResponseError('not a Kubernetes API')],
    ['a missing EKS cluster', new EksApiError('EKS_CLUSTER_NOT_FOUND', 'no such cluster')],
    ['denied EKS access', new EksApiError('EKS_ACCESS_DENIED', 'denied')],
    ['a malformed snapshot file', new InputError('snap.json', 'not a Vigil snapshot')],
    ['a cluster the store does not know', new NotFoundError('cluster', 'x')],
    ['input the store refuses', new InvalidInputError('bad slot')],
    ['a malformed message', new MalformedMessageError('not JSON')],
  ])('treats %s as permanent', (_what, error) => {
    expect(classifyScanError(error)).toBe('permanent');
  });

  it.each([
    ['an unreachable cluster', new ClusterUnreachableError('refused')],
    ['a deadline that passed before anything was read', new DeadlineExceededError('late')],
    ['EKS throttling to the end', new EksApiError('EKS_API_FAILED', 'ThrottlingException')],
    ['a database that cannot be reached', new DatabaseConfigError('cannot connect')],
    ['a run finalised concurrently', new RunTransitionError('no longer running')],
    ['too little time left', new InsufficientTimeError('1 ms left')],
    ['a driver error', Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET' })],
    ['a bug', new TypeError('x is undefined')],
    ['something that is not an error', 'boom'],
  ])('treats %s as transient', (_what, error) => {
    expect(classifyScanError(error)).toBe('transient');
  });
});

describe('describeScanError', () => {
  it('gives the code and the first line of the message', () => {
    expect(describeScanError(new InvalidResponseError('not Kubernetes\nbody: <html>'))).toBe(
      'INVALID_RESPONSE: not Kubernetes',
    );
    expect(describeScanError(new TypeError('x is undefined'))).toBe('TypeError: x is undefined');
    expect(describeScanError('boom')).toBe('unknown error');
  });

  it('bounds the reason', () => {
    expect(describeScanError(new Error('x'.repeat(5000))).length).toBe(1000);
  });
});
