import type { Check, CheckResult } from '../audit/types.ts';
import { FRAMEWORKS } from './frameworks/index.ts';
import type { ControlResult, ControlStatus, FrameworkResult } from './model.ts';

/** Which checks decide each `framework:control`, from the checks' own metadata. */
export function controlMap(checks: readonly Check[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const check of checks) {
    for (const control of check.meta.controls) {
      const list = map.get(control);
      if (list) list.push(check.meta.id);
      else map.set(control, [check.meta.id]);
    }
  }
  return map;
}

/**
 * A control passes when every check deciding it passes, fails when any fails, is not evaluated when any
 * could not run, not applicable when none applies to this cluster, and manual when no check decides it.
 */
export function rollUpCompliance(
  checks: readonly Check[],
  results: readonly CheckResult[],
): FrameworkResult[] {
  const byControl = controlMap(checks);
  const resultById = new Map(results.map((r) => [r.checkId, r]));
  return FRAMEWORKS.map((framework) => {
    const summary: Record<ControlStatus, number> = {
      pass: 0,
      fail: 0,
      not_evaluated: 0,
      not_applicable: 0,
      manual: 0,
    };
    const controls: ControlResult[] = framework.controls.map((control) => {
      const qualifiedId = `${framework.id}:${control.id}`;
      const checkIds = byControl.get(qualifiedId) ?? [];
      const statuses = checkIds.map((id) => resultById.get(id)?.status ?? 'not_evaluated');
      let status: ControlStatus;
      let reason: string | undefined;
      if (checkIds.length === 0) {
        status = 'manual';
        reason = 'no automated check decides this control; assess it by hand';
      } else if (statuses.includes('fail')) status = 'fail';
      else if (statuses.includes('not_evaluated')) {
        status = 'not_evaluated';
        reason = checkIds
          .filter((_, i) => statuses[i] === 'not_evaluated')
          .map((id) => `${id}: ${resultById.get(id)?.reason ?? 'not run'}`)
          .join('; ');
      } else if (statuses.every((s) => s === 'not_applicable')) status = 'not_applicable';
      else status = 'pass';
      summary[status]++;
      const result: ControlResult = {
        id: control.id,
        qualifiedId,
        title: control.title,
        status,
        checks: checkIds,
      };
      if (reason) result.reason = reason;
      return result;
    });
    return { framework: framework.id, title: framework.title, version: framework.version, summary, controls };
  });
}
