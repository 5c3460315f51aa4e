import type { CommandEntry } from '../command.ts';

/**
 * Every `vigil` command, in the order `vigil help` lists them. A command's module is imported only when it
 * runs or its help is asked for, so `vigil scan` does not load the API, the database or the AWS SDK.
 * Add a command: a file exporting a `Command` and one entry here (a test holds the names equal).
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'scan',
    summary: 'Audit a cluster from manifests, an EKS description or a snapshot',
    load: async () => (await import('./scan.ts')).scan,
  },
  {
    name: 'who-can',
    summary: 'List the subjects that can do VERB on RESOURCE, and why',
    load: async () => (await import('./who-can.ts')).whoCan,
  },
  {
    name: 'collect',
    summary: 'Read a live cluster (kubeconfig or EKS ARN) into a snapshot file',
    load: async () => (await import('./collect.ts')).collect,
  },
  {
    name: 'checks',
    summary: 'List the checks with their severity and compliance controls',
    load: async () => (await import('./checks.ts')).checks,
  },
  {
    name: 'exceptions',
    summary: 'Print the built-in exceptions as an exceptions file you can edit',
    load: async () => (await import('./exceptions.ts')).exceptions,
  },
  {
    name: 'frameworks',
    summary: 'List compliance frameworks, their controls and the checks that decide them',
    load: async () => (await import('./frameworks.ts')).frameworks,
  },
  {
    name: 'schema',
    summary: 'Print the JSON Schema of the snapshot file or the JSON report',
    load: async () => (await import('./schema.ts')).schema,
  },
  {
    name: 'demo',
    summary: 'Audit the bundled demo clusters and print the reports (no server)',
    load: async () => (await import('./demo.ts')).demo,
  },
  {
    name: 'serve',
    summary: 'Run the local stack: API, queue, scanner and dispatcher (what `npm start` runs)',
    load: async () => (await import('./serve.ts')).serve,
  },
  {
    name: 'clusters',
    summary: 'List, add, scan and remove the clusters the local stack scans',
    load: async () => (await import('./clusters.ts')).clusters,
  },
  {
    name: 'keys',
    summary: 'Create, list and revoke API keys (the first admin key too)',
    load: async () => (await import('./keys.ts')).keys,
  },
  {
    name: 'subscriptions',
    summary: 'Send findings to webhooks, Jira, ServiceNow, PagerDuty and Slack',
    load: async () => (await import('./subscriptions.ts')).subscriptions,
  },
  {
    name: 'migrate',
    summary: 'Apply database migrations (deploy step)',
    load: async () => (await import('./migrate.ts')).migrateCommand,
  },
  {
    name: 'prune',
    summary: 'Delete scan history older than the retention (daily in the local stack and AWS)',
    load: async () => (await import('./prune.ts')).prune,
  },
];
