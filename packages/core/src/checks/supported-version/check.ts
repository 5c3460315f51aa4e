import type { Check, FindingDraft } from '../../audit/types.ts';
import { MissingInputError } from '../../errors.ts';
import { clusterRef, eksClusterOf } from '../shared/eks.ts';
import { meta } from './meta.ts';
import { CHECKED_ON, SUPPORT_DATES, type SupportDates } from './support-dates.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How far ahead of the end of standard support the check starts to warn. */
export const WARNING_DAYS = 90;

function minorOf(version: string): [number, number] | null {
  const match = /^v?(\d+)\.(\d+)/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2])] : null;
}

function compareMinor(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export const check: Check = {
  meta,
  run({ snapshot, options }) {
    const cluster = eksClusterOf(snapshot);
    const version = cluster.version;
    if (!version) throw new MissingInputError('the cluster description reports no Kubernetes version');
    const minor = minorOf(version);
    if (!minor)
      throw new MissingInputError(`the cluster reports an unreadable Kubernetes version "${version}"`);
    const now = Date.parse(options.now);
    if (Number.isNaN(now)) throw new Error(`the audit time "${options.now}" is not a date`);

    const dates = SUPPORT_DATES.find((d) => d.version === `${minor[0]}.${minor[1]}`);
    const resource = clusterRef(cluster);
    if (!dates) {
      const oldest = SUPPORT_DATES[0];
      if (oldest && compareMinor(minor, minorOf(oldest.version)!) < 0) {
        return [
          {
            resource,
            message:
              `EKS cluster ${cluster.name} runs Kubernetes ${version}, older than ${oldest.version}, whose extended ` +
              `support already ended on ${oldest.endOfExtendedSupport}: it receives no fixes.`,
            evidence: { version, olderThan: oldest.version, calendarCheckedOn: CHECKED_ON, now: options.now },
            severity: 'high',
          },
        ];
      }
      // Newer than the calendar: released after the table was last updated, so within standard support.
      return [];
    }
    return judge(cluster.name, version, dates, now, options.now).map((draft) => ({ ...draft, resource }));
  },
};

function judge(
  clusterName: string,
  version: string,
  dates: SupportDates,
  now: number,
  nowText: string,
): Omit<FindingDraft, 'resource'>[] {
  const evidence = {
    version,
    endOfStandardSupport: dates.endOfStandardSupport,
    endOfExtendedSupport: dates.endOfExtendedSupport,
    now: nowText,
    calendarSource: dates.source,
    calendarCheckedOn: CHECKED_ON,
    ...(dates.verified ? {} : { calendarVerified: false }),
  };
  const endStandard = dayStart(dates.endOfStandardSupport);
  const endExtended = dayStart(dates.endOfExtendedSupport);
  if (now >= endExtended) {
    return [
      {
        message:
          `EKS cluster ${clusterName} runs Kubernetes ${version}, whose extended support ended on ` +
          `${dates.endOfExtendedSupport}: it receives no fixes and EKS will upgrade its control plane unannounced.`,
        evidence,
        severity: 'high',
      },
    ];
  }
  if (now >= endStandard) {
    return [
      {
        message:
          `EKS cluster ${clusterName} runs Kubernetes ${version}, past the end of standard support on ` +
          `${dates.endOfStandardSupport}: it is on paid extended support until ${dates.endOfExtendedSupport}.`,
        evidence,
      },
    ];
  }
  const daysLeft = Math.ceil((endStandard - now) / DAY_MS);
  if (daysLeft <= WARNING_DAYS) {
    return [
      {
        message:
          `EKS cluster ${clusterName} runs Kubernetes ${version}, whose standard support ends on ` +
          `${dates.endOfStandardSupport}, in ${daysLeft} day${daysLeft === 1 ? '' : 's'}.`,
        evidence: { ...evidence, daysLeft },
        severity: 'low',
        discriminator: 'approaching',
      },
    ];
  }
  return [];
}
