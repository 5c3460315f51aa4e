import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import type {
  MediaTypeObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  SchemaObject,
} from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';
import { operations } from '../testing/contract.ts';
import { fixNullableRefs, openApiDocument } from './document.ts';

const document = openApiDocument();
const ops = operations();

function resolve<T>(value: T | ReferenceObject): T {
  if (value && typeof value === 'object' && '$ref' in value) {
    const path = value.$ref.replace(/^#\//, '').split('/');
    return path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], document) as T;
  }
  return value as T;
}

function hasExample(media: MediaTypeObject): boolean {
  if (media.example !== undefined || media.examples !== undefined) return true;
  const schema = media.schema ? resolve<SchemaObject>(media.schema) : undefined;
  return schema?.example !== undefined || (schema?.examples?.length ?? 0) > 0;
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(
      structuredClone(document) as unknown as Parameters<Validator['validate']>[0],
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  // Redocly's `recommended` ruleset with no rule disabled: every problem, warning or error, fails.
  it("passes Redocly's recommended lint rules without a single problem", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({
      source: JSON.stringify(document),
      absoluteRef: 'openapi.json',
      config,
    });
    expect(problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
  });

  it('gives every operation a unique id, a summary and one declared tag', () => {
    const tags = new Set(document.tags?.map((t) => t.name));
    const ids = ops.map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { operation } of ops) {
      expect(operation.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation.summary?.length).toBeGreaterThan(5);
      expect(operation.tags).toHaveLength(1);
      expect(tags.has(operation.tags![0]!)).toBe(true);
    }
  });

  it('declares the security schemes and requires one with a scope on every /v1 operation', () => {
    expect(Object.keys(document.components?.securitySchemes ?? {}).sort()).toEqual(['apiKey', 'oidc']);
    for (const { path, operation } of ops) {
      if (!path.startsWith('/v1/')) {
        expect(operation.security ?? []).toEqual([]);
        continue;
      }
      expect(operation.security).toHaveLength(2);
      for (const requirement of operation.security!) {
        const [[scheme, scopes]] = Object.entries(requirement) as [[string, string[]]];
        expect(['apiKey', 'oidc']).toContain(scheme);
        expect(scopes).toHaveLength(1);
        expect(['read', 'scan', 'admin']).toContain(scopes[0]);
      }
    }
  });

  it('documents the error responses of every operation as problem+json with an example', () => {
    for (const { path, method, operation } of ops) {
      const statuses = Object.keys(operation.responses ?? {});
      const where = `${method} ${path}`;
      expect(
        statuses.some((s) => s.startsWith('4')),
        where,
      ).toBe(true);
      expect(statuses, where).toContain('500');
      if (path.startsWith('/v1/'))
        expect(statuses, where).toEqual(expect.arrayContaining(['401', '403', '429']));
      if (operation.parameters?.length || operation.requestBody) expect(statuses, where).toContain('400');
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const media = (operation.responses![status] as { content: Record<string, MediaTypeObject> }).content[
          'application/problem+json'
        ];
        expect(media, `${where} ${status}`).toBeDefined();
        expect(media!.example, `${where} ${status}`).toMatchObject({ status: Number(status) });
      }
    }
  });

  it('gives every success response body and every parameter an example', () => {
    for (const { path, method, operation } of ops) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!status.startsWith('2')) continue;
        for (const [type, media] of Object.entries(
          (response as { content?: Record<string, MediaTypeObject> }).content ?? {},
        )) {
          expect(hasExample(media), `${method} ${path} ${status} ${type}`).toBe(true);
        }
      }
      for (const parameter of (operation.parameters ?? []) as ParameterObject[]) {
        const schema = resolve<SchemaObject>(parameter.schema!);
        const example = parameter.example ?? schema.example ?? schema.enum?.[0];
        expect(example, `${method} ${path} parameter ${parameter.name}`).toBeDefined();
      }
    }
  });

  it('makes every request body strict, so unknown fields are refused', () => {
    const strict = (schema: SchemaObject): boolean => {
      const resolved = resolve<SchemaObject>(schema);
      if (resolved.oneOf) return resolved.oneOf.every((s) => strict(s as SchemaObject));
      return resolved.additionalProperties === false;
    };
    for (const { path, method, operation } of ops) {
      if (!operation.requestBody) continue;
      const body = resolve(operation.requestBody);
      expect(strict(body.content['application/json']!.schema as SchemaObject), `${method} ${path}`).toBe(
        true,
      );
    }
  });
});

describe('fixNullableRefs', () => {
  it('rewrites the allOf form of a nullable reference into anyOf with null, keeping annotations', () => {
    const broken: OperationObject = {
      responses: {
        200: {
          description: 'x',
          content: {
            'application/json': {
              schema: {
                allOf: [{ $ref: '#/components/schemas/A' }, { type: ['object', 'null'] }],
                description: 'd',
              },
            },
          },
        },
      },
    };
    expect(fixNullableRefs(broken)).toEqual({
      responses: {
        200: {
          description: 'x',
          content: {
            'application/json': {
              schema: { anyOf: [{ $ref: '#/components/schemas/A' }, { type: 'null' }], description: 'd' },
            },
          },
        },
      },
    });
    const plain = { allOf: [{ $ref: '#/a' }, { description: 'only a note' }] };
    expect(fixNullableRefs(plain)).toEqual(plain);
  });
});
