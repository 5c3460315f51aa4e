// The slice of SST's platform globals that sst.config.ts and infra/ use, so they type-check without
// `sst install` (which needs network access to fetch providers). Kept minimal and structural.
declare global {
  interface SstAppInput {
    stage?: string;
  }
  interface SstAppConfig {
    name: string;
    home: 'aws' | 'cloudflare' | 'local';
    removal?: 'remove' | 'retain' | 'retain-all';
    protect?: boolean;
  }
  interface SstConfig {
    app(input?: SstAppInput): SstAppConfig;
    run(): Promise<Record<string, unknown>>;
  }
  function $config(config: SstConfig): SstConfig;
}

export {};
