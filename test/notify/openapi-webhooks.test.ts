import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSubscription, listDeliveries, recordScan } from '@vigil/db';
import {
  createTestCluster,
  makeCompliance,
  makeFinding,
  makeReport,
  openTestDatabase,
  type TestDatabase,
} from '@vigil/db/testing';
import { digestData, fanOutOnce, sampleEvent, silentLogger } from '@vigil/jobs';
import {
  createHttpClient,
  openLocalEncryptor,
  parseAllowCidrs,
  parseWebhookEvent,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_FORMATS,
  webhookBody,
} from '@vigil/notify';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WEBHOOK_EVENT_TYPES as API_EVENT_TYPES,
  SUBSCRIPTION_FORMATS,
} from '../../packages/api/src/routes/subscriptions-schemas.ts';
import { memoryQueue } from './support.ts';

// The committed OpenAPI document describes what generic receivers get. These bodies come from the notifier
// itself (outbox rows written by recordScan, the digest builder, the test event), so a payload change on
// either side that the other does not follow fails here.
const document = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../openapi/openapi.json'), 'utf8'),
) as {
  webhooks: Record<
    string,
    { post: { requestBody: { content: { 'application/json': { schema: object } } } } }
  >;
};
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats.default(ajv);
ajv.addSchema(document as unknown as object, 'openapi.json');

function validate(type: string, body: string) {
  const schema = document.webhooks[type]?.post.requestBody.content['application/json'].schema;
  expect(schema, `webhook ${type} in the document`).toBeDefined();
  const check = ajv.compile({
    $ref: `openapi.json#/webhooks/${type.replace('/', '~1')}/post/requestBody/content/application~1json/schema`,
  });
  const ok = check(JSON.parse(body));
  expect(ok, `${type}: ${ajv.errorsText(check.errors)}`).toBe(true);
}

describe('the webhooks section of the OpenAPI document', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it('names the same event types and formats as the notifier', () => {
    expect(Object.keys(document.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    expect([...API_EVENT_TYPES].sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    expect([...SUBSCRIPTION_FORMATS].sort()).toEqual([...WEBHOOK_FORMATS].sort());
  });

  it('accepts the bodies of events a recorded run produces', async () => {
    const db = database.db;
    const cluster = await createTestCluster(db);
    const finding = makeFinding('cluster-admin', 'admins');
    const record = (
      slot: string,
      findings: ReturnType<typeof makeFinding>[],
      compliance: ReturnType<typeof makeCompliance>,
    ) =>
      recordScan(db, {
        clusterId: cluster.id,
        slot,
        trigger: 'schedule',
        report: makeReport({ findings, compliance }),
        startedAt: new Date(slot),
        finishedAt: new Date(slot),
      });
    await record('2026-01-01T00:00:00.000Z', [finding], makeCompliance({ '1.1': 'pass' }));
    await record('2026-01-02T00:00:00.000Z', [], makeCompliance({ '1.1': 'fail' }));
    await record('2026-01-03T00:00:00.000Z', [finding], makeCompliance({ '1.1': 'fail' }));
    // A subscription to everything, so the fan-out turns every outbox row into a delivery with its payload.
    const subscription = await createSubscription(db, {
      name: 'all',
      format: 'generic',
      url: 'https://h.example/',
      host: 'h.example',
      eventTypes: [...WEBHOOK_EVENT_TYPES],
    });
    const keyDir = await mkdtemp(join(tmpdir(), 'vigil-oas-'));
    const encryptor = await openLocalEncryptor(join(keyDir, 'k'));
    const http = createHttpClient({ policy: parseAllowCidrs('') });
    await fanOutOnce({ db, queue: memoryQueue(), encryptor, http, logger: silentLogger });
    http.close();
    await rm(keyDir, { recursive: true, force: true });
    const deliveries = (await listDeliveries(db, { subscriptionId: subscription.id, limit: 500 })).items;
    expect(new Set(deliveries.map((d) => d.eventType))).toEqual(
      new Set(['finding.opened', 'finding.resolved', 'finding.reopened', 'compliance.control_regressed']),
    );
    for (const d of deliveries) {
      const event = parseWebhookEvent({
        type: d.eventType,
        timestamp: d.eventTimestamp.toISOString(),
        data: d.payload,
      });
      validate(d.eventType, webhookBody(event));
    }
  });

  it('accepts a scan failure, a digest and the test event', () => {
    const now = new Date('2026-04-02T06:00:00.000Z');
    const id = '0b8e3c52-52a4-4a8f-9b3f-2f1a7d3c9e10';
    validate(
      'scan.failed',
      webhookBody(
        parseWebhookEvent({
          type: 'scan.failed',
          timestamp: now.toISOString(),
          data: {
            clusterId: id,
            clusterName: 'prod',
            runId: id,
            slot: now.toISOString(),
            trigger: 'schedule',
            attempts: 2,
            reason: 'timeout',
          },
        }),
      ),
    );
    const row = (runId: string, status: 'pass' | 'fail') => ({
      clusterId: id,
      clusterName: 'prod',
      clusterLabels: {},
      runId,
      status: 'complete' as const,
      recordedAt: now,
      compliance: makeCompliance({ '1.1': status }),
    });
    const digest = digestData({
      now,
      current: [row('7d4f0a3e-1c2b-4e5f-8a9b-0c1d2e3f4a5b', 'fail')],
      previous: [row('8d4f0a3e-1c2b-4e5f-8a9b-0c1d2e3f4a5b', 'pass')],
      unscanned: [{ clusterId: id, clusterName: 'new' }],
    });
    validate(
      'compliance.digest',
      webhookBody({ type: 'compliance.digest', timestamp: now.toISOString(), data: digest }),
    );
    validate('finding.opened', webhookBody(sampleEvent(now)));
  });
});
