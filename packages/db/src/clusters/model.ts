import { z } from 'zod';

const eksClusterArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:eks:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/,
    'an EKS cluster ARN',
  );
const iamRoleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'an IAM role ARN');

/**
 * Where a cluster is read from. Only references are stored: a kubeconfig context by name, a role to assume,
 * never a token, key or certificate. The objects are strict so that a credential pasted into an unexpected
 * field is refused rather than stored.
 */
export const clusterSourceSchema = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('eks'),
      arn: eksClusterArn,
      region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region'),
      /** The cross-account role the scanner assumes; absent when the scanner's own identity reads it. */
      roleArn: iamRoleArn.optional(),
      /** Per-cluster external id passed on AssumeRole (confused-deputy protection). */
      externalId: z
        .string()
        .regex(/^[\w+=,.@:/-]{2,1224}$/, 'an STS external id')
        .optional(),
    })
    .refine((source) => source.arn.split(':')[3] === source.region, {
      message: 'region must match the region in the cluster ARN',
      path: ['region'],
    })
    // AssumeRole always carries the cluster's external id (confused-deputy protection; the shipped trust
    // policy requires it), so a role without one is refused here rather than failing every scan.
    .refine((source) => (source.externalId === undefined) === (source.roleArn === undefined), {
      message: 'roleArn and externalId go together: the scanner assumes the role with the external id',
      path: ['externalId'],
    }),
  z.strictObject({
    type: z.literal('kubeconfig'),
    /** The context name in the operator's kubeconfig; the file itself stays on the machine that scans. */
    context: z.string().min(1).max(253),
    kubeconfigPath: z.string().min(1).max(4096).optional(),
  }),
  z.strictObject({
    type: z.literal('snapshot'),
    /** A snapshot file (`vigil collect --out`) for demos and offline audits. */
    path: z.string().min(1).max(4096),
  }),
]);
export type ClusterSource = z.infer<typeof clusterSourceSchema>;

export const clusterLabelsSchema = z
  .record(
    z
      .string()
      .regex(
        /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/,
        'a label key',
      ),
    z.string().regex(/^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/, 'a label value'),
  )
  .refine((labels) => Object.keys(labels).length <= 64, 'at most 64 labels');
export type ClusterLabels = z.infer<typeof clusterLabelsSchema>;

export const clusterNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    'letters, digits, ".", "_" and "-", starting with a letter or digit',
  );

/** Shortest schedule the store accepts; the dispatcher's own granularity is coarser. */
export const MIN_SCHEDULE_INTERVAL_SECONDS = 60;

export interface Cluster {
  id: string;
  name: string;
  source: ClusterSource;
  labels: ClusterLabels;
  scheduleIntervalSeconds: number | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}
