import { hc } from 'hono/client';
import type { ApiApp } from './app.ts';

/**
 * A typed client for portals and scripts: Hono's RPC client over the app's own route types, so paths,
 * parameters, bodies and response bodies are checked by TypeScript against the routes that serve them.
 *
 * @example
 * const vigil = createVigilClient('https://vigil.example.com', { apiKey: process.env.VIGIL_API_KEY! });
 * const res = await vigil.v1.findings.$get({ query: { severity: 'critical', limit: '100' } });
 * if (res.ok) for (const finding of (await res.json()).items) console.log(finding.checkId, finding.message);
 */
export function createVigilClient(
  baseUrl: string,
  options: { apiKey: string; fetch?: typeof fetch; headers?: Record<string, string> },
) {
  return hc<ApiApp>(baseUrl, {
    headers: { ...options.headers, authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

export type VigilClient = ReturnType<typeof createVigilClient>;
