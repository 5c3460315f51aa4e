export * from './fingerprint.ts';
export * from './redact.ts';
export * from './run.ts';
export * from './types.ts';
