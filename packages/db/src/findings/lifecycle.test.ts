import type { Finding } from '@vigil/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeFinding, suppress } from '../testing/factories.ts';
import { type KnownLifecycle, planLifecycle, resolvableChecks } from './lifecycle.ts';

const SEEN = new Date('2026-03-02T00:00:00.000Z');
const EARLIER = new Date('2026-03-01T00:00:00.000Z');
const f = makeFinding('cluster-admin', 'admins');

function known(
  state: KnownLifecycle['state'],
  overrides: Partial<KnownLifecycle> = {},
): Map<string, KnownLifecycle> {
  return new Map([
    [
      f.fingerprint,
      {
        fingerprint: f.fingerprint,
        state,
        checkId: f.checkId,
        firstSeenAt: EARLIER,
        openedAt: state === 'open' || state === 'resolved' ? EARLIER : null,
        reopenedCount: 0,
        ...overrides,
      },
    ],
  ]);
}

const plan = (findings: Finding[], before: Map<string, KnownLifecycle>, resolvable = true) =>
  planLifecycle({ findings, known: before, resolvable: () => resolvable, seenAt: SEEN });

describe('planLifecycle', () => {
  it('opens a new failing finding and notifies finding.opened', () => {
    const p = plan([f], new Map());
    expect(p.seen[0]).toMatchObject({ isNew: true, state: 'open', openedAt: SEEN, event: 'finding.opened' });
    expect(p.counts).toEqual({ opened: 1, reopened: 0, resolved: 0, suppressed: 0 });
  });

  it('keeps an open finding open silently', () => {
    const p = plan([f], known('open'));
    expect(p.seen[0]).toMatchObject({ isNew: false, state: 'open', changed: false, openedAt: EARLIER });
    expect(p.seen[0]?.event).toBeUndefined();
  });

  it('reopens a resolved finding with reopened_count + 1', () => {
    const p = plan([f], known('resolved', { reopenedCount: 2 }));
    expect(p.seen[0]).toMatchObject({
      state: 'open',
      changed: true,
      reopenedCount: 3,
      event: 'finding.reopened',
    });
  });

  it('opens (not reopens) a finding that had only ever been suppressed', () => {
    const p = plan([f], known('suppressed'));
    expect(p.seen[0]).toMatchObject({
      state: 'open',
      openedAt: SEEN,
      event: 'finding.opened',
      reopenedCount: 0,
    });
  });

  it('closes an open finding that becomes suppressed with finding.resolved', () => {
    const p = plan([suppress(f)], known('open'));
    expect(p.seen[0]).toMatchObject({ state: 'suppressed', changed: true, event: 'finding.resolved' });
    expect(p.counts.suppressed).toBe(1);
  });

  it('suppresses a new or resolved finding without notifying', () => {
    expect(plan([suppress(f)], new Map()).seen[0]?.event).toBeUndefined();
    expect(plan([suppress(f)], known('resolved')).seen[0]).toMatchObject({
      state: 'suppressed',
      changed: true,
    });
    expect(plan([suppress(f)], known('resolved')).seen[0]?.event).toBeUndefined();
  });

  it('resolves absent open and suppressed findings only when their check is resolvable', () => {
    expect(plan([], known('open')).resolve).toEqual([{ fingerprint: f.fingerprint, wasOpen: true }]);
    expect(plan([], known('suppressed')).resolve).toEqual([{ fingerprint: f.fingerprint, wasOpen: false }]);
    expect(plan([], known('resolved')).resolve).toEqual([]);
    expect(plan([], known('open'), false).resolve).toEqual([]);
  });

  it('notifies exactly when a finding enters or leaves the open state (property)', () => {
    const state = fc.constantFrom<KnownLifecycle['state'] | 'new'>('open', 'resolved', 'suppressed', 'new');
    const report = fc.constantFrom<'fail' | 'suppressed' | 'absent'>('fail', 'suppressed', 'absent');
    fc.assert(
      fc.property(state, report, fc.boolean(), (before, now, resolvable) => {
        const map = before === 'new' ? new Map() : known(before);
        const findings = now === 'absent' ? [] : [now === 'fail' ? f : suppress(f)];
        const p = plan(findings, map, resolvable);
        const after =
          now === 'fail'
            ? 'open'
            : now === 'suppressed'
              ? 'suppressed'
              : before !== 'new' && before !== 'resolved' && resolvable
                ? 'resolved'
                : before;
        const wasOpen = before === 'open';
        const isOpen = after === 'open';
        const notified = p.seen.some((t) => t.event !== undefined) || p.resolve.some((r) => r.wasOpen);
        expect(notified).toBe(wasOpen !== isOpen);
      }),
    );
  });
});

describe('resolvableChecks', () => {
  const checks = [
    { checkId: 'evaluated', status: 'pass' },
    { checkId: 'failing', status: 'fail' },
    { checkId: 'broken', status: 'not_evaluated' },
    { checkId: 'irrelevant', status: 'not_applicable' },
  ];

  it('lets a complete run resolve evaluated, inapplicable and retired checks, never unevaluated ones', () => {
    const complete = resolvableChecks('complete', checks);
    expect(['evaluated', 'failing', 'irrelevant', 'retired'].map(complete)).toEqual([true, true, true, true]);
    expect(complete('broken')).toBe(false);
  });

  it('lets a partial run resolve only evaluated checks', () => {
    const partial = resolvableChecks('partial', checks);
    expect(['evaluated', 'failing', 'irrelevant', 'retired', 'broken'].map(partial)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
