import {
  buildRbacIndex,
  type Grant,
  InputError,
  parseResourceArg,
  type Snapshot,
  type SubjectRef,
  type WhoCanQuery,
} from '@vigil/core';
import { expectPositionals, oneOf, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { wantsColor } from '../io.ts';
import { emit, toJson } from '../output.ts';
import { createStyle, describeRef, formatColumns } from '../report/style.ts';
import { liveSourceArgs, loadSnapshot, SOURCE_OPTIONS } from '../sources.ts';

const usage = `Usage: vigil who-can VERB RESOURCE [--subresource S] [--namespace NS] [--name NAME]
                     (--manifests PATH... [--eks FILE] | --snapshot FILE) [--format table|json]

List every subject that can do VERB on RESOURCE, with the binding and role that grant it, like
kubectl-who-can. IAM principals mapped by aws-auth or EKS access entries are listed too, with the
mapping they come through.

  VERB                  get, list, watch, create, update, patch, delete, bind, escalate, impersonate, *...
  RESOURCE              pods, secrets, deployments.apps, pods/exec, or a non-resource URL such as /metrics
  --subresource S       Subresource (same as RESOURCE/S)
  -n, --namespace NS    Only grants that apply in NS (namespaced grants there plus cluster-wide ones).
                        Without it, grants in any namespace are listed.
  --name NAME           A single object; rules limited by resourceNames then count only for it.
  --format FORMAT       table (default) or json (every answer with its full path).
  --manifests, --eks, --snapshot, --cluster-name   Input, as for \`vigil scan\`.

Exit code 0 when the question was answered (also when nobody can), 2 on bad usage or input.

Examples:
  vigil who-can get secrets -n payments --manifests rbac/
  vigil who-can create pods/exec --manifests cluster.json --eks eks.json --format json
  vigil who-can get /metrics --snapshot prod.json
`;

/** The sources an RBAC answer depends on; if any is missing the answer may leave someone out. */
const RBAC_SOURCES = [
  'clusterroles',
  'roles',
  'clusterrolebindings',
  'rolebindings',
  'awsAuth',
  'accessEntries',
] as const;

interface Answer {
  subject: SubjectRef;
  scope: { cluster: true } | { namespace: string };
  binding: Grant['binding'];
  role: { kind: string; name: string; namespace?: string };
  /** `names`: the rule lists resourceNames; only those objects are covered. */
  match: 'all' | 'names';
  resourceNames?: string[];
  via?: {
    mapping: 'aws-auth' | 'access-entry';
    principalArn: string;
    list?: string;
    index?: number;
    as: SubjectRef;
  };
  /** subject -> (mapping -> user or group) -> binding -> role -> rule. */
  path: Record<string, unknown>[];
}

function toAnswer(grant: Grant): Answer {
  const role: Answer['role'] = { kind: grant.role.kind, name: grant.role.name };
  if (grant.role.namespace) role.namespace = grant.role.namespace;
  const answer: Answer = {
    subject: grant.subject,
    scope: grant.namespace === null ? { cluster: true } : { namespace: grant.namespace },
    binding: grant.binding,
    role,
    match: grant.match,
    path: [],
  };
  if (grant.match === 'names') answer.resourceNames = grant.rule.resourceNames;
  answer.path.push({ ...grant.subject });
  if (grant.via) {
    const m = grant.via.mapping;
    answer.via = {
      mapping: m.kind,
      principalArn: m.principalArn,
      ...(m.source ? { list: m.source } : {}),
      ...(m.index !== undefined ? { index: m.index } : {}),
      as: grant.via.through,
    };
    answer.path.push(
      m.kind === 'aws-auth'
        ? { kind: 'aws-auth', configMap: 'kube-system/aws-auth', list: m.source, index: m.index }
        : { kind: 'access-entry', principalArn: m.principalArn },
      { ...grant.via.through },
    );
  }
  answer.path.push(
    { ...grant.binding },
    { ...role },
    { kind: 'rule', index: grant.ruleIndex, ...compact(grant.rule) },
  );
  return answer;
}

function compact(rule: Grant['rule']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(rule)) if (value.length > 0) out[key] = value;
  return out;
}

function answerKey(a: Answer): string {
  return JSON.stringify([a.subject, a.scope, a.binding, a.role, a.via ?? null]);
}

function sortKey(a: Answer): string {
  const kindOrder = { User: 0, Group: 1, ServiceAccount: 2, IAMPrincipal: 3 }[a.subject.kind];
  return `${kindOrder} ${a.subject.namespace ?? ''}/${a.subject.name} ${'cluster' in a.scope ? '' : a.scope.namespace} ${a.binding.name}`;
}

