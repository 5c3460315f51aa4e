// Test support: every response a test receives is checked against openapi/openapi.json's description of
// that operation (status documented, media type documented, body valid against the schema).
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenAPIObject, OperationObject } from 'openapi3-ts/oas31';
import { openApiDocument } from '../openapi/document.ts';

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type Method = (typeof METHODS)[number];

export interface Operation {
  method: Method;
  /** As the document writes it: `/v1/clusters/{clusterId}`. */
  path: string;
  operation: OperationObject;
  matcher: RegExp;
}

const document: OpenAPIObject = openApiDocument();

export function apiDocument(): OpenAPIObject {
  return document;
}

/** Every operation of the document. */
export function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method] as OperationObject | undefined;
      if (!operation) continue;
      const pattern = path
        .split('/')
        .map((segment) => (segment.startsWith('{') ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
        .join('/');
      out.push({ method, path, operation, matcher: new RegExp(`^${pattern}$`) });
    }
  }
  return out;
}

const OPERATIONS = operations();

/** The operation a concrete request path answers to (literal segments win over parameters). */
export function operationFor(method: string, path: string): Operation | undefined {
  const params = (o: Operation) => o.path.split('{').length;
  return OPERATIONS.filter((o) => o.method === method.toLowerCase() && o.matcher.test(path)).sort(
    (a, b) => params(a) - params(b),
  )[0];
}

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats.default(ajv);
ajv.addSchema(document as unknown as object, 'openapi.json');
const validators = new Map<string, ValidateFunction>();

function pointer(...parts: string[]): string {
  return parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

function validatorFor(op: Operation, status: string, mediaType: string): ValidateFunction {
  const ref = `openapi.json#/${pointer('paths', op.path, op.method, 'responses', status, 'content', mediaType, 'schema')}`;
  let validate = validators.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    validators.set(ref, validate);
  }
  return validate;
}

export interface CheckedResponse {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  /** Parsed JSON for JSON media types. */
  body: unknown;
  operation: Operation | undefined;
}

/**
 * Reads a response and fails (throws) when the document does not describe it: an undocumented status, a
 * media type the operation does not declare for that status, or a body its schema rejects. Requests to
 * paths outside the document (e.g. /docs) are returned unchecked.
 */
export async function checkResponse(
  method: string,
  path: string,
  response: Response,
): Promise<CheckedResponse> {
  const text = await response.text();
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const isJson = /^application\/([a-z.+-]+\+)?json$/.test(contentType);
  const body = isJson && text ? JSON.parse(text) : undefined;
  const pathname = new URL(path, 'http://api.test').pathname;
  const op = operationFor(method, pathname);
  const result: CheckedResponse = {
    status: response.status,
    headers: response.headers,
    contentType,
    text,
    body,
    operation: op,
  };
  if (!op) return result;
  const where = `${method.toUpperCase()} ${pathname} -> ${response.status}`;
  const responses = op.operation.responses ?? {};
  const documented = responses[String(response.status)] ?? responses.default;
  if (!documented) throw new Error(`${where}: status not documented for ${op.operation.operationId}`);
  const content = (documented as { content?: Record<string, unknown> }).content;
  if (!content) {
    if (text.length > 0) throw new Error(`${where}: documented without a body, got ${text.slice(0, 200)}`);
    return result;
  }
  if (!content[contentType]) {
    throw new Error(
      `${where}: media type ${contentType || '(none)'} not documented (${Object.keys(content).join(', ')})`,
    );
  }
  if (isJson) {
    const validate = validatorFor(
      op,
      responses[String(response.status)] ? String(response.status) : 'default',
      contentType,
    );
    if (!validate(body)) {
      throw new Error(
        `${where}: body violates the document: ${ajv.errorsText(validate.errors?.slice(0, 5))}\n${text.slice(0, 500)}`,
      );
    }
  }
  return result;
}

export interface ApiCall {
  token?: string | undefined;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Raw body text (sent as is, JSON content type unless `headers` says otherwise). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A request function over an app (anything with Hono's `request`), validating every response. */
export function contractClient(app: {
  request: (input: string, init?: RequestInit) => Response | Promise<Response>;
}) {
  return async (
    method: Method | Uppercase<Method>,
    path: string,
    call: ApiCall = {},
  ): Promise<CheckedResponse> => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(call.query ?? {}))
      if (value !== undefined) query.set(key, String(value));
    const url = query.size > 0 ? `${path}?${query}` : path;
    const headers: Record<string, string> = { ...call.headers };
    if (call.token) headers.authorization = `Bearer ${call.token}`;
    let body: string | undefined;
    if (call.rawBody !== undefined || call.body !== undefined) {
      body = call.rawBody ?? JSON.stringify(call.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await app.request(url, {
      method: method.toUpperCase(),
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    return checkResponse(method, url, response);
  };
}
