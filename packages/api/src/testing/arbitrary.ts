// Test support: fast-check arbitraries for the values a JSON Schema (as the OpenAPI document writes it) allows.
import fc from 'fast-check';
import type { OpenAPIObject, ReferenceObject, SchemaObject } from 'openapi3-ts/oas31';

type Schema = SchemaObject | ReferenceObject;

export function resolveSchema(document: OpenAPIObject, schema: Schema): SchemaObject {
  if ('$ref' in schema && typeof schema.$ref === 'string') {
    const path = schema.$ref.replace(/^#\//, '').split('/');
    const target = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], document);
    return resolveSchema(document, target as Schema);
  }
  return schema as SchemaObject;
}

function stringArbitrary(schema: SchemaObject): fc.Arbitrary<string> {
  if (schema.enum) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.const !== undefined) return fc.constant(schema.const as string);
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'date-time':
      return fc
        .date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString());
    case 'uri':
      return fc.webUrl();
  }
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, 60);
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    return fc
      .stringMatching(pattern)
      .filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
  }
  return fc.string({ minLength, maxLength: Math.max(minLength, maxLength) });
}

/** Values the schema accepts (structurally; cross-field rules such as zod refinements may still refuse). */
export function schemaValues(document: OpenAPIObject, raw: Schema, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolveSchema(document, raw);
  if (schema.anyOf || schema.oneOf) {
    return fc.oneof(...(schema.anyOf ?? schema.oneOf)!.map((s) => schemaValues(document, s, depth + 1)));
  }
  if (schema.allOf) return schemaValues(document, schema.allOf[0]!, depth + 1);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) {
    return fc.oneof(
      ...types.map((type) => schemaValues(document, { ...schema, type } as SchemaObject, depth + 1)),
    );
  }
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(schema.items ? schemaValues(document, schema.items, depth + 1) : fc.string(), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      if (properties.length === 0 || depth > 6) {
        return fc.dictionary(
          fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
          fc.stringMatching(/^[a-z0-9]{0,10}$/),
          {
            maxKeys: 3,
          },
        );
      }
      const required = new Set(schema.required ?? []);
      const shape = Object.fromEntries(
        properties.map(([key, value]) => [key, schemaValues(document, value, depth + 1)]),
      );
      return fc.record(shape, { requiredKeys: [...required].filter((key) => key in shape) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values of any JSON type, including ones the schema refuses. */
export const anyJson = fc.jsonValue({ maxDepth: 3 });
