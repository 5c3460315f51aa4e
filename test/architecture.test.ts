import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLayerViolations, importSpecifiers, impureUses, type SourceFile } from './architecture-rules.ts';

const root = join(import.meta.dirname, '..');

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function repositoryFiles(): SourceFile[] {
  const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, 'packages', entry.name, 'src'));
  return [...packages, join(root, 'functions'), join(root, 'infra')]
    .flatMap(tsFiles)
    .map((path) => ({ path: relative(root, path).split(sep).join('/'), text: readFileSync(path, 'utf8') }));
}

describe('layers in this repository', () => {
  const files = repositoryFiles();

  it('finds the source files it judges', () => {
    expect(files.some((f) => f.path === 'packages/core/src/rbac/match.ts')).toBe(true);
    expect(files.filter((f) => f.path.startsWith('packages/core/src/')).length).toBeGreaterThan(20);
  });

  it('hold: dependencies point down only and the domain does no I/O', () => {
    expect(findLayerViolations(files)).toEqual([]);
  });
});

const file = (path: string, ...lines: string[]): SourceFile => ({ path, text: lines.join('\n') });

describe('findLayerViolations', () => {
  it('accepts imports that follow the layers', () => {
    expect(
      findLayerViolations([
        file(
          'packages/core/src/a.ts',
          "import { z } from 'zod';",
          "import { createHash } from 'node:crypto';",
          "import { b } from './b.ts';",
        ),
        file(
          'packages/core/src/a.test.ts',
          "import { readFileSync } from 'node:fs';",
          'const t = Date.now();',
        ),
        file(
          'packages/db/src/a.ts',
          "import { Snapshot } from '@vigil/core';",
          "import pg from 'pg';",
          'process.env.X;',
        ),
        file('packages/collect/src/a.ts', "import type { Snapshot } from '@vigil/core/snapshot';"),
        file('packages/api/src/a.ts', "import '@vigil/core';", "import '@vigil/db';"),
        file(
          'packages/jobs/src/a.ts',
          "import '@vigil/core'; import '@vigil/collect'; import '@vigil/db'; import '@vigil/notify';",
        ),
        file(
          'packages/cli/src/a.ts',
          "import '@vigil/jobs'; import '@vigil/api'; import { x } from '../../cli/src/b.ts';",
        ),
        file(
          'functions/scan.ts',
          "import { runScan } from '@vigil/jobs';",
          "import { h } from './handler.ts';",
        ),
        file('infra/sst-config.test.ts', "import config from '../sst.config.ts';"),
        file(
          'packages/collect/src/eks/token.test.ts',
          "import { fake } from '../../../../test/fake-kube/eks-token.ts';",
        ),
        file(
          'packages/core/src/c.ts',
          '// Date.now() and process.env are mentioned in a comment only',
          "const s = 'new Date()';",
        ),
      ]),
    ).toEqual([]);
  });

  it.each([
    [
      'core importing another package of ours',
      file('packages/core/src/a.ts', "import { db } from '@vigil/db';"),
      'core imports @vigil/db',
    ],
    [
      'core importing itself by name',
      file('packages/core/src/a.ts', "export * from '@vigil/core/rbac';"),
      'core imports @vigil/core/rbac',
    ],
    [
      'core importing fs',
      file('packages/core/src/a.ts', "import { readFileSync } from 'node:fs';"),
      'built-in node:fs',
    ],
    [
      'core importing a bare built-in',
      file('packages/core/src/a.ts', "import path from 'path';"),
      'built-in path',
    ],
    [
      'core importing a built-in subpath',
      file('packages/core/src/a.ts', "import { readFile } from 'fs/promises';"),
      'built-in fs/promises',
    ],
    [
      'core importing a built-in dynamically',
      file('packages/core/src/a.ts', "const os = await import('node:os');"),
      'built-in node:os',
    ],
    [
      'core reading the environment',
      file('packages/core/src/a.ts', 'const region = process.env.AWS_REGION;'),
      'process.env',
    ],
    [
      'core reading the environment by index',
      file('packages/core/src/a.ts', "const env = process['env'];"),
      'process.env',
    ],
    ['core reading the clock', file('packages/core/src/a.ts', 'const t = Date.now();'), 'Date.now()'],
    [
      'core reading a monotonic clock',
      file('packages/core/src/a.ts', 'const t = performance.now();'),
      'performance.now()',
    ],
    [
      'core constructing the current date',
      file('packages/core/src/a.ts', 'const d = new Date();'),
      'new Date() without arguments',
    ],
    [
      'core constructing the current date without parens',
      file('packages/core/src/a.ts', 'const d = new Date;'),
      'new Date() without arguments',
    ],
    [
      'an adapter importing another adapter',
      file('packages/db/src/a.ts', "import { notify } from '@vigil/notify';"),
      'db imports @vigil/notify',
    ],
    [
      'an adapter importing use cases',
      file('packages/collect/src/a.ts', "import type { Job } from '@vigil/jobs';"),
      'collect imports @vigil/jobs',
    ],
    [
      'the API importing an adapter other than db',
      file('packages/api/src/a.ts', "import '@vigil/collect';"),
      'api imports @vigil/collect',
    ],
    [
      'use cases importing the API',
      file('packages/jobs/src/a.ts', "export { app } from '@vigil/api';"),
      'jobs imports @vigil/api',
    ],
    [
      'anything importing the CLI',
      file('packages/jobs/src/a.ts', "import { main } from '@vigil/cli';"),
      'entry point nothing may import',
    ],
    [
      'functions importing the CLI',
      file('functions/a.ts', "import { main } from '@vigil/cli';"),
      'entry point nothing may import',
    ],
    [
      'shipped code importing the shared test folder',
      file(
        'packages/collect/src/eks/token.ts',
        "import { fake } from '../../../../test/fake-kube/eks-token.ts';",
      ),
      'leaves packages/collect/',
    ],
    [
      'a package reaching into functions',
      file('packages/jobs/src/a.ts', "import { handler } from '../../../functions/scan.ts';"),
      'leaves packages/jobs/',
    ],
    [
      'a relative import into another package',
      file('packages/db/src/x/a.ts', "import { s } from '../../../core/src/snapshot/model.ts';"),
      'leaves packages/db/',
    ],
    [
      'functions reaching into a package by path',
      file('functions/a.ts', "import { s } from '../packages/core/src/index.ts';"),
      'leaves functions/',
    ],
    [
      'infra reaching out of infra',
      file('infra/api.ts', "import { h } from '../functions/api.ts';"),
      'leaves infra/',
    ],
    [
      'a package with no layer rule',
      file('packages/reports/src/a.ts', "import '@vigil/core';"),
      'has no layer rule',
    ],
  ])('reports %s', (_name, source, expected) => {
    const violations = findLayerViolations([source]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain(source.path);
    expect(violations[0]).toContain(expected);
  });

  it('applies the import rules to test files too, but not the purity rules', () => {
    expect(
      findLayerViolations([
        file(
          'packages/core/src/x.test.ts',
          "import { db } from '@vigil/db';",
          "import { readFileSync } from 'node:fs';",
        ),
      ]),
    ).toEqual(['packages/core/src/x.test.ts: core imports @vigil/db; the domain imports nothing of ours']);
  });
});

describe('importSpecifiers', () => {
  it('finds static, type-only, re-export, side-effect and dynamic imports, not strings or comments', () => {
    const text = [
      "import a from 'a';",
      "import type { B } from 'b';",
      "export * from 'c';",
      "export { d } from 'd';",
      "import 'e';",
      "const f = await import('f');",
      "// import g from 'g';",
      'const h = "import i from \'i\'";',
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});

describe('impureUses', () => {
  it('allows dates from a value and names that only look similar', () => {
    expect(
      impureUses(
        'a.ts',
        "const d = new Date(options.now); const e = env.process; const n = clock.now(); Date.parse('x');",
      ),
    ).toEqual([]);
  });
});
