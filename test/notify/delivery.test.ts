import type { Finding } from '@vigil/core';
import { failRun, listDeliveries, recordScan } from '@vigil/db';
import { createTestCluster, makeCompliance, makeFinding, makeReport } from '@vigil/db/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NotifyHarness, startNotifyHarness } from './harness.ts';
import {
  type GenericReceiver,
  type JiraReceiver,
  type PagerDutyReceiver,
  type ServiceNowReceiver,
  type SlackReceiver,
  startGenericReceiver,
  startJiraReceiver,
  startPagerDutyReceiver,
  startServiceNowReceiver,
  startSlackReceiver,
} from './receivers.ts';

// From outbox rows written with each recorded run, through the notify queue (the local SQS server and a
// poller standing in for Lambda), to loopback receivers that behave like Jira, ServiceNow, PagerDuty, Slack
// and a Standard Webhooks endpoint.
describe('notifications end to end', () => {
  let h: NotifyHarness;
  let generic: GenericReceiver;
  let jira: JiraReceiver;
  let snow: ServiceNowReceiver;
  let pd: PagerDutyReceiver;
  let slack: SlackReceiver;
  let secret: string;
  let prod: { id: string; name: string };
  let dev: { id: string; name: string };
  let runCounter = 0;

  const critical = makeFinding('cluster-admin', 'admins', { severity: 'critical' });
  const low = makeFinding('dangling-binding', 'leftover', { severity: 'low' });

  async function scan(cluster: { id: string }, findings: Finding[]) {
    runCounter++;
    const at = new Date(Date.UTC(2026, 0, 1, 0, runCounter));
    return recordScan(h.db, {
      clusterId: cluster.id,
      slot: at.toISOString(),
      trigger: 'schedule',
      report: makeReport({
        findings,
        compliance: makeCompliance({ '4.1.1': findings.length ? 'fail' : 'pass' }),
      }),
      startedAt: at,
      finishedAt: at,
    });
  }

  beforeAll(async () => {
    h = await startNotifyHarness();
    [generic, jira, snow, pd, slack] = await Promise.all([
      startGenericReceiver(),
      startJiraReceiver({ email: 'bot@example.com', apiToken: 'jira-token-1', projectKey: 'SEC' }),
      startServiceNowReceiver({ username: 'vigil', password: 'snow-pass-1' }),
      startPagerDutyReceiver(),
      startSlackReceiver(),
    ]);
    prod = await createTestCluster(h.db, { labels: { env: 'prod' } });
    dev = await createTestCluster(h.db, { labels: { env: 'dev' } });
    const findings = ['finding.opened', 'finding.resolved', 'finding.reopened'];
    const created = await h.service.create({
      name: 'generic',
      format: 'generic',
      url: `${generic.url}/hooks/vigil`,
      eventTypes: [...findings, 'scan.failed'],
      minSeverity: 'high',
      clusterSelector: { matchLabels: { env: 'prod' } },
    });
    secret = created.signingSecret!;
    await h.service.create({
      name: 'jira',
      format: 'jira',
      url: jira.url,
      eventTypes: findings,
      config: { projectKey: 'SEC', issueType: 'Bug' },
      credentials: { email: 'bot@example.com', apiToken: 'jira-token-1' },
    });
    await h.service.create({
      name: 'snow',
      format: 'servicenow',
      url: snow.url,
      eventTypes: findings,
      credentials: { username: 'vigil', password: 'snow-pass-1' },
    });
    await h.service.create({
      name: 'pd',
      format: 'pagerduty',
      url: `${pd.url}/v2/enqueue`,
      eventTypes: findings,
      credentials: { routingKey: pd.routingKey },
    });
    await h.service.create({
      name: 'slack',
      format: 'slack',
      url: slack.webhookUrl,
      eventTypes: ['finding.opened', 'scan.failed'],
    });
  });

  afterAll(async () => {
    await h?.close();
    await Promise.all([generic, jira, snow, pd, slack].map((r) => r?.close()));
  });

  const dedup = (f: Finding, cluster: { id: string }) => `${f.fingerprint}:${cluster.id}`;

  it('opens one ticket per finding per cluster, in every format', async () => {
    await scan(prod, [critical, low]);
    await scan(dev, [critical]);
    await h.settle();

    expect(jira.issues.size).toBe(3);
    expect([...jira.issues.values()].every((i) => i.status === 'To Do' && i.labels.includes('vigil'))).toBe(
      true,
    );
    expect([...jira.issues.values()].map((i) => i.summary).sort()).toEqual(
      [
        `[critical] ${dev.name}: cluster-admin title (ClusterRoleBinding admins)`,
        `[critical] ${prod.name}: cluster-admin title (ClusterRoleBinding admins)`,
        `[low] ${prod.name}: dangling-binding title (ClusterRoleBinding leftover)`,
      ].sort(),
    );

    const incidents = [...snow.incidents.values()];
    expect(incidents).toHaveLength(3);
    // The fingerprint recurs across clusters; the correlation display tells the clusters apart.
    expect(
      incidents
        .filter((i) => i.correlation_id === critical.fingerprint)
        .map((i) => i.correlation_display)
        .sort(),
    ).toEqual([`vigil:${dev.id}`, `vigil:${prod.id}`].sort());
    expect(incidents.find((i) => i.correlation_id === critical.fingerprint)).toMatchObject({
      impact: '1',
      urgency: '1',
    });

    expect([...pd.alerts.keys()].sort()).toEqual(
      [dedup(critical, prod), dedup(low, prod), dedup(critical, dev)].sort(),
    );
    expect(pd.alerts.get(dedup(critical, prod))).toMatchObject({
      state: 'triggered',
      severity: 'critical',
      source: prod.name,
    });
    expect(pd.alerts.get(dedup(low, prod))?.severity).toBe('info');

    expect(slack.messages).toHaveLength(3);
    expect(slack.messages.every((m) => m.text.includes(':rotating_light:'))).toBe(true);
  });

  it('signs generic deliveries so that the Standard Webhooks reference library verifies them', async () => {
    // Only prod's critical finding matches the generic subscription (env=prod, high and above).
    expect(generic.received).toHaveLength(1);
    const [request] = generic.received;
    const headers = request!.headers as Record<string, string>;
    expect(headers['content-type']).toBe('application/json');
    const body = new Webhook(secret).verify(request!.body, headers) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(body.type).toBe('finding.opened');
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
    expect(body.data).toMatchObject({
      clusterId: prod.id,
      fingerprint: critical.fingerprint,
      severity: 'critical',
    });
    expect(headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('closes the ticket of a resolved finding and only that one', async () => {
    await scan(prod, [low]);
    await h.settle();

    const byCluster = (name: string) =>
      [...jira.issues.values()].find((i) => i.summary.includes(`${name}: cluster-admin`))!;
    expect(byCluster(prod.name).status).toBe('Done');
    expect(byCluster(dev.name).status).toBe('To Do');
    expect(jira.issues.size).toBe(3);

    const prodIncident = [...snow.incidents.values()].find(
      (i) => i.correlation_display === `vigil:${prod.id}` && i.correlation_id === critical.fingerprint,
    )!;
    expect(prodIncident).toMatchObject({ state: '6', close_code: 'Resolved by caller', active: false });
    expect(prodIncident.close_notes).toContain(prod.name);
    expect([...snow.incidents.values()].filter((i) => i.state === '1')).toHaveLength(2);

    expect(pd.alerts.get(dedup(critical, prod))?.state).toBe('resolved');
    expect(pd.alerts.get(dedup(critical, dev))?.state).toBe('triggered');

    const types = generic.received.map((r) => (JSON.parse(r.body) as { type: string }).type);
    expect(types).toEqual(['finding.opened', 'finding.resolved']);
    const ids = generic.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(2);
  });

  it('reopens the same ticket when the finding comes back', async () => {
    await scan(prod, [critical, low]);
    await h.settle();

    expect(jira.issues.size).toBe(3);
    expect(
      [...jira.issues.values()].find((i) => i.summary.includes(`${prod.name}: cluster-admin`))?.status,
    ).toBe('To Do');
    expect(snow.incidents.size).toBe(3);
    const prodIncident = [...snow.incidents.values()].find(
      (i) => i.correlation_display === `vigil:${prod.id}` && i.correlation_id === critical.fingerprint,
    )!;
    expect(prodIncident).toMatchObject({ state: '2', active: true });
    expect(prodIncident.work_notes).toHaveLength(1);
    expect(pd.alerts.get(dedup(critical, prod))).toMatchObject({ state: 'triggered', triggers: 2 });
    // Slack only asked for finding.opened: a reopening is not sent there.
    expect(slack.messages).toHaveLength(3);
  });

  it('opens a new ticket when the old one was deleted or closed for good', async () => {
    await scan(prod, [low]);
    await h.settle();
    const issue = [...jira.issues.values()].find((i) => i.summary.includes(`${prod.name}: cluster-admin`))!;
    jira.deleteIssue(issue.key);
    const incident = [...snow.incidents.values()].find(
      (i) => i.correlation_display === `vigil:${prod.id}` && i.correlation_id === critical.fingerprint,
    )!;
    snow.closeIncident(incident.sys_id);

    await scan(prod, [critical, low]);
    await h.settle();
    const open = [...jira.issues.values()].filter((i) => i.summary.includes(`${prod.name}: cluster-admin`));
    expect(open.map((i) => [i.status, i.key === issue.key])).toEqual([['To Do', false]]);
    const incidents = [...snow.incidents.values()].filter(
      (i) => i.correlation_display === `vigil:${prod.id}` && i.correlation_id === critical.fingerprint,
    );
    expect(incidents.map((i) => i.state).sort()).toEqual(['1', '7']);
  });

  it('tells Slack and generic endpoints that a scan failed, and records every delivery as succeeded', async () => {
    await failRun(h.db, {
      clusterId: prod.id,
      slot: 'manual-failure',
      trigger: 'manual',
      reason: 'the API server did not answer',
    });
    await h.settle();
    expect(slack.messages.at(-1)?.text).toContain(`Vigil scan of ${prod.name} failed`);
    const last = JSON.parse(generic.received.at(-1)!.body) as { type: string; data: { reason: string } };
    expect(last).toMatchObject({ type: 'scan.failed', data: { reason: 'the API server did not answer' } });

    const page = await listDeliveries(h.db, { limit: 500 });
    expect(page.items.length).toBeGreaterThan(20);
    expect(page.items.filter((d) => d.status !== 'succeeded')).toEqual([]);
    expect(page.items.every((d) => d.attempts === 1)).toBe(true);
  });

  it('never writes a credential to the database or the logs', async () => {
    const dump = JSON.stringify(
      await h.db.execute(
        // Every text column of every notification table.
        'select * from notification_subscriptions s left join notification_deliveries d on d.subscription_id = s.id',
      ),
    );
    for (const secretValue of ['jira-token-1', 'snow-pass-1', pd.routingKey, slack.webhookUrl, secret]) {
      expect(dump).not.toContain(secretValue);
      expect(JSON.stringify(h.logger.entries)).not.toContain(secretValue);
    }
  });
});
