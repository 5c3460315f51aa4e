import { describe, expect, it } from 'vitest';
import type { Command, CommandEntry } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { main } from './main.ts';
import { createTestIo, runVigil } from './testing.ts';
import { VERSION } from './version.ts';

describe('vigil (dispatch, help, errors)', () => {
  it('prints the version', async () => {
    for (const flag of ['--version', '-v']) {
      expect(await runVigil([flag])).toEqual({ code: 0, stdout: `vigil ${VERSION}\n`, stderr: '' });
    }
  });

  it('lists every command in the general help', async () => {
    const { stdout, code } = await runVigil(['--help']);
    expect(code).toBe(0);
    for (const command of COMMANDS) {
      const line = stdout.split('\n').find((l) => l.trimStart().startsWith(`${command.name} `));
      expect(line?.trim().split(/\s{2,}/)).toEqual([command.name, command.summary]);
    }
    expect((await runVigil(['help'])).stdout).toBe(stdout);
  });

  it('prints a command usage for `help CMD`, `CMD --help` and `CMD -h`', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      const viaHelp = await runVigil(['help', command.name]);
      expect(viaHelp).toEqual({ code: 0, stdout: command.usage, stderr: '' });
      expect((await runVigil([command.name, '--help'])).stdout).toBe(command.usage);
      expect((await runVigil([command.name, '--format', 'json', '-h'])).stdout).toBe(command.usage);
      expect(command.usage).toMatch(/^Usage: vigil /);
    }
  });

  it('documents the default --fail-on and the exit codes in scan --help', async () => {
    const { stdout } = await runVigil(['scan', '--help']);
    expect(stdout).toMatch(/Default: high\./);
    expect(stdout).toMatch(/0 {2}no failing finding/);
    expect(stdout).toMatch(/1 {2}at least one failing finding/);
    expect(stdout).toMatch(/2 {2}bad usage/);
  });

  it('exits 2 with the usage on no command, an unknown command or an unknown top-level option', async () => {
    const none = await runVigil([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: vigil COMMAND');
    const unknown = await runVigil(['scna']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^vigil: unknown command "scna"\n\n.*Usage: vigil COMMAND/s);
    expect((await runVigil(['--verbose'])).stderr).toMatch(/^vigil: unknown option --verbose/);
    expect((await runVigil(['help', 'nope'])).code).toBe(2);
  });

  it('turns an unexpected error into one line, with the stack only when VIGIL_DEBUG=1', async () => {
    const command: Command = {
      name: 'broken',
      usage: 'Usage: vigil broken\n',
      run: async () => {
        throw new TypeError('cannot read properties of undefined');
      },
    };
    const broken: CommandEntry = { name: 'broken', summary: 'fails', load: async () => command };
    const quiet = createTestIo();
    expect(await main(['broken'], quiet, [broken])).toBe(2);
    expect(quiet.err()).toBe(
      'vigil broken: unexpected error: cannot read properties of undefined\nThis is a bug in vigil; run again with VIGIL_DEBUG=1 for details.\n',
    );
    const debug = createTestIo({ env: { VIGIL_DEBUG: '1' } });
    expect(await main(['broken'], debug, [broken])).toBe(2);
    expect(debug.err()).toMatch(/TypeError: cannot read properties of undefined\n\s+at /);
  });
});
