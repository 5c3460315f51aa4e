import type { Severity } from '@vigil/core';

/** ANSI styling that collapses to plain text when colour is off, so layout code never branches on it. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
  severity(severity: Severity, text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export function createStyle(color: boolean): Style {
  if (!color) {
    const plain = (text: string) => text;
    return {
      bold: plain,
      dim: plain,
      red: plain,
      yellow: plain,
      green: plain,
      cyan: plain,
      severity: (_s, text) => text,
    };
  }
  const bold = sgr(1, 22);
  const red = sgr(31, 39);
  const yellow = sgr(33, 39);
  const magenta = sgr(35, 39);
  const blue = sgr(34, 39);
  const dim = sgr(2, 22);
  const bySeverity: Record<Severity, (t: string) => string> = {
    critical: (t) => bold(magenta(t)),
    high: red,
    medium: yellow,
    low: blue,
    info: dim,
  };
  return {
    bold,
    dim,
    red,
    yellow,
    green: sgr(32, 39),
    cyan: sgr(36, 39),
    severity: (s, text) => bySeverity[s](text),
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/** Visible width of a string that may hold ANSI escapes. */
export function visibleWidth(text: string): number {
  return text.replace(ANSI, '').length;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatColumns(rows: string[][], indent = ''): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleWidth(cell));
    });
  }
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) =>
            i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleWidth(cell)),
          )
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

/** `ServiceAccount ci/deployer`, `ClusterRoleBinding ci-admin`, `IAMPrincipal arn:...`. */
export function describeRef(ref: { kind: string; name: string; namespace?: string | undefined }): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}
