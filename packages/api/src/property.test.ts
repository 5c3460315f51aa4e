import fc from 'fast-check';
import type { ParameterObject, RequestBodyObject, SchemaObject } from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';
import { testNotificationService } from '../../../test/notify/api-notifications.ts';
import { useTestApi } from './testing/api-fixture.ts';
import { anyJson, resolveSchema, schemaValues } from './testing/arbitrary.ts';
import { apiDocument, type Operation, operations } from './testing/contract.ts';

// Generated requests for every operation of the document, valid and invalid. Whatever is sent, the API
// never answers 5xx and never answers anything the document does not describe (the contract client
// checks status, media type and body of every response).
const api = useTestApi('pglite', {}, { notifications: testNotificationService });
const document = apiDocument();
const RUNS = 15;

function parametersOf(op: Operation, where: 'path' | 'query'): ParameterObject[] {
  return ((op.operation.parameters ?? []) as ParameterObject[]).filter((p) => p.in === where);
}

/** Path values: ids that exist (visible, another cluster's) and random ones, per parameter name. */
function pathValue(name: string, schema: SchemaObject): fc.Arbitrary<string> {
  const { fleet } = api();
  const known: Record<string, string[]> = {
    clusterId: [fleet.prodEu.id, fleet.staging.id],
    scanId: [fleet.prodEuRuns[1].runId, fleet.stagingRun.runId],
    checkId: ['cluster-admin', 'secrets-read'],
  };
  const random = schemaValues(document, schema).map(String);
  const weird = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom('..', '%2e%2e', '0', 'null', ' ', '%00'),
  );
  return fc
    .oneof(...(known[name] ?? []).map((v) => fc.constant(v)), random, weird)
    .map((v) => encodeURIComponent(v) || 'x');
}

function requestArbitrary(op: Operation, valid: boolean) {
  const path = fc.record(
    Object.fromEntries(
      parametersOf(op, 'path').map((p) => [p.name, pathValue(p.name, resolveSchema(document, p.schema!))]),
    ),
  );
  const queryParams = parametersOf(op, 'query');
  const query = fc.record(
    Object.fromEntries(
      queryParams.map((p) => {
        const schema = resolveSchema(document, p.schema!);
        const good = schemaValues(document, schema).map((v) => String(v));
        return [
          p.name,
          valid
            ? good
            : fc.oneof(good, fc.string({ maxLength: 30 }), fc.constant('-1'), fc.constant('999999')),
        ];
      }),
    ),
    { requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name) },
  );
  const extraQuery = valid
    ? fc.constant({})
    : fc.dictionary(fc.stringMatching(/^[a-zA-Z_]{1,12}$/), fc.string({ maxLength: 12 }), { maxKeys: 2 });
  const bodySchema = op.operation.requestBody
    ? (op.operation.requestBody as RequestBodyObject).content['application/json']?.schema
    : undefined;
  const body = bodySchema
    ? valid
      ? schemaValues(document, bodySchema)
      : fc.oneof(
          schemaValues(document, bodySchema).map((b) => ({ ...(b as object), unexpected: 1 })),
          anyJson,
        )
    : fc.constant(undefined);
  return fc.record({ path, query, extraQuery, body });
}

async function send(
  op: Operation,
  request: {
    path: Record<string, string>;
    query: Record<string, string>;
    extraQuery: Record<string, string>;
    body: unknown;
  },
) {
  const { call, keys } = api();
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => request.path[name]!);
  const res = await call(op.method, path, {
    token: keys.admin,
    query: { ...request.extraQuery, ...request.query },
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  expect(res.status, `${op.method} ${path}`).toBeLessThan(500);
  return res;
}

describe('generated requests to every operation', () => {
  const ops = operations();

  it('covers every operation of the document', () => {
    expect(ops.length).toBeGreaterThanOrEqual(30);
  });

  for (const op of ops) {
    it(`${op.operation.operationId}: valid and invalid requests never get a 5xx or an undocumented response`, async () => {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op, true), (request) => send(op, request).then(() => undefined)),
        {
          numRuns: RUNS,
        },
      );
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op, false), (request) => send(op, request).then(() => undefined)),
        {
          numRuns: RUNS,
        },
      );
    });
  }
});