function incompleteRbac(snapshot: Snapshot): string[] {
  const problems: string[] = [];
  for (const source of RBAC_SOURCES) {
    const c = snapshot.coverage[source];
    if (c && c.status !== 'complete' && c.status !== 'not_applicable') {
      problems.push(`${source}: ${c.status}${c.reason ? ` (${c.reason})` : ''}`);
    }
  }
  return problems;
}

export const whoCan: Command = {
  name: 'who-can',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      ...SOURCE_OPTIONS,
      subresource: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      name: { type: 'string' },
      format: { type: 'string' },
    });
    const format = oneOf('format', values.format, ['table', 'json'] as const, 'table');
    // Manifest paths may follow --manifests; the first two positionals are the question.
    const [verb, resourceArg, ...morePaths] = positionals;
    expectPositionals(positionals.slice(0, 2), 2, 'VERB and RESOURCE');
    if (morePaths.length > 0 && values.manifests === undefined) {
      throw new UsageError(`unexpected argument "${morePaths[0]}"`);
    }
    if (!verb || !/^[a-z*][a-zA-Z*-]*$/.test(verb)) throw new UsageError(`"${verb}" is not a verb`);
    const query = buildQuery(verb, resourceArg!, values);
    const snapshot = await loadSnapshot(
      {
        manifests: [...(values.manifests ?? []), ...morePaths],
        eks: values.eks,
        snapshot: values.snapshot,
        clusterName: values['cluster-name'],
        ...liveSourceArgs(values),
      },
      io,
    );
    const index = buildRbacIndex(snapshot);
    const seen = new Set<string>();
    const answers: Answer[] = [];
    for (const grant of index.whoCan(query)) {
      const answer = toAnswer(grant);
      const key = answerKey(answer);
      if (seen.has(key)) continue;
      seen.add(key);
      answers.push(answer);
    }
    answers.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    const problems = incompleteRbac(snapshot);
    for (const problem of problems) {
      io.stderr.write(
        `vigil: warning: RBAC input incomplete, the answer may leave subjects out: ${problem}\n`,
      );
    }
    if (format === 'json') {
      await emit(
        io,
        toJson({
          cluster: snapshot.cluster.name,
          query: { ...query },
          complete: problems.length === 0,
          ...(problems.length ? { incomplete: problems } : {}),
          answers,
        }),
        undefined,
      );
      return 0;
    }
    const style = createStyle(wantsColor(io));
    const question = describeQuery(query);
    if (answers.length === 0) {
      io.stdout.write(`No subject can ${question}.\n`);
      return 0;
    }
    const rows = [
      ['SUBJECT', 'SCOPE', 'BINDING', 'ROLE', 'VIA'].map((h) => style.bold(h)),
      ...answers.map((a) => [
        describeRef(a.subject),
        'cluster' in a.scope ? 'cluster-wide' : `namespace ${a.scope.namespace}`,
        describeRef(a.binding),
        describeRef(a.role) + (a.resourceNames ? ` (only ${a.resourceNames.join(', ')})` : ''),
        a.via
          ? `${a.via.mapping}${a.via.list ? ` ${a.via.list}[${a.via.index}]` : ''} as ${describeRef(a.via.as)}`
          : '',
      ]),
    ];
    io.stdout.write(`${answers.length} way(s) to ${question}:\n${formatColumns(rows)}\n`);
    return 0;
  },
};

function buildQuery(
  verb: string,
  resourceArg: string,
  values: { subresource?: string | undefined; namespace?: string | undefined; name?: string | undefined },
): WhoCanQuery {
  if (resourceArg.startsWith('/')) {
    if (values.namespace !== undefined || values.subresource !== undefined || values.name !== undefined) {
      throw new UsageError('a non-resource URL takes no --namespace, --subresource or --name');
    }
    return { verb, nonResourceURL: resourceArg };
  }
  let parsed: ReturnType<typeof parseResourceArg>;
  try {
    parsed = parseResourceArg(resourceArg);
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(error.message.replace(/^resource: /, ''));
    throw error;
  }
  if (values.subresource !== undefined) {
    if (parsed.subresource !== undefined) {
      throw new UsageError(`give the subresource once: "${resourceArg}" already names one`);
    }
    parsed.subresource = values.subresource;
  }
  return {
    verb,
    ...parsed,
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
  };
}

function describeQuery(query: WhoCanQuery): string {
  if (query.nonResourceURL !== undefined) return `${query.verb} ${query.nonResourceURL}`;
  const group = query.apiGroup ? `.${query.apiGroup}` : '';
  const sub = query.subresource ? `/${query.subresource}` : '';
  const name = query.name ? ` ${query.name}` : '';
  const where = query.namespace ? ` in namespace ${query.namespace}` : '';
  return `${query.verb} ${query.resource}${group}${sub}${name}${where}`;
}
