/** A compliance framework as data: its controls; which checks decide each comes from the checks' metadata. */
export interface Framework {
  id: string;
  title: string;
  version: string;
  controls: { id: string; title: string }[];
}

export type ControlStatus = 'pass' | 'fail' | 'not_evaluated' | 'not_applicable' | 'manual';

export interface ControlResult {
  id: string;
  /** `framework:control`, the form findings carry. */
  qualifiedId: string;
  title: string;
  status: ControlStatus;
  checks: string[];
  reason?: string;
}

export interface FrameworkResult {
  framework: string;
  title: string;
  version: string;
  summary: Record<ControlStatus, number>;
  controls: ControlResult[];
}
