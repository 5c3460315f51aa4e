import { afterEach, describe, expect, it, vi } from 'vitest';

// sst.config.ts is evaluated by the SST CLI with its globals; here a recording fake stands in for them.
describe('sst.config.ts', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  async function load() {
    const recorded: SstConfig[] = [];
    vi.stubGlobal('$config', (config: SstConfig) => {
      recorded.push(config);
      return config;
    });
    const module = await import('../sst.config.ts');
    expect(recorded).toHaveLength(1);
    return module.default;
  }

  it('names the app and keeps production resources on removal', async () => {
    const config = await load();
    expect(config.app({ stage: 'production' })).toMatchObject({
      name: 'vigil',
      home: 'aws',
      removal: 'retain',
      protect: true,
    });
    expect(config.app({ stage: 'dev' })).toMatchObject({ removal: 'remove', protect: false });
  });

  it('returns the outputs that infra/ defines', async () => {
    const config = await load();
    const infra = await import('./index.ts');
    expect(await config.run()).toEqual(infra.deploy());
  });
});
