import type { Check, FindingDraft } from '../../audit/types.ts';
import type { Grant, SubjectRef } from '../../rbac/index-builder.ts';
import { subjectKey } from '../../rbac/index-builder.ts';
import { allHeld, GrantLookup, PrivilegeMap } from '../shared/escalation.ts';
import { describeSubject, grantEvidence, resourceOfGrant } from '../shared/grants.ts';
import { compareGrants, describeRoute } from '../shared/held-permissions.ts';
import { meta } from './meta.ts';
import { DETECTORS, type EscalationContext, PATH_KINDS, type Route, reachOf, type Step } from './paths.ts';

/** Evidence stays readable on big clusters: the first routes and grants, with counts of the rest. */
const MAX_ROUTES = 10;
const MAX_GRANTS_PER_STEP = 5;

/** Own grants first, then inherited ones; each kind in binding order. */
function orderedGrants(s: Step): Grant[] {
  return [
    ...s.held.own.map((h) => h.grant).sort(compareGrants),
    ...s.held.inherited.map((h) => h.grant).sort(compareGrants),
  ];
}

/** `ClusterRole x bound cluster-wide by ClusterRoleBinding y`, and how the subject reaches it. */
function describeSource(s: Step, subject: SubjectRef): string {
  const first = orderedGrants(s)[0];
  if (!first) return '';
  const via = first.via ? `, as ${describeSubject(first.via.through)}` : '';
  const inherited =
    subjectKey(first.subject) === subjectKey(subject) ? '' : `, held by ${describeSubject(first.subject)}`;
  return `${describeRoute(first)}${via}${inherited}`;
}

function describeRouteOf(route: Route, subject: SubjectRef): string {
  const sources = route.steps.map((s) => describeSource(s, subject));
  const steps =
    new Set(sources).size === 1
      ? `${route.steps.map((s) => s.action).join(' and ')} (${sources[0]})`
      : route.steps.map((s, i) => `${s.action} (${sources[i]})`).join(' and ');
  return `it can ${steps}${route.outcome}`;
}

function stepEvidence(s: Step, subject: SubjectRef): Record<string, unknown> {
  const seen = new Set<string>();
  const grants: Record<string, unknown>[] = [];
  let total = 0;
  for (const grant of orderedGrants(s)) {
    const key = `${subjectKey(grant.subject)}|${grant.binding.kind}:${grant.binding.namespace ?? ''}/${grant.binding.name}|${grant.ruleIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    total++;
    if (grants.length >= MAX_GRANTS_PER_STEP) continue;
    grants.push({
      ...grantEvidence(grant),
      ...(subjectKey(grant.subject) === subjectKey(subject) ? {} : { inheritedFrom: grant.subject }),
    });
  }
  return {
    action: s.action,
    ...(s.where ? { where: s.where } : {}),
    permissions: [...new Set(allHeld(s.held).map((h) => h.permission.label))],
    grants,
    ...(total > grants.length ? { moreGrants: total - grants.length } : {}),
  };
}

export const check: Check = {
  meta,
  run({ rbac, snapshot }) {
    const privileges = new PrivilegeMap(rbac, snapshot);
    const ctx: EscalationContext = {
      rbac,
      snapshot,
      privileges,
      lookup: new GrantLookup(rbac),
      asks: new Map(),
    };
    const findings: FindingDraft[] = [];
    const subjects = rbac.subjects().sort((a, b) => subjectKey(a).localeCompare(subjectKey(b)));
    for (const subject of subjects) {
      // Already there: the cluster-admin check reports it.
      if (privileges.isPrivileged(subject)) continue;
      const reach = reachOf(ctx, subject);
      if (!reach.clusterWide && reach.namespaces.size === 0) continue;
      for (const kind of PATH_KINDS) {
        // Critical first, then by target: a stable order, so the first route (and the anchor) is too.
        const routes = DETECTORS[kind](ctx, subject, reach)
          .map((route) => ({
            route,
            key: `${route.severity === 'critical' ? 0 : 1}${JSON.stringify(route.target)}`,
          }))
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
          .map((entry) => entry.route);
        const first = routes[0];
        if (!first) continue;
        // The binding of the subject's own first grant is the object to change.
        const anchor = first.steps.flatMap((s) => s.held.own.map((h) => h.grant)).sort(compareGrants)[0];
        if (!anchor) continue;
        const more = routes.length - 1;
        findings.push({
          resource: resourceOfGrant(anchor),
          subject,
          severity: first.severity,
          discriminator: kind,
          message:
            `${describeSubject(subject)} is not cluster-admin but can make itself so: ${describeRouteOf(first, subject)}.` +
            (more > 0 ? ` ${more} more route${more === 1 ? '' : 's'} of this kind in the evidence.` : ''),
          evidence: {
            path: kind,
            routes: routes.slice(0, MAX_ROUTES).map((route) => ({
              severity: route.severity,
              summary: describeRouteOf(route, subject),
              steps: route.steps.map((s) => stepEvidence(s, subject)),
              target: route.target,
            })),
            ...(routes.length > MAX_ROUTES ? { moreRoutes: routes.length - MAX_ROUTES } : {}),
          },
        });
      }
    }
    return findings;
  },
};
