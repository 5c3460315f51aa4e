// The snapshot's JSON Schema must be a well-formed draft 2020-12 schema that accepts real snapshot files and
// rejects broken ones. No JSON Schema validator is a dependency, so this file carries a small one for exactly
// the keywords zod emits; it refuses any other keyword, so a schema it cannot judge fails the test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSnapshotFromFiles } from './load.ts';
import { snapshotJsonSchema } from './model.ts';

type Schema = Record<string, unknown> | boolean;
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Problems with the schema itself: unknown keywords, keywords with values of the wrong shape. */
function schemaProblems(schema: unknown, path = '#'): string[] {
  if (typeof schema === 'boolean') return [];
  if (!isObject(schema)) return [`${path}: a schema must be an object or a boolean`];
  const problems: string[] = [];
  const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  for (const [keyword, value] of Object.entries(schema)) {
    const at = `${path}/${keyword}`;
    switch (keyword) {
      case '$schema':
        if (path !== '#' || value !== 'https://json-schema.org/draft/2020-12/schema')
          problems.push(`${at}: must be the draft 2020-12 URI, at the root only`);
        break;
      case 'title':
      case 'description':
        if (typeof value !== 'string') problems.push(`${at}: must be a string`);
        break;
      case 'type':
        if (!(Array.isArray(value) ? value : [value]).every((t) => typeof t === 'string' && TYPES.has(t)))
          problems.push(`${at}: unknown type ${JSON.stringify(value)}`);
        break;
      case 'properties':
        if (!isObject(value)) problems.push(`${at}: must be an object`);
        else
          for (const [name, sub] of Object.entries(value))
            problems.push(...schemaProblems(sub, `${at}/${name}`));
        break;
      case 'required': {
        const declared = isObject(schema.properties) ? schema.properties : {};
        if (!Array.isArray(value) || new Set(value).size !== value.length)
          problems.push(`${at}: must be an array of unique names`);
        else
          for (const name of value)
            if (typeof name !== 'string' || !(name in declared))
              problems.push(`${at}: ${name} is not a property`);
        break;
      }
      case 'additionalProperties':
      case 'propertyNames':
      case 'items':
        problems.push(...schemaProblems(value, at));
        break;
      case 'anyOf':
        if (!Array.isArray(value) || value.length === 0) problems.push(`${at}: must be a non-empty array`);
        else for (const [i, sub] of value.entries()) problems.push(...schemaProblems(sub, `${at}/${i}`));
        break;
      case 'enum':
        if (!Array.isArray(value) || value.length === 0) problems.push(`${at}: must be a non-empty array`);
        break;
      case 'const':
      case 'default':
        break;
      case 'minLength':
      case 'maxLength':
        if (!isCount(value)) problems.push(`${at}: must be a non-negative integer`);
        break;
      case 'minimum':
      case 'maximum':
        if (typeof value !== 'number') problems.push(`${at}: must be a number`);
        break;
      default:
        problems.push(`${at}: keyword this test cannot judge`);
    }
  }
  if ('default' in schema) {
    const { default: fallback, ...rest } = schema;
    const errors = validate(rest, fallback, `${path}/default`);
    if (errors.length > 0) problems.push(...errors.map((e) => `default does not validate: ${e}`));
  }
  return problems;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Errors of an instance against the schema (the keywords schemaProblems allows). */
function validate(schema: Schema, value: unknown, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: not allowed`];
  const errors: string[] = [];
  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    const actual = typeOf(value);
    const ok = types.some(
      (t) =>
        t === actual ||
        (t === 'integer' && Number.isInteger(value)) ||
        (t === 'number' && actual === 'number'),
    );
    if (!ok) return [`${path}: expected ${types.join('|')}, got ${actual}`];
  }
  if ('const' in schema && value !== schema.const)
    errors.push(`${path}: must be ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength)
      errors.push(`${path}: too short`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength)
      errors.push(`${path}: too long`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: below minimum`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: above maximum`);
  }
  if (Array.isArray(schema.anyOf)) {
    const branches = schema.anyOf as Schema[];
    if (!branches.some((branch) => validate(branch, value, path).length === 0))
      errors.push(`${path}: matches no anyOf branch (${validate(branches[0]!, value, path)[0]})`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    for (const [i, item] of value.entries())
      errors.push(...validate(schema.items as Schema, item, `${path}[${i}]`));
  }
  if (isObject(value)) {
    const properties = (isObject(schema.properties) ? schema.properties : {}) as Record<string, Schema>;
    for (const name of (schema.required as string[] | undefined) ?? [])
      if (!(name in value)) errors.push(`${path}: ${name} is required`);
    for (const [name, item] of Object.entries(value)) {
      if (schema.propertyNames !== undefined)
        errors.push(...validate(schema.propertyNames as Schema, name, `${path} key ${name}`));
      const sub = properties[name] ?? (schema.additionalProperties as Schema | undefined);
      if (sub !== undefined) errors.push(...validate(sub, item, `${path}.${name}`));
    }
  }
  return errors;
}

const fixture = (name: string) => ({
  name,
  text: readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8'),
});

describe('snapshotJsonSchema', () => {
  const schema = snapshotJsonSchema();

  it('is a well-formed draft 2020-12 schema with a title', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('Vigil snapshot');
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['schemaVersion', 'cluster', 'kubernetes']);
    expect(schemaProblems(schema)).toEqual([]);
  });

  it('accepts a snapshot built from real files, as written to disk', () => {
    const snapshot = buildSnapshotFromFiles({
      manifests: [fixture('kubectl-get-rbac.json')],
      eks: fixture('eks-describe-cluster.json'),
    });
    expect(validate(schema, JSON.parse(JSON.stringify(snapshot)))).toEqual([]);
  });

  it('accepts a minimal file that leaves defaults out', () => {
    const minimal = { schemaVersion: 1, cluster: { name: 'c', platform: 'kubernetes' }, kubernetes: {} };
    expect(validate(schema, minimal)).toEqual([]);
  });

  it.each([
    ['another schema version', { schemaVersion: 2 }, '$.schemaVersion'],
    ['an unknown platform', { cluster: { name: 'c', platform: 'gke' } }, '$.cluster.platform'],
    ['a cluster without name', { cluster: { platform: 'eks' } }, '$.cluster: name is required'],
    [
      'a coverage source that does not exist',
      { coverage: { secrets: { status: 'complete' } } },
      'key secrets',
    ],
    ['an unknown coverage status', { coverage: { pods: { status: 'partial' } } }, '$.coverage.pods.status'],
    [
      'rules that are not a list',
      { kubernetes: { clusterRoles: [{ kind: 'ClusterRole', name: 'x', rules: 'all' }] } },
      '$.kubernetes.clusterRoles',
    ],
  ])('rejects %s', (_name, change, expected) => {
    const broken = {
      schemaVersion: 1,
      cluster: { name: 'c', platform: 'kubernetes' },
      kubernetes: {},
      ...change,
    };
    const errors = validate(schema, broken);
    expect(
      errors.some((e) => e.includes(expected)),
      errors.join('\n'),
    ).toBe(true);
  });

  it('has a checker that refuses keywords it cannot judge and defaults that do not validate', () => {
    expect(schemaProblems({ type: 'string', pattern: '^a' })).toEqual([
      '#/pattern: keyword this test cannot judge',
    ]);
    expect(schemaProblems({ type: 'string', default: 3 })).toHaveLength(1);
    expect(schemaProblems({ type: 'object', properties: {}, required: ['x'] })).toEqual([
      '#/required: x is not a property',
    ]);
  });
});
