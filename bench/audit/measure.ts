/**
 * The measuring side of the audit bench. It runs in a fresh child process per size and mode (started by
 * audit.ts), so the peak RSS it reports belongs to that size alone, and prints one JSON line.
 *
 *   node --expose-gc bench/audit/measure.ts warm SNAPSHOT_FILE RUNS   phases, after one warm-up pass
 *   node bench/audit/measure.ts cold SNAPSHOT_FILE                      one end-to-end pass, as the CLI does it
 *   node bench/audit/measure.ts list LIST_FILE [EKS_FILE]               one pass from kubectl / aws eks output
 */
import { readFileSync } from 'node:fs';
import {
  type AuditReport,
  buildRbacIndex,
  buildSnapshotFromFiles,
  CHECKS,
  parseSnapshotFile,
  runAudit,
  type Snapshot,
} from '@vigil/core';

/** Fixed, so date-based checks give the same answer on every run. */
const OPTIONS = { now: '2025-06-02T00:00:00.000Z' };

export interface PhaseTimes {
  /** readFileSync of the snapshot file. */
  read: number;
  /** Plain JSON.parse of the same text: the floor any loader pays. */
  jsonParse: number;
  /** parseSnapshotFile: JSON.parse plus zod validation into the Snapshot. */
  parseValidate: number;
  /** buildRbacIndex alone. */
  index: number;
  /** runAudit with every check (builds its own index). */
  audit: number;
  /** read + parseSnapshotFile + runAudit, measured as one span in a separate pass. */
  total: number;
}

export interface ReportFacts {
  findings: number;
  failing: number;
  suppressed: number;
  checks: number;
  /** Checks that could not run, with the reason: at scale this must stay empty. */
  notEvaluated: string[];
}

export interface WarmResult {
  mode: 'warm';
  /** Wall-clock milliseconds per run. */
  runs: PhaseTimes[];
  /** CPU milliseconds (user + system, all threads: GC helpers included) per run. */
  cpuRuns: PhaseTimes[];
  /** CPU milliseconds of the main thread alone per run: what the audit itself costs, GC pauses included. */
  mainCpuRuns: PhaseTimes[];
  report: ReportFacts;
  maxRssBytes: number;
}

export interface ColdResult {
  mode: 'cold' | 'list';
  /** Reading and parsing (snapshot file, or manifests + EKS file). */
  load: number;
  audit: number;
  total: number;
  /** CPU milliseconds of the whole pass, all threads. */
  totalCpu: number;
  /** CPU milliseconds of the main thread in the pass. */
  mainCpu: number;
  report: ReportFacts;
  maxRssBytes: number;
}

function factsOf(report: AuditReport): ReportFacts {
  return {
    findings: report.findings.length,
    failing: report.summary.findings.fail,
    suppressed: report.summary.findings.suppressed,
    checks: report.checks.length,
    notEvaluated: report.checks
      .filter((c) => c.status === 'not_evaluated')
      .map((c) => `${c.checkId}: ${c.reason ?? ''}`),
  };
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const now = () => performance.now();
const cpuNow = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const mainCpuNow = () => {
  const usage = process.threadCpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Runs `work`, returning its result with wall, all-thread CPU and main-thread CPU milliseconds. */
function timed<T>(work: () => T): { value: T; wall: number; cpu: number; mainCpu: number } {
  const wall0 = now();
  const cpu0 = cpuNow();
  const main0 = mainCpuNow();
  const value = work();
  return { value, mainCpu: mainCpuNow() - main0, cpu: cpuNow() - cpu0, wall: now() - wall0 };
}
/** Peak resident set size of this process so far (resourceUsage reports kilobytes). */
const maxRss = () => process.resourceUsage().maxRSS * 1024;

function audit(snapshot: Snapshot): AuditReport {
  return runAudit({ snapshot, checks: CHECKS, options: OPTIONS });
}

function warm(file: string, runs: number): WarmResult {
  const times: PhaseTimes[] = [];
  const cpuTimes: PhaseTimes[] = [];
  const mainCpuTimes: PhaseTimes[] = [];
  let report: AuditReport | undefined;
  for (let i = 0; i <= runs; i++) {
    // Phases one at a time, each from a collected heap, so one phase's garbage is not billed to the next.
    gc();
    const read = timed(() => readFileSync(file, 'utf8'));
    const text = read.value;
    gc();
    const jsonParse = timed(() => JSON.parse(text) as unknown);
    gc();
    const parseValidate = timed(() => parseSnapshotFile({ name: file, text }));
    const snapshot = parseValidate.value;
    gc();
    const index = timed(() => buildRbacIndex(snapshot));
    gc();
    const auditRun = timed(() => audit(snapshot));
    report = auditRun.value;
    // End to end, as `vigil scan --snapshot` does it.
    gc();
    const total = timed(() => audit(parseSnapshotFile({ name: file, text: readFileSync(file, 'utf8') })));
    if (i === 0) continue;
    const pick = (key: 'wall' | 'cpu' | 'mainCpu'): PhaseTimes => ({
      read: read[key],
      jsonParse: jsonParse[key],
      parseValidate: parseValidate[key],
      index: index[key],
      audit: auditRun[key],
      total: total[key],
    });
    times.push(pick('wall'));
    cpuTimes.push(pick('cpu'));
    mainCpuTimes.push(pick('mainCpu'));
  }
  return {
    mode: 'warm',
    runs: times,
    cpuRuns: cpuTimes,
    mainCpuRuns: mainCpuTimes,
    report: factsOf(report!),
    maxRssBytes: maxRss(),
  };
}

function cold(file: string): ColdResult {
  const main0 = mainCpuNow();
  const cpu0 = cpuNow();
  const t0 = now();
  const snapshot = parseSnapshotFile({ name: file, text: readFileSync(file, 'utf8') });
  const t1 = now();
  const report = audit(snapshot);
  const t2 = now();
  return {
    mode: 'cold',
    totalCpu: cpuNow() - cpu0,
    mainCpu: mainCpuNow() - main0,
    load: t1 - t0,
    audit: t2 - t1,
    total: t2 - t0,
    report: factsOf(report),
    maxRssBytes: maxRss(),
  };
}

function fromManifests(listFile: string, eksFile: string | undefined): ColdResult {
  const main0 = mainCpuNow();
  const cpu0 = cpuNow();
  const t0 = now();
  const snapshot = buildSnapshotFromFiles({
    manifests: [{ name: listFile, text: readFileSync(listFile, 'utf8') }],
    ...(eksFile ? { eks: { name: eksFile, text: readFileSync(eksFile, 'utf8') } } : {}),
  });
  const t1 = now();
  const report = audit(snapshot);
  const t2 = now();
  return {
    mode: 'list',
    totalCpu: cpuNow() - cpu0,
    mainCpu: mainCpuNow() - main0,
    load: t1 - t0,
    audit: t2 - t1,
    total: t2 - t0,
    report: factsOf(report),
    maxRssBytes: maxRss(),
  };
}

if (import.meta.main) {
  const [mode, file, extra] = process.argv.slice(2);
  if (!file) throw new Error('usage: measure.ts warm|cold|list FILE [RUNS|EKS_FILE]');
  let result: WarmResult | ColdResult;
  if (mode === 'warm') result = warm(file, Number(extra ?? 5));
  else if (mode === 'cold') result = cold(file);
  else if (mode === 'list') result = fromManifests(file, extra);
  else throw new Error(`unknown mode ${mode}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
