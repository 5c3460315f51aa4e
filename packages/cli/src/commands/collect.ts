import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { EXIT_OK } from '../command.ts';
import { UsageError } from '../errors.ts';
import { emit } from '../output.ts';
import { liveSourceArgs, loadSource, SOURCE_OPTIONS } from '../sources.ts';

const usage = `Usage: vigil collect --kubeconfig FILE [--context NAME] --out FILE
       vigil collect --eks-cluster ARN [--role-arn ARN --external-id ID] --out FILE

Read a live cluster into a Vigil snapshot file, to audit later or elsewhere with
\`vigil scan --snapshot FILE\`. Only what the checks read is kept (no Secrets, no ConfigMap other than
kube-system/aws-auth, and of that only mapRoles/mapUsers/mapAccounts); credentials and tokens never
reach the file. What could not be read is recorded in the snapshot's coverage.

Options:
  --kubeconfig FILE     Kubeconfig to read the cluster through (exec plugins such as
                        \`aws eks get-token\` work).
  --context NAME        Kubeconfig context (default: the current one).
  --eks-cluster ARN     EKS cluster ARN; the EKS API and the Kubernetes API are both read.
  --role-arn ARN        Role to assume first (cross-account); --external-id ID is sent with it.
  --cluster-name NAME   Name to record (default: the context's cluster or the EKS cluster name).
  --timeout SECONDS     Deadline for the collection (default 300).
  --out FILE            Where to write the snapshot (- for stdout).
`;

export const collect: Command = {
  name: 'collect',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      kubeconfig: SOURCE_OPTIONS.kubeconfig,
      context: SOURCE_OPTIONS.context,
      'eks-cluster': SOURCE_OPTIONS['eks-cluster'],
      'role-arn': SOURCE_OPTIONS['role-arn'],
      'external-id': SOURCE_OPTIONS['external-id'],
      timeout: SOURCE_OPTIONS.timeout,
      'cluster-name': SOURCE_OPTIONS['cluster-name'],
      out: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if (values.out === undefined) throw new UsageError('--out FILE is required (- for stdout)');
    if (values.kubeconfig === undefined && values['eks-cluster'] === undefined) {
      throw new UsageError('say which cluster: --kubeconfig FILE or --eks-cluster ARN');
    }
    const { snapshot } = await loadSource(
      { clusterName: values['cluster-name'], ...liveSourceArgs(values) },
      io,
    );
    await emit(io, `${JSON.stringify(snapshot)}\n`, values.out === '-' ? undefined : values.out);
    const notRead = Object.entries(snapshot.coverage).filter(
      ([, c]) => c.status !== 'complete' && c.status !== 'not_applicable',
    );
    for (const [source, coverage] of notRead) {
      io.stderr.write(
        `vigil: warning: ${source} ${coverage.status}${coverage.reason ? `: ${coverage.reason}` : ''}\n`,
      );
    }
    if (values.out !== '-') {
      const objects = Object.values(snapshot.coverage).reduce((n, c) => n + (c.count ?? 0), 0);
      io.stderr.write(
        `vigil: wrote snapshot of ${snapshot.cluster.name} to ${values.out} (${objects} objects${notRead.length ? `, ${notRead.length} source(s) not read completely` : ''})\n`,
      );
    }
    return EXIT_OK;
  },
};
