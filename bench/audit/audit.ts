/**
 * The audit benchmark: for synthetic clusters of 1k, 10k and 100k objects, how long loading and auditing a
 * snapshot file takes and how much memory it needs, against the targets (100k objects in <= 3 s and
 * <= 1 GiB peak RSS on 2 cores; 10x the objects in <= 12x the time).
 *
 * Each size is written to a temporary directory, then measured in fresh child processes (measure.ts): one
 * `warm` child times every phase over several runs after a warm-up, one `cold` child does a single end-to-end
 * pass as `vigil scan --snapshot` would (its peak RSS is the memory figure), and one `list` child loads the
 * same cluster from `kubectl get -o json` and `aws eks describe-cluster` output instead.
 *
 *   npm run bench -- audit [--sizes 1000,10000,100000] [--runs 5] [--seed 1] [--no-list] [--no-write]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { CHECKS } from '@vigil/core';
import { generateCluster, type ObjectCounts, writeClusterFiles } from '../../test/support/synthetic.ts';
import {
  formatBytes,
  formatMs,
  formatSummary,
  type Machine,
  machine,
  markdownTable,
  type Summary,
  summarise,
} from '../lib/stats.ts';
import type { ColdResult, PhaseTimes, ReportFacts, WarmResult } from './measure.ts';

const run = promisify(execFile);
const MEASURE = join(import.meta.dirname, 'measure.ts');
const CLI = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'src', 'bin.ts');
const TIME = '/usr/bin/time';
const RESULTS = join(import.meta.dirname, '..', 'results', 'audit.json');

export const TARGETS = {
  /** Objects of the size the time and memory targets apply to. */
  objects: 100_000,
  totalMs: 3000,
  maxRssBytes: 1024 ** 3,
  /** time(10n) / time(n) at most. */
  scaling: 12,
};

export interface SizeResult {
  objects: number;
  counts: ObjectCounts;
  snapshotFileBytes: number;
  /** Wall-clock milliseconds of the warm runs. */
  phases: Record<keyof PhaseTimes, Summary>;
  /** CPU milliseconds (user + system, GC threads included) of the same runs: steadier on a busy machine. */
  cpu: Record<keyof PhaseTimes, Summary>;
  /** One end-to-end pass in a fresh process. */
  cold: { total: number; totalCpu: number; load: number; audit: number; maxRssBytes: number };
  /** Peak RSS of the warm child over all its runs. */
  warmMaxRssBytes: number;
  /**
   * `vigil scan --snapshot FILE --format json --output FILE` as a user runs it: process start, module loading,
   * audit, rendering and writing the report. Median of the runs; peak RSS from /usr/bin/time when present.
   */
  cli?: { wall: Summary; maxRssBytes: number | null; reportBytes: number };
  /** The same cluster loaded from kubectl List + EKS describe output, one pass in a fresh process. */
  list?: {
    total: number;
    totalCpu: number;
    load: number;
    audit: number;
    maxRssBytes: number;
    fileBytes: number;
  };
  report: ReportFacts;
  /** total / JSON.parse and runAudit / JSON.parse, medians. */
  ratioTotalToJsonParse: number;
  ratioAuditToJsonParse: number;
}

export interface AuditBenchResults {
  bench: 'audit';
  date: string;
  machine: Machine;
  seed: number;
  runs: number;
  checks: number;
  sizes: SizeResult[];
  /** total(10n)/total(n) for consecutive sizes, medians of the warm runs. */
  scaling: { from: number; to: number; ratio: number }[];
  targets: typeof TARGETS & { met: boolean | null; notes: string[] };
}

async function child<T>(args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, ['--expose-gc', MEASURE, ...args], {
    maxBuffer: 16 * 1024 * 1024,
    // Leave room above the 1 GiB target so a regression shows as a number, not a crash.
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096' },
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}

/** Runs the vigil command on the snapshot `runs` times; exit 1 only means failing findings were reported. */
async function measureCli(snapshotFile: string, dir: string, runs: number): Promise<SizeResult['cli']> {
  const output = join(dir, 'report.json');
  const args = [
    CLI,
    'scan',
    '--snapshot',
    snapshotFile,
    '--format',
    'json',
    '--output',
    output,
    '--fail-on',
    'none',
  ];
  const hasTime = await stat(TIME).then(
    () => true,
    () => false,
  );
  const walls: number[] = [];
  let maxRssBytes: number | null = null;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const { stderr } = hasTime
      ? await run(TIME, ['-v', process.execPath, ...args], { maxBuffer: 16 * 1024 * 1024 })
      : await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
    walls.push(performance.now() - started);
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    if (rss) maxRssBytes = Math.max(maxRssBytes ?? 0, Number(rss[1]) * 1024);
  }
  return { wall: summarise(walls), maxRssBytes, reportBytes: (await stat(output)).size };
}

