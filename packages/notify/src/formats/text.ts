import { type FindingEventData, isFindingEventType, type WebhookEvent } from '../events.ts';

/** Cuts text to `max` characters with an ellipsis, for fields with hard limits (Jira summary: 255). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function resourceText(data: FindingEventData): string {
  const r = data.resource;
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

export function subjectText(data: FindingEventData): string | undefined {
  const s = data.subject;
  if (!s) return undefined;
  return `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
}

const VERB: Record<string, string> = {
  'finding.opened': 'New finding',
  'finding.reopened': 'Finding reopened',
  'finding.resolved': 'Finding resolved',
};

/** One line naming the event, for ticket titles, alert summaries and chat headers. */
export function summaryOf(event: WebhookEvent): string {
  switch (event.type) {
    case 'finding.opened':
    case 'finding.reopened':
    case 'finding.resolved':
      return `[${event.data.severity}] ${event.data.clusterName}: ${event.data.title} (${resourceText(event.data)})`;
    case 'scan.failed':
      return `Vigil scan of ${event.data.clusterName} failed`;
    case 'compliance.control_regressed':
      return `${event.data.clusterName}: ${event.data.qualifiedId} ${event.data.title} now fails`;
    case 'compliance.digest': {
      const fails = event.data.fleet.frameworks.reduce((n, f) => n + f.fail, 0);
      return `Vigil compliance digest ${event.data.date}: ${event.data.fleet.clusters} clusters, ${fails} failing controls`;
    }
  }
}

/** Label/value facts about the event, in reading order, for ticket descriptions and chat messages. */
export function factsOf(event: WebhookEvent): [string, string][] {
  switch (event.type) {
    case 'finding.opened':
    case 'finding.reopened':
    case 'finding.resolved': {
      const d = event.data;
      const facts: [string, string][] = [
        ['Event', VERB[event.type]!],
        ['Cluster', d.clusterName],
        ['Check', `${d.checkId} (${d.severity})`],
        ['Resource', resourceText(d)],
      ];
      const subject = subjectText(d);
      if (subject) facts.push(['Subject', subject]);
      facts.push(['First seen', d.firstSeenAt], ['Last seen', d.lastSeenAt]);
      if (d.reopenedCount > 0) facts.push(['Reopened', `${d.reopenedCount} time(s)`]);
      if (d.reason)
        facts.push([
          'Resolved because',
          d.reason === 'absent' ? 'no longer present' : 'suppressed by an exception',
        ]);
      if (d.controls.length > 0) facts.push(['Controls', d.controls.join(', ')]);
      facts.push(['Fingerprint', d.fingerprint], ['Run', d.runId]);
      return facts;
    }
    case 'scan.failed':
      return [
        ['Cluster', event.data.clusterName],
        ['Reason', event.data.reason],
        ['Slot', event.data.slot],
        ['Trigger', event.data.trigger],
        ['Attempts', String(event.data.attempts)],
        ['Run', event.data.runId],
      ];
    case 'compliance.control_regressed':
      return [
        ['Cluster', event.data.clusterName],
        ['Control', `${event.data.qualifiedId} ${event.data.title}`],
        ['Checks', event.data.checks.join(', ')],
        ['Run', event.data.runId],
        ['Previous run', event.data.previousRunId],
      ];
    case 'compliance.digest': {
      const d = event.data;
      const facts: [string, string][] = [['Day', d.date]];
      for (const f of d.fleet.frameworks) {
        facts.push([
          `${f.title} ${f.version}`,
          `${f.pass} pass, ${f.fail} fail, ${f.notEvaluated} not evaluated`,
        ]);
      }
      facts.push([
        'Since yesterday',
        `${d.fleet.changes.regressed} regressed, ${d.fleet.changes.improved} improved, ${d.fleet.changes.other} other changes`,
      ]);
      for (const c of d.clusters) {
        const fails = c.frameworks.reduce((n, f) => n + f.fail, 0);
        facts.push([c.clusterName, `${fails} failing controls, ${c.changes.length} changed`]);
      }
      if (d.unscanned.length > 0)
        facts.push(['Not scanned yet', d.unscanned.map((c) => c.clusterName).join(', ')]);
      return facts;
    }
  }
}

/** The finding an event is about, or null for events about runs, controls and digests. */
export function findingOf(event: WebhookEvent): FindingEventData | null {
  return isFindingEventType(event.type) ? (event.data as FindingEventData) : null;
}

/** The cluster an event is about (digests cover many: null). */
export function clusterOf(event: WebhookEvent): { clusterId: string; clusterName: string } | null {
  return event.type === 'compliance.digest' ? null : event.data;
}

/** The finding's own sentence, when the event is about a finding. */
export function messageOf(event: WebhookEvent): string | undefined {
  return findingOf(event)?.message;
}
