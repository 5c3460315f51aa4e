import { expect, vi } from 'vitest';
import { type FakeSst, installFakeSst, plain } from './fake-sst.ts';

/** Evaluates sst.config.ts (and so infra/) for a stage with the recording fakes; returns what it recorded. */
export async function fakeDeploy(options: { stage?: string; env?: Record<string, string> } = {}) {
  for (const [name, value] of Object.entries(options.env ?? {})) vi.stubEnv(name, value);
  const fake = installFakeSst({ stage: options.stage ?? 'production' });
  const recorded: SstConfig[] = [];
  vi.stubGlobal('$config', (config: SstConfig) => {
    recorded.push(config);
    return config;
  });
  const config = (await import('../../sst.config.ts')).default;
  expect(recorded).toHaveLength(1);
  const outputs = plain(await config.run()) as Record<string, unknown>;
  return { fake, config, outputs };
}

export interface RecordedFunction {
  handler: string;
  runtime: string;
  architecture: string;
  vpc: unknown;
  timeout: string;
  environment: Record<string, string>;
  permissions: { actions: string[]; resources: string[] }[];
  copyFiles?: { from: string; to: string }[];
  link?: unknown[];
  nodejs?: { esbuild?: { alias?: Record<string, string> } };
  transform?: { role?: { name?: string } };
}

export const recordedFunction = (fake: FakeSst, name: string) =>
  fake.get('sst.aws.Function', name).args as unknown as RecordedFunction;

/** Undoes what fakeDeploy installed, so the next call evaluates infra/ afresh. */
export function resetFakeDeploy(): void {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  vi.resetModules();
}
