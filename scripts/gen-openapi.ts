// Writes openapi/openapi.json, the OpenAPI 3.1 description of the REST API, from the route definitions in
// packages/api. `--check` fails (exit 1) when the committed file is stale.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from '@vigil/api';

export const OPENAPI_PATH = join(import.meta.dirname, '..', 'openapi', 'openapi.json');

export function renderOpenApi(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}

export function isOpenApiCurrent(): boolean {
  return existsSync(OPENAPI_PATH) && readFileSync(OPENAPI_PATH, 'utf8') === renderOpenApi();
}

if (import.meta.main) {
  if (process.argv.includes('--check')) {
    if (!isOpenApiCurrent()) {
      console.error('openapi/openapi.json is stale: run `node scripts/gen-openapi.ts` and commit it.');
      process.exit(1);
    }
  } else {
    writeFileSync(OPENAPI_PATH, renderOpenApi());
    console.log(`wrote ${OPENAPI_PATH}`);
  }
}
