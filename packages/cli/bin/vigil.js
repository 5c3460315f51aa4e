#!/usr/bin/env node
// The installed `vigil` command. Node 24 runs the TypeScript sources directly (type stripping), so this
// shim only checks the Node version and imports src/bin.ts.

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `vigil needs Node.js 24 (this is ${process.version}). Run it through npm (npx vigil, npm run vigil) so the project's Node is used.\n`,
  );
  process.exit(2);
}

// Some Node releases announce type stripping with an ExperimentalWarning on every start: noise for a
// command-line tool. Only that warning is dropped; every other warning still prints.
const emitWarning = process.emitWarning;
process.emitWarning = function filterTypeStrippingWarning(warning, ...rest) {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (type === 'ExperimentalWarning' && /type[- ]strip|typescript/i.test(String(text))) return;
  return emitWarning.call(process, warning, ...rest);
};

await import('../src/bin.ts');
