// SST v3 app definition. It only imports infra/ and returns its outputs; each infra file owns one concern.
// The SST CLI evaluates this file with its own globals ($config, $app, sst, aws); types for them come from
// infra/sst-globals.d.ts here, and from .sst/platform after `sst install` on a machine that deploys.
export default $config({
  app(input) {
    return {
      name: 'vigil',
      home: 'aws',
      removal: input?.stage === 'production' ? 'retain' : 'remove',
      protect: input?.stage === 'production',
    };
  },
  async run() {
    const infra = await import('./infra/index.ts');
    return infra.deploy();
  },
});
