// Writes docs/checks.md, the check catalog for people, from the checks' own metadata and the framework
// catalogs. `--check` fails (exit 1) when the committed page is stale.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS, controlMap, FRAMEWORKS } from '@vigil/core';

const target = join(import.meta.dirname, '..', 'docs', 'checks.md');

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderChecksDoc(): string {
  const lines = [
    '# Check catalog',
    '',
    "Generated from the checks' metadata by `npm run gen` (scripts/gen-checks-doc.ts); `npx vigil checks`",
    'prints the same catalog. A check reports `not_evaluated` when an input it reads was not collected.',
    '',
  ];
  for (const category of ['rbac', 'identity', 'control-plane'] as const) {
    const title = {
      rbac: 'Kubernetes RBAC',
      identity: 'Identity mappings (EKS)',
      'control-plane': 'Control plane and encryption (EKS)',
    }[category];
    lines.push(
      `## ${title}`,
      '',
      '| check | severity | what it flags | reads | controls |',
      '|---|---|---|---|---|',
    );
    for (const check of CHECKS.filter((c) => c.meta.category === category)) {
      const m = check.meta;
      lines.push(
        `| \`${m.id}\` | ${m.severity} | **${cell(m.title)}.** ${cell(m.rationale)} | ${m.reads.join(', ')} | ${m.controls.map((c) => `\`${c}\``).join(' ')} |`,
      );
    }
    lines.push('');
  }
  const byControl = controlMap(CHECKS);
  lines.push('## Frameworks', '', 'Controls no check decides are reported `manual`.', '');
  for (const framework of FRAMEWORKS) {
    lines.push(
      `### ${framework.title} ${framework.version} (\`${framework.id}\`)`,
      '',
      '| control | title | decided by |',
      '|---|---|---|',
    );
    for (const control of framework.controls) {
      const checks = byControl.get(`${framework.id}:${control.id}`) ?? [];
      lines.push(
        `| ${control.id} | ${cell(control.title)} | ${checks.length ? checks.map((c) => `\`${c}\``).join(', ') : 'manual'} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

const wanted = renderChecksDoc();
if (process.argv.includes('--check')) {
  if (!existsSync(target) || readFileSync(target, 'utf8') !== wanted) {
    console.error('docs/checks.md is stale: run `npm run gen` and commit it.');
    process.exit(1);
  }
} else {
  writeFileSync(target, wanted);
  console.log(`wrote ${target}`);
}