async function measureSize(
  objects: number,
  options: { seed: number; runs: number; list: boolean; log: (line: string) => void },
): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), `vigil-bench-${objects}-`));
  try {
    const cluster = generateCluster({ objects, seed: options.seed, eks: true });
    const files = await writeClusterFiles(
      cluster,
      dir,
      options.list ? ['snapshot', 'list', 'eks'] : ['snapshot'],
    );
    const snapshotFile = files.snapshot!;
    const snapshotFileBytes = (await stat(snapshotFile)).size;
    options.log(`audit: ${objects} objects (${formatBytes(snapshotFileBytes)} snapshot): warm runs`);
    const warm = await child<WarmResult>(['warm', snapshotFile, String(options.runs)]);
    options.log(`audit: ${objects} objects: cold run`);
    const cold = await child<ColdResult>(['cold', snapshotFile]);
    options.log(`audit: ${objects} objects: vigil scan --snapshot`);
    const cli = await measureCli(snapshotFile, dir, Math.min(options.runs, 3));
    let list: SizeResult['list'];
    if (options.list && files.list) {
      options.log(`audit: ${objects} objects: kubectl List + EKS file`);
      const result = await child<ColdResult>(['list', files.list, ...(files.eks ? [files.eks] : [])]);
      list = {
        total: result.total,
        totalCpu: result.totalCpu,
        load: result.load,
        audit: result.audit,
        maxRssBytes: result.maxRssBytes,
        fileBytes: (await stat(files.list)).size + (files.eks ? (await stat(files.eks)).size : 0),
      };
    }
    const summariseRuns = (runs: PhaseTimes[]) => {
      const pick = (key: keyof PhaseTimes) => summarise(runs.map((r) => r[key]));
      return {
        read: pick('read'),
        jsonParse: pick('jsonParse'),
        parseValidate: pick('parseValidate'),
        index: pick('index'),
        audit: pick('audit'),
        total: pick('total'),
      };
    };
    const phases = summariseRuns(warm.runs);
    return {
      objects: cluster.total,
      counts: cluster.counts,
      snapshotFileBytes,
      phases,
      cpu: summariseRuns(warm.cpuRuns),
      cold: {
        total: cold.total,
        totalCpu: cold.totalCpu,
        load: cold.load,
        audit: cold.audit,
        maxRssBytes: cold.maxRssBytes,
      },
      warmMaxRssBytes: warm.maxRssBytes,
      cli,
      ...(list ? { list } : {}),
      report: warm.report,
      ratioTotalToJsonParse: phases.total.median / phases.jsonParse.median,
      ratioAuditToJsonParse: phases.audit.median / phases.jsonParse.median,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function renderAuditResults(results: AuditBenchResults): string {
  const m = results.machine;
  const lines = [
    `### Audit: ${results.checks} checks, seed ${results.seed}, ${results.runs} runs after a warm-up`,
    '',
    `Node ${m.node}, ${m.cpus} × ${m.cpuModel}, ${formatBytes(m.memoryBytes)} RAM, load average ${m.loadAverage} ` +
      `at the start, ${results.date}. ` +
      'Times are wall-clock medians (min–max) of the warm runs; "total CPU" is the median CPU time (user + ' +
      'system, GC threads included) of the same end-to-end runs; "cold" is one end-to-end run in a fresh ' +
      'process, and its peak RSS is the memory figure.',
    '',
    markdownTable(
      [
        'objects',
        'snapshot file',
        'JSON.parse',
        'parse + validate',
        'RBAC index',
        'runAudit (all checks)',
        'total: file → report',
        'total CPU',
        'cold total',
        'peak RSS (cold)',
        'total / JSON.parse',
        'findings',
      ],
      results.sizes.map((s) => [
        s.objects.toLocaleString('en-US'),
        formatBytes(s.snapshotFileBytes),
        formatSummary(s.phases.jsonParse),
        formatSummary(s.phases.parseValidate),
        formatSummary(s.phases.index),
        formatSummary(s.phases.audit),
        formatSummary(s.phases.total),
        formatMs(s.cpu.total.median),
        formatMs(s.cold.total),
        formatBytes(s.cold.maxRssBytes),
        `${s.ratioTotalToJsonParse.toFixed(1)}× (audit alone ${s.ratioAuditToJsonParse.toFixed(1)}×)`,
        s.report.findings.toLocaleString('en-US'),
      ]),
    ),
  ];
  if (results.scaling.length) {
    lines.push(
      '',
      `Scaling (median total): ${results.scaling
        .map(
          (s) =>
            `${s.to.toLocaleString('en-US')} / ${s.from.toLocaleString('en-US')} objects = ${s.ratio.toFixed(2)}×`,
        )
        .join('; ')} (target ≤ ${TARGETS.scaling}× for 10× the objects).`,
    );
  }
  const withCli = results.sizes.filter((s) => s.cli);
  if (withCli.length) {
    lines.push(
      '',
      'The `vigil` command end to end (`vigil scan --snapshot FILE --format json --output FILE`: process start, ' +
        'module loading, audit, rendering and writing the report), median (min–max):',
      '',
      markdownTable(
        ['objects', 'wall', 'peak RSS', 'report written'],
        withCli.map((s) => [
          s.objects.toLocaleString('en-US'),
          formatSummary(s.cli!.wall),
          s.cli!.maxRssBytes === null ? 'n/a' : formatBytes(s.cli!.maxRssBytes),
          formatBytes(s.cli!.reportBytes),
        ]),
      ),
    );
  }
  const largest = results.sizes.at(-1);
  if (largest) {
    const zod = largest.phases.parseValidate.median - largest.phases.jsonParse.median;
    lines.push(
      '',
      `Validation at ${largest.objects.toLocaleString('en-US')} objects: zod takes ${formatMs(zod)} beyond ` +
        `JSON.parse (parse + validate minus JSON.parse), ${((100 * zod) / largest.phases.total.median).toFixed(0)}% ` +
        'of the end-to-end time.',
    );
  }
  const withList = results.sizes.filter((s) => s.list);
  if (withList.length) {
    lines.push(
      '',
      'Same clusters from the files users already have (`kubectl get ... -o json` List + `aws eks describe-cluster` ' +
        'with access entries), one run in a fresh process:',
      '',
      markdownTable(
        ['objects', 'input files', 'load (parse + trim + validate)', 'runAudit', 'total', 'peak RSS'],
        withList.map((s) => [
          s.objects.toLocaleString('en-US'),
          formatBytes(s.list!.fileBytes),
          formatMs(s.list!.load),
          formatMs(s.list!.audit),
          formatMs(s.list!.total),
          formatBytes(s.list!.maxRssBytes),
        ]),
      ),
    );
  }
  const counts = results.sizes.at(-1);
  if (counts) {
    lines.push(
      '',
      `Mix at ${counts.objects.toLocaleString('en-US')} objects: ${Object.entries(counts.counts)
        .map(([kind, n]) => `${n.toLocaleString('en-US')} ${kind}`)
        .join(', ')}.`,
    );
  }
  const t = results.targets;
  if (t.met !== null) {
    lines.push(
      '',
      `Targets (${TARGETS.objects.toLocaleString('en-US')} objects ≤ ${formatMs(TARGETS.totalMs)}, ≤ ${formatBytes(TARGETS.maxRssBytes)}, ≤ ${TARGETS.scaling}× per 10×): ${t.met ? 'met' : 'NOT met'}${t.notes.length ? ` — ${t.notes.join('; ')}` : ''}.`,
    );
  }
  for (const size of results.sizes) {
    if (size.report.notEvaluated.length) {
      lines.push(
        '',
        `Warning: at ${size.objects} objects these checks did not run: ${size.report.notEvaluated.join('; ')}`,
      );
    }
  }
  return lines.join('\n');
}

function judge(sizes: SizeResult[], scaling: AuditBenchResults['scaling']): AuditBenchResults['targets'] {
  const notes: string[] = [];
  const big = sizes.find((s) => s.objects === TARGETS.objects);
  if (!big) return { ...TARGETS, met: null, notes: [`no ${TARGETS.objects}-object run`] };
  let met = true;
  const worst = Math.max(big.phases.total.median, big.cold.total);
  if (worst > TARGETS.totalMs) {
    met = false;
    notes.push(`total ${formatMs(worst)} > ${formatMs(TARGETS.totalMs)}`);
  }
  if (big.cold.maxRssBytes > TARGETS.maxRssBytes) {
    met = false;
    notes.push(`peak RSS ${formatBytes(big.cold.maxRssBytes)} > ${formatBytes(TARGETS.maxRssBytes)}`);
  }
  for (const s of scaling) {
    if (s.to === s.from * 10 && s.ratio > TARGETS.scaling) {
      met = false;
      notes.push(`${s.from}→${s.to} scales ${s.ratio.toFixed(1)}×`);
    }
  }
  return { ...TARGETS, met, notes };
}

export async function main(argv: string[] = []): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '1000,10000,100000' },
      runs: { type: 'string', default: '5' },
      seed: { type: 'string', default: '1' },
      'no-list': { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  const sizes = values.sizes.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 100))
    throw new Error(`--sizes: whole numbers >= 100, got ${values.sizes}`);
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const measured: SizeResult[] = [];
  for (const objects of sizes) {
    measured.push(await measureSize(objects, { seed, runs, list: !values['no-list'], log }));
  }
  const scaling: AuditBenchResults['scaling'] = [];
  for (let i = 1; i < measured.length; i++) {
    const from = measured[i - 1]!;
    const to = measured[i]!;
    scaling.push({
      from: from.objects,
      to: to.objects,
      ratio: to.phases.total.median / from.phases.total.median,
    });
  }
  const results: AuditBenchResults = {
    bench: 'audit',
    date: new Date().toISOString(),
    machine: machine(),
    seed,
    runs,
    checks: CHECKS.length,
    sizes: measured,
    scaling,
    targets: judge(measured, scaling),
  };
  if (!values['no-write']) await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  return renderAuditResults(results);
}
