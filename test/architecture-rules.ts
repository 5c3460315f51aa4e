// The layer rules of docs/architecture.md as code: which of our packages each layer may import, and what the
// pure domain may not touch (I/O, environment, clock). Pure over a list of {path, text}, so the rules are
// tested on made-up files as well as run over the repository.
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import ts from 'typescript';

export interface SourceFile {
  /** Repository-relative, forward slashes: `packages/core/src/rbac/match.ts`. */
  path: string;
  text: string;
}

/** Which of our packages each package may import; entry points (cli, functions) import anything below them. */
export const ALLOWED_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  core: [],
  collect: ['core'],
  db: ['core'],
  notify: ['core'],
  api: ['core', 'db'],
  jobs: ['core', 'collect', 'db', 'notify'],
  cli: ['core', 'collect', 'db', 'notify', 'api', 'jobs'],
};
/** Nothing imports an entry point. */
const ENTRY_POINTS = new Set(['cli', 'functions']);
/** The only built-in module the domain may use: hashing for fingerprints. */
const CORE_BUILTINS = new Set(['node:crypto', 'crypto']);
const BUILTINS = new Set(builtinModules);

interface Owner {
  /** `core`, `db`, ... for packages; `functions` or `infra` for those folders. */
  name: string;
  /** The folder relative imports must stay inside. */
  root: string;
  /** Files outside the root it may still import relatively. */
  also?: string[];
}

function ownerOf(path: string): Owner | null {
  const pkg = /^packages\/([^/]+)\//.exec(path);
  if (pkg) return { name: pkg[1]!, root: `packages/${pkg[1]}/` };
  if (path.startsWith('functions/')) return { name: 'functions', root: 'functions/' };
  // sst.config.ts only composes infra/ (its tests evaluate it), so it counts as part of infra.
  if (path.startsWith('infra/')) return { name: 'infra', root: 'infra/', also: ['sst.config.ts'] };
  return null;
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]!);
}

/** Tests may read fixtures from disk; the purity rules are about the code that ships. */
function isTestFile(path: string): boolean {
  return /\.test\.ts$/.test(path) || path.includes('/fixtures/');
}

/** Every module specifier a file imports or re-exports, static or dynamic, `import type` included. */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((ref) => ref.fileName);
}

/** Uses of the environment and the clock, found in the syntax tree (comments and strings do not count). */
export function impureUses(path: string, text: string): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (node: ts.Node) =>
    `line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
  const isName = (node: ts.Node, name: string) => ts.isIdentifier(node) && node.text === name;
  const visit = (node: ts.Node) => {
    if (
      ts.isPropertyAccessExpression(node) &&
      isName(node.expression, 'process') &&
      node.name.text === 'env'
    ) {
      found.push(`process.env (${at(node)})`);
    } else if (
      ts.isElementAccessExpression(node) &&
      isName(node.expression, 'process') &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      node.argumentExpression.text === 'env'
    ) {
      found.push(`process.env (${at(node)})`);
    } else if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'now' &&
      (isName(node.expression.expression, 'Date') || isName(node.expression.expression, 'performance'))
    ) {
      found.push(`${(node.expression.expression as ts.Identifier).text}.now() (${at(node)})`);
    } else if (ts.isNewExpression(node) && isName(node.expression, 'Date') && !node.arguments?.length) {
      found.push(`new Date() without arguments (${at(node)})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every broken rule, as `path: what`. An empty list means the layers hold. */
export function findLayerViolations(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const owner = ownerOf(file.path);
    if (!owner) continue;
    const allowed = ALLOWED_IMPORTS[owner.name];
    if (owner.root.startsWith('packages/') && allowed === undefined) {
      violations.push(`${file.path}: package ${owner.name} has no layer rule (add it to ALLOWED_IMPORTS)`);
    }
    for (const specifier of importSpecifiers(file.text)) {
      if (specifier.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(file.path), specifier));
        // Tests may use the shared fixtures and fakes in the repository's test/ folder; shipped code may not.
        const sharedTestCode = isTestFile(file.path) && target.startsWith('test/');
        if (!target.startsWith(owner.root) && !owner.also?.includes(target) && !sharedTestCode) {
          violations.push(`${file.path}: relative import ${specifier} leaves ${owner.root}`);
        }
        continue;
      }
      const ours = /^@vigil\/([^/]+)/.exec(specifier);
      if (ours) {
        const target = ours[1]!;
        if (ENTRY_POINTS.has(target) && target !== owner.name) {
          violations.push(`${file.path}: imports ${specifier}, an entry point nothing may import`);
        } else if (owner.name === 'core') {
          violations.push(`${file.path}: core imports ${specifier}; the domain imports nothing of ours`);
        } else if (allowed && target !== owner.name && !allowed.includes(target)) {
          violations.push(
            `${file.path}: ${owner.name} imports ${specifier}; it may import ${allowed.map((a) => `@vigil/${a}`).join(', ') || 'nothing of ours'}`,
          );
        }
        continue;
      }
      if (
        owner.name === 'core' &&
        !isTestFile(file.path) &&
        isBuiltin(specifier) &&
        !CORE_BUILTINS.has(specifier)
      ) {
        violations.push(`${file.path}: core imports the built-in ${specifier}; only node:crypto is allowed`);
      }
    }
    if (owner.name === 'core' && !isTestFile(file.path)) {
      for (const use of impureUses(file.path, file.text)) {
        violations.push(`${file.path}: core uses ${use}; the caller passes time and settings in`);
      }
    }
  }
  return violations;
}
