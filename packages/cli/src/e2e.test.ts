// The one test that runs the real executable: the bin shim, Node's type stripping, process exit codes.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './testing.ts';

const BIN = `${REPO_ROOT}/packages/cli/bin/vigil.js`;

function vigil(args: string[]) {
  // process.execPath is the project's Node 24 (vitest runs on it).
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
}

describe('bin/vigil.js', () => {
  it('scans a demo cluster and exits 1 on its critical findings, with clean stderr', () => {
    const result = vigil([
      'scan',
      '--manifests',
      'demo/clusters/prod-eu/manifests.yaml',
      '--eks',
      'demo/clusters/prod-eu/eks.json',
      '--format',
      'json',
    ]);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(
      report.findings.some(
        (f: { checkId: string; resource: { name: string } }) =>
          f.checkId === 'cluster-admin' && f.resource.name === 'ci-deployer-cluster-admin',
      ),
    ).toBe(true);
    // A complete audit: no partial-audit note, no ExperimentalWarning or other Node noise.
    expect(result.stderr).toBe('');
  });

  it('warns on stderr, and only there, when the audit is partial', () => {
    const result = vigil([
      'scan',
      '--manifests',
      'demo/clusters/prod-us/manifests.yaml',
      '--eks',
      'packages/cli/src/testdata/prod-us-without-kms.json',
      '--format',
      'json',
      '--fail-on',
      'none',
    ]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).status).toBe('partial');
    expect(result.stderr).toBe(
      'vigil: warning: partial audit of prod-us: 2 check(s) not evaluated because input was missing\n',
    );
  });

  it('prints help without warnings and exits 2 on an unknown option', () => {
    const help = vigil(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: vigil COMMAND');
    expect(help.stderr).toBe('');
    const bad = vigil(['scan', '--bogus']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^vigil scan: unknown option --bogus\n/);
  });

  it('drops only the type-stripping ExperimentalWarning, not other warnings', () => {
    // Emitted at beforeExit, when the shim's filter is surely installed, as some Node releases do at load.
    const emit = encodeURIComponent(
      'process.once("beforeExit", () => {' +
        'process.emitWarning("Type Stripping is an experimental feature and might change at any time", "ExperimentalWarning");' +
        'process.emitWarning("an unrelated warning", "DeprecationWarning");' +
        '});',
    );
    const result = spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${emit}`, BIN, '--version'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain('Type Stripping');
    expect(result.stderr).toContain('an unrelated warning');
  });
});
