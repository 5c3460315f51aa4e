import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_PATH, renderOpenApi } from './gen-openapi.ts';

describe('openapi/openapi.json', () => {
  it('is the document the route definitions generate (run `node scripts/gen-openapi.ts` when this fails)', () => {
    expect(readFileSync(OPENAPI_PATH, 'utf8')).toBe(renderOpenApi());
  });

  it('renders the same text every time', () => {
    const text = renderOpenApi();
    expect(renderOpenApi()).toBe(text);
    expect(JSON.parse(text).openapi).toBe('3.1.0');
  });
});
