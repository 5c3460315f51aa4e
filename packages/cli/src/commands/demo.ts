import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AuditReport, SEVERITIES } from '@vigil/core';
import { toJsonReport } from '@vigil/core/report';
import { oneOf, parseFlags } from '../args.ts';
import { auditSource } from '../audit.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { wantsColor } from '../io.ts';
import { toJson } from '../output.ts';
import { createStyle, plural } from '../report/style.ts';
import { renderReportTable } from '../report/table.ts';
import { loadExceptions, loadSource } from '../sources.ts';
import { VERSION } from '../version.ts';

/** The bundled demo fleet, found beside the package rather than the working directory. */
export const DEMO_DIR = fileURLToPath(new URL('../../../../demo/clusters/', import.meta.url));

const usage = `Usage: vigil demo [--format table|json]

Audit the bundled demo fleet (${DEMO_DIR}): three small clusters with the kinds of
risky access Vigil looks for. Each cluster directory holds manifests.yaml (RBAC objects as
\`kubectl get -o yaml\` prints them), eks.json for EKS clusters (\`aws eks describe-cluster\` output with
access entries and OIDC configs), and optionally exceptions.yaml. Prints each report and a fleet
summary line. Exit code 0 (the demo is meant to have findings).

  --format FORMAT   table (default) or json (an array of reports)
`;

async function clusterDirectories(io: Parameters<Command['run']>[1]): Promise<string[]> {
  let names: string[];
  try {
    names = await io.fs.readdir(DEMO_DIR);
  } catch {
    throw new UsageError(`the demo clusters are missing (${DEMO_DIR}); is this a full checkout?`);
  }
  const directories: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    if ((await io.fs.stat(join(DEMO_DIR, name))).isDirectory()) directories.push(name);
  }
  return directories;
}

async function exists(io: Parameters<Command['run']>[1], path: string): Promise<boolean> {
  return io.fs.stat(resolve(io.cwd, path)).then(
    () => true,
    () => false,
  );
}

export const demo: Command = {
  name: 'demo',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { format: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const format = oneOf('format', values.format, ['table', 'json'] as const, 'table');
    const now = io.now();
    const reports: AuditReport[] = [];
    const texts: string[] = [];
    const style = createStyle(wantsColor(io));
    // Paths in messages read best relative to where the user stands (the repository root for `npm start`).
    const shown = (path: string) => {
      const rel = relative(io.cwd, path);
      return rel.startsWith('..') ? path : rel;
    };
    for (const name of await clusterDirectories(io)) {
      const dir = shown(join(DEMO_DIR, name));
      const eks = join(dir, 'eks.json');
      const exceptionsFile = join(dir, 'exceptions.yaml');
      const source = await loadSource(
        {
          manifests: [join(dir, 'manifests.yaml')],
          ...((await exists(io, eks)) ? { eks } : {}),
          clusterName: name,
        },
        io,
      );
      const exceptions = (await exists(io, exceptionsFile))
        ? await loadExceptions(exceptionsFile, io)
        : undefined;
      const report = auditSource(source, { exceptions, now });
      reports.push(report);
      if (format === 'table') {
        texts.push(renderReportTable(report, { style, showSuppressed: false }));
      }
    }
    if (format === 'json') {
      io.stdout.write(
        toJson(reports.map((r) => toJsonReport(r, { toolVersion: VERSION, generatedAt: now.toISOString() }))),
      );
      return 0;
    }
    const rule = style.dim('-'.repeat(100));
    io.stdout.write(`${texts.join(`\n${rule}\n\n`)}\n${rule}\n${fleetSummary(reports)}\n`);
    const example = shown(join(DEMO_DIR, 'prod-eu'));
    io.stdout.write(
      style.dim(
        `\nTry: vigil scan --manifests ${example}/manifests.yaml --eks ${example}/eks.json --format sarif\n` +
          `     vigil who-can get secrets --manifests ${example}/manifests.yaml --eks ${example}/eks.json\n`,
      ),
    );
    return 0;
  },
};

/** One line for the whole fleet: failing findings by severity, suppressed, partial audits. */
export function fleetSummary(reports: readonly AuditReport[]): string {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<string, number>;
  let suppressed = 0;
  for (const report of reports) {
    for (const s of SEVERITIES) bySeverity[s]! += report.summary.bySeverity[s];
    suppressed += report.summary.findings.suppressed;
  }
  const partial = reports.filter((r) => r.status === 'partial').length;
  const failing = SEVERITIES.map((s) => `${bySeverity[s]} ${s}`).join(', ');
  return `Fleet: ${plural(reports.length, 'cluster')} (${partial} partial); failing findings: ${failing}; ${suppressed} suppressed`;
}
