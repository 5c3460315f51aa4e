import { FAIL_ON_VALUES, type FailOn, oneOf, parseAccountIds, parseFlags } from '../args.ts';
import { auditSource, exitCodeFor, REPORT_FORMATS, renderReport } from '../audit.ts';
import type { Command } from '../command.ts';
import { wantsColor } from '../io.ts';
import { emit } from '../output.ts';
import { liveSourceArgs, loadExceptions, loadSource, SOURCE_OPTIONS } from '../sources.ts';

/** CI users expect a red build on serious findings, so the default threshold is `high`, not off. */
export const DEFAULT_FAIL_ON: FailOn = 'high';

const usage = `Usage: vigil scan [--manifests PATH...] [--eks FILE] [options]
       vigil scan --snapshot FILE [options]

Audit one cluster: who can do what (RBAC), who is mapped in from AWS IAM (aws-auth, EKS access
entries, OIDC) and how the control plane protects data. Reads files; nothing is sent anywhere.

Input (at least one of --manifests / --eks; or --snapshot, --kubeconfig or --eks-cluster alone):
  --manifests PATH      Kubernetes objects: a file, or a directory read recursively (*.yaml, *.yml,
                        *.json, sorted by path), or - for stdin. Repeat the flag or list more paths
                        after it. Multi-document YAML and \`kubectl get -o json|yaml\` Lists work.
  --eks FILE            \`aws eks describe-cluster\` output, optionally with "accessEntries",
                        "identityProviderConfigs" and "kmsKey" beside "cluster".
  --snapshot FILE       A Vigil snapshot (\`vigil schema snapshot\` describes it); not combined with
                        --manifests or --eks.
  --kubeconfig FILE     Read a live cluster through a kubeconfig (contexts, CA, tokens, client
                        certificates and exec plugins such as \`aws eks get-token\`).
  --context NAME        Kubeconfig context to use instead of the current one.
  --eks-cluster ARN     Read a live EKS cluster: the EKS API (access entries, OIDC, KMS) and the
                        Kubernetes API with a token made in-process from the AWS credentials.
  --role-arn ARN        Assume this role first (cross-account); --external-id ID is then sent too.
  --timeout SECONDS     Deadline for a live collection (default 300); what is not read by then
                        is reported not collected.
  --cluster-name NAME   Name to report (default: the EKS cluster name; else the folder the manifests
                        are in, or a bare file's name; "cluster" for stdin).

Audit:
  --exceptions FILE     Exceptions file (YAML or JSON) that suppresses findings with a reason; the
                        built-in exceptions (\`vigil exceptions\`) apply unless it says otherwise.
  --trusted-accounts IDS  Comma-separated AWS account ids whose principals are not foreign.

Output:
  --format FORMAT       table (default), json or sarif.
  --output FILE         Write the report to FILE instead of stdout.
  --show-suppressed     table: list suppressed findings, not only a count per exception.
  --fail-on SEVERITY    Exit 1 when a failing finding is at or above SEVERITY: critical, high, medium,
                        low, info, or none (never). Default: ${DEFAULT_FAIL_ON}.

Exit codes:
  0  no failing finding at or above --fail-on (suppressed findings never count)
  1  at least one failing finding at or above --fail-on
  2  bad usage or unreadable input (the message names the file and object)

A partial audit (some input missing, so some checks not evaluated) says so in every format and on
stderr; it does not change the exit code by itself.

Examples:
  kubectl get clusterroles,clusterrolebindings,roles,rolebindings,serviceaccounts,namespaces,pods \\
    -A -o json | vigil scan --manifests -
  vigil scan --manifests rbac/ --eks eks.json --format sarif --output vigil.sarif
  vigil scan --snapshot prod.json --fail-on critical --exceptions exceptions.yaml
  vigil scan --kubeconfig ~/.kube/config --context staging --format json
  vigil scan --eks-cluster arn:aws:eks:eu-west-1:111122223333:cluster/prod \\
    --role-arn arn:aws:iam::111122223333:role/vigil-scanner --external-id vigil-prod
`;

export const scan: Command = {
  name: 'scan',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      ...SOURCE_OPTIONS,
      exceptions: { type: 'string' },
      'trusted-accounts': { type: 'string' },
      format: { type: 'string' },
      output: { type: 'string' },
      'show-suppressed': { type: 'boolean' },
      'fail-on': { type: 'string' },
    });
    const format = oneOf('format', values.format, REPORT_FORMATS, 'table');
    const failOn = oneOf('fail-on', values['fail-on'], FAIL_ON_VALUES, DEFAULT_FAIL_ON);
    const trustedAccountIds = parseAccountIds(values['trusted-accounts']);
    // `--manifests a.yaml b.yaml`: paths after the flag arrive as positionals.
    const manifests = [...(values.manifests ?? []), ...positionals];
    const source = await loadSource(
      {
        manifests,
        eks: values.eks,
        snapshot: values.snapshot,
        clusterName: values['cluster-name'],
        ...liveSourceArgs(values),
      },
      io,
    );
    const exceptions = await loadExceptions(values.exceptions, io);
    const now = io.now();
    const report = auditSource(source, { exceptions, trustedAccountIds, now });
    const text = renderReport(report, source, {
      format,
      color: format === 'table' && values.output === undefined && wantsColor(io),
      showSuppressed: values['show-suppressed'] ?? false,
      now,
      cwd: io.cwd,
    });
    await emit(io, text, values.output);
    if (report.status === 'partial') {
      const skipped = report.checks.filter((c) => c.status === 'not_evaluated').length;
      io.stderr.write(
        `vigil: warning: partial audit of ${report.cluster.name}: ${skipped} check(s) not evaluated because input was missing\n`,
      );
    }
    if (values.output !== undefined) {
      const { fail, suppressed } = report.summary.findings;
      io.stderr.write(
        `vigil: wrote ${format} report to ${values.output} (${fail} failing, ${suppressed} suppressed)\n`,
      );
    }
    return exitCodeFor(report, failOn);
  },
};
