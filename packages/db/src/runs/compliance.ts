import type { ControlResult, FrameworkResult } from '@vigil/core';

export interface ControlRegression {
  framework: FrameworkResult;
  control: ControlResult;
}

/**
 * Controls that passed in the previous result and fail now. Anything else (pass after not_evaluated, fail
 * after fail, a control that did not exist before) is not a regression.
 */
export function regressedControls(
  previous: readonly FrameworkResult[] | null,
  current: readonly FrameworkResult[],
): ControlRegression[] {
  if (!previous) return [];
  const before = new Map<string, string>();
  for (const framework of previous) {
    for (const control of framework.controls) before.set(control.qualifiedId, control.status);
  }
  const out: ControlRegression[] = [];
  for (const framework of current) {
    for (const control of framework.controls) {
      if (control.status === 'fail' && before.get(control.qualifiedId) === 'pass')
        out.push({ framework, control });
    }
  }
  return out;
}
