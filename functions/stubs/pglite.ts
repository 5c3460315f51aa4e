/**
 * Stands in for @electric-sql/pglite in the Lambda bundles (esbuild `alias`, see scripts/build-functions.ts
 * and infra/functions.ts). The embedded engine serves the local stack only; in AWS the functions always
 * connect to Aurora, so leaving PGlite's half a megabyte out shortens every cold start. Using it fails loudly.
 */
const message = 'the embedded database (PGlite) is not part of the Lambda bundles; set DATABASE_URL';

export const types: Record<string, number> = {};

export class PGlite {
  constructor() {
    throw new Error(message);
  }
  static async create(): Promise<never> {
    throw new Error(message);
  }
}
