import packageJson from '../package.json' with { type: 'json' };

/**
 * Vigil's tool version, as the CLI reports it (`packages/cli/src/version.ts` reads its package.json the same
 * way; the packages are versioned together). Not the API contract's version: that is `API_VERSION`.
 */
export const TOOL_VERSION: string = packageJson.version;
