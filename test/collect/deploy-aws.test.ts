import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASSUME_ROLE_ACTION, SCANNER_IAM_ACTIONS } from '@vigil/collect';
import { ACCESS_POLICIES } from '@vigil/core/identity';
import { matchResourceRule } from '@vigil/core/rbac';
import { buildSnapshotFromFiles } from '@vigil/core/snapshot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const deploy = join(import.meta.dirname, '../../deploy');
const readJson = (name: string): unknown => JSON.parse(readFileSync(join(deploy, 'aws', name), 'utf8'));

const statementSchema = z
  .object({
    Sid: z.string().optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Principal: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
    Action: z.union([z.string(), z.array(z.string())]),
    Resource: z.union([z.string(), z.array(z.string())]).optional(),
    Condition: z
      .record(z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())])))
      .optional(),
  })
  .strict();
const policySchema = z
  .object({ Version: z.literal('2012-10-17'), Statement: z.array(statementSchema).min(1) })
  .strict();
const actionsOf = (statement: z.infer<typeof statementSchema>) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

describe('deploy/aws', () => {
  it('scanner-policy.json allows exactly the read calls the collector makes, and nothing else', () => {
    const policy = policySchema.parse(readJson('scanner-policy.json'));
    expect(policy.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
    const actions = policy.Statement.flatMap(actionsOf);
    expect([...actions].sort()).toEqual([...SCANNER_IAM_ACTIONS].sort());
    for (const action of actions) {
      expect(action).not.toContain('*');
      expect(action).toMatch(/^(eks|kms):(Describe|List|Get)[A-Za-z]+$/);
    }
  });

  it('trust-policy.json lets only a named principal assume the role, and only with sts:ExternalId', () => {
    const policy = policySchema.parse(readJson('trust-policy.json'));
    for (const statement of policy.Statement.filter((s) => s.Effect === 'Allow')) {
      expect(actionsOf(statement)).toEqual([ASSUME_ROLE_ACTION]);
      const principal = statement.Principal?.AWS;
      expect(principal).toBeDefined();
      expect(principal).not.toBe('*');
      expect(statement.Condition?.StringEquals?.['sts:ExternalId']).toEqual(expect.any(String));
      // Session names the collector uses (vigil-<scanId>) pass the session-name condition.
      const pattern = statement.Condition?.StringLike?.['sts:RoleSessionName'];
      if (typeof pattern === 'string')
        expect('vigil-scan-1').toMatch(new RegExp(`^${pattern.replace('*', '.*')}$`));
    }
  });

  it('scanner-assume-policy.json only lets the scanner assume the vigil-scanner roles', () => {
    const policy = policySchema.parse(readJson('scanner-assume-policy.json'));
    expect(policy.Statement.flatMap(actionsOf)).toEqual([ASSUME_ROLE_ACTION]);
    expect(policy.Statement[0]?.Resource).toBe('arn:aws:iam::*:role/vigil-scanner');
  });

  it('access-entry.json puts the scanner role in the group the shipped ClusterRole is bound to, with no access policy', () => {
    const entry = z
      .object({
        clusterName: z.string(),
        principalArn: z.string().regex(/^arn:aws:iam::[A-Z0-9_]+:role\/vigil-scanner$/),
        type: z.literal('STANDARD'),
        kubernetesGroups: z.array(z.string()).length(1),
      })
      .strict()
      .parse(readJson('access-entry.json'));
    const rbac = buildSnapshotFromFiles({
      manifests: [
        {
          name: 'scanner-rbac.yaml',
          text: readFileSync(join(deploy, 'kubernetes/scanner-rbac.yaml'), 'utf8'),
        },
      ],
    });
    const boundGroups = [...rbac.kubernetes.clusterRoleBindings, ...rbac.kubernetes.roleBindings].map(
      (binding) => binding.subjects.filter((s) => s.kind === 'Group').map((s) => s.name),
    );
    for (const groups of boundGroups) expect(groups).toEqual(entry.kubernetesGroups);
    // EKS refuses groups starting with system: for access entries.
    expect(entry.kubernetesGroups[0]).not.toMatch(/^system:/);
  });

  it('uses no AWS-managed access policy because each is too narrow or reads Secrets', () => {
    const grants = (policy: string, verb: string, apiGroup: string, resource: string) =>
      (ACCESS_POLICIES[policy]?.rules ?? []).some(
        (rule) => matchResourceRule(rule, { verb, apiGroup, resource }) === 'all',
      );
    // The view policy cannot list the RBAC objects the audit is about...
    expect(grants('AmazonEKSViewPolicy', 'list', 'rbac.authorization.k8s.io', 'rolebindings')).toBe(false);
    expect(grants('AmazonEKSViewPolicy', 'list', 'rbac.authorization.k8s.io', 'clusterroles')).toBe(false);
    // ...and the admin view policy can read every Secret.
    expect(grants('AmazonEKSAdminViewPolicy', 'get', '', 'secrets')).toBe(true);
    expect(readJson('access-entry.json')).not.toHaveProperty('accessPolicies');
  });
});
