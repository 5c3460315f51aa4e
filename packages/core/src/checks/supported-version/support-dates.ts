/**
 * Amazon EKS end-of-support dates per Kubernetes minor version, as data: update this file when AWS publishes a
 * new version (the check passes, with no finding, on versions newer than the table until then).
 *
 * Checked on 2026-11-26 against:
 * - AWS: Amazon EKS User Guide, "Amazon EKS Kubernetes release calendar"
 *   (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar,
 *   source awsdocs/amazon-eks-user-guide latest/ug/versioning/kubernetes-versions.adoc): 1.27-1.34 from the table,
 *   1.23 from the FAQ on the same page.
 * - Secondary, where the AWS table no longer lists the version or does not list it yet (see each `source`).
 *
 * Dates are UTC days. Extended-support billing starts at the beginning of the end-of-standard-support day
 * (AWS calendar note), so a cluster is out of standard support from 00:00 UTC on that date.
 */
export interface SupportDates {
  /** Kubernetes minor version as EKS reports it. */
  version: string;
  /** First day outside standard support (YYYY-MM-DD, UTC). */
  endOfStandardSupport: string;
  /** First day outside extended support: EKS upgrades the control plane after it. */
  endOfExtendedSupport: string;
  source: string;
  /** False when only secondary sources or arithmetic (14 + 12 months) back the dates. */
  verified: boolean;
}

export const CHECKED_ON = '2026-11-26';

const AWS_CALENDAR = 'AWS EKS user guide, Kubernetes release calendar';

export const SUPPORT_DATES: readonly SupportDates[] = [
  {
    version: '1.23',
    endOfStandardSupport: '2023-10-11',
    endOfExtendedSupport: '2024-10-11',
    source: 'AWS EKS user guide, extended support FAQ (worked example for 1.23)',
    verified: true,
  },
  {
    // AWS table no longer lists 1.24. Extended end from awsdocs/amazon-eks-user-guide PR #912 and
    // bottlerocket-os/bottlerocket issue #4359 (both 2025-01-31); standard end from endoflife.date as quoted
    // in jupyterhub/zero-to-jupyterhub-k8s issue #3309, consistent with 12 months of extended support.
    version: '1.24',
    endOfStandardSupport: '2024-01-31',
    endOfExtendedSupport: '2025-01-31',
    source: 'awsdocs/amazon-eks-user-guide PR #912; endoflife.date (via zero-to-jupyterhub-k8s #3309)',
    verified: false,
  },
  {
    // Unverified against AWS: extended end 2025-05-01 from an AWS Health notice quoted in GSA/data.gov
    // issue #4754; standard end is that date less the 12 months of extended support.
    version: '1.25',
    endOfStandardSupport: '2024-05-01',
    endOfExtendedSupport: '2025-05-01',
    source: 'AWS Health notice quoted in GSA/data.gov issue #4754',
    verified: false,
  },
  {
    // Standard end from awsdocs/amazon-eks-user-guide PR #767 ("1.26 ended standard support ... June 11, 2024");
    // extended end derived (+12 months), not seen in an AWS source.
    version: '1.26',
    endOfStandardSupport: '2024-06-11',
    endOfExtendedSupport: '2025-06-11',
    source: 'awsdocs/amazon-eks-user-guide PR #767',
    verified: false,
  },
  {
    version: '1.27',
    endOfStandardSupport: '2024-07-24',
    endOfExtendedSupport: '2025-07-24',
    source: AWS_CALENDAR,
    verified: true,
  },
  {
    version: '1.28',
    endOfStandardSupport: '2024-11-26',
    endOfExtendedSupport: '2025-11-26',
    source: AWS_CALENDAR,
    verified: true,
  },
  {
    version: '1.29',
    endOfStandardSupport: '2025-03-23',
    endOfExtendedSupport: '2026-03-23',
    source: AWS_CALENDAR,
    verified: true,
  },
  {
    version: '1.30',
    endOfStandardSupport: '2025-07-23',
    endOfExtendedSupport: '2026-07-23',
    source: AWS_CALENDAR,
    verified: true,
  },
  {
    version: '1.31',
    endOfStandardSupport: '2025-11-26',
    endOfExtendedSupport: '2026-11-26',
    source: AWS_CALENDAR,
    verified: true,
  },
  {
    version: '1.32',
    endOfStandardSupport: '2026-03-23',
    endOfExtendedSupport: '2027-03-23',
    source: AWS_CALENDAR,
    verified: true,
  },
  {
    version: '1.33',
    endOfStandardSupport: '2026-07-29',
    endOfExtendedSupport: '2027-07-29',
    source: AWS_CALENDAR,
    verified: true,
  },
  {
    version: '1.34',
    endOfStandardSupport: '2026-12-02',
    endOfExtendedSupport: '2027-12-02',
    source: AWS_CALENDAR,
    verified: true,
  },
  {
    // Not yet in the stored copy of the AWS table; endoflife.date (amazon-eks) and the AWS-samples EKS review
    // skill ("last verified 2026-04-24") agree on these dates.
    version: '1.35',
    endOfStandardSupport: '2027-03-27',
    endOfExtendedSupport: '2028-03-27',
    source: 'endoflife.date/amazon-eks; aws-samples sample-apex-skills cluster-lifecycle reference',
    verified: false,
  },
];
