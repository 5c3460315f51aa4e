import { generateApiKey, parseLabelSelector, SCOPES, type Scope } from '@vigil/api';
import type { LabelSelector } from '@vigil/core';
import {
  type ApiKeyRecord,
  closeDatabase,
  createApiKey,
  findApiKeyCredential,
  getApiKey,
  listApiKeys,
  revokeApiKey,
} from '@vigil/db';
import { oneOf, parseFlags } from '../args.ts';
import { type Command, EXIT_OK } from '../command.ts';
import { UsageError } from '../errors.ts';
import { toJson } from '../output.ts';
import { formatColumns } from '../report/style.ts';
import { openStore, requireMigrated } from '../store.ts';

const usage = `Usage: vigil keys create --scope SCOPE [--scope SCOPE] [--name NAME] [--cluster-selector SELECTOR]
                       [--expires INSTANT] [--format text|json]
       vigil keys list [--all] [--format text|json]
       vigil keys revoke ID
       vigil keys generate

API keys for the REST API (bearer tokens \`vgl_...\`). The database keeps only a hash: a key is shown once,
when it is created. This is how a fresh install gets its first admin key:

  vigil keys create --scope admin --name bootstrap

Subcommands:
  create     Store a new key and print it once (stdout: the key alone; --format json: key and metadata).
             --scope read|scan|admin (repeatable; admin includes scan, scan includes read)
             --name NAME               What the key is for (default: "created by vigil keys")
             --cluster-selector SEL    Limit the key to clusters whose labels match, e.g. env=prod,team in (a,b)
             --expires INSTANT         ISO 8601 instant after which the key stops working
  list       Keys with their id, key id, scopes, selector and last use; --all includes revoked ones.
  revoke     Revoke a key by its id or key id; requests with it get 401 from then on.
  generate   Print a new random key without storing it, for VIGIL_BOOTSTRAP_ADMIN_KEY (the API stores
             it as an admin key when it starts).

Environment: DATABASE_URL, or VIGIL_DATA_DIR (default .vigil) for the embedded database.
`;

function selectorText(selector: LabelSelector | null): string {
  if (!selector) return 'all clusters';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`);
  }
  return parts.join(',') || 'all clusters';
}

function keyJson(record: ApiKeyRecord) {
  return {
    id: record.id,
    keyId: record.keyId,
    name: record.name,
    scopes: record.scopes,
    clusterSelector: record.clusterSelector,
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}

function parseSelector(text: string | undefined): LabelSelector | null {
  if (text === undefined) return null;
  try {
    return parseLabelSelector(text, 'cluster-selector');
  } catch (error) {
    throw new UsageError(
      `--cluster-selector: ${(error as Error).message.replace(/^query\.cluster-selector: /, '')}`,
    );
  }
}

function parseExpiry(text: string | undefined, now: Date): Date | null {
  if (text === undefined) return null;
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--expires: "${text}" is not an ISO 8601 instant`);
  }
  if (date <= now) throw new UsageError('--expires: the instant is in the past');
  return date;
}

export const keys: Command = {
  name: 'keys',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      scope: { type: 'string', multiple: true },
      name: { type: 'string' },
      'cluster-selector': { type: 'string' },
      expires: { type: 'string' },
      all: { type: 'boolean' },
      format: { type: 'string' },
    });
    const [subcommand, ...rest] = positionals;
    const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
    if (subcommand === 'generate') {
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      io.stdout.write(`${generateApiKey().token}\n`);
      return EXIT_OK;
    }
    if (subcommand !== 'create' && subcommand !== 'list' && subcommand !== 'revoke') {
      throw new UsageError(subcommand ? `unknown subcommand "${subcommand}"` : 'missing subcommand');
    }
    let scopes: Scope[] = [];
    if (subcommand === 'create') {
      scopes = (values.scope ?? []).map((s) => oneOf('scope', s, SCOPES, 'read'));
      if (scopes.length === 0) throw new UsageError('--scope is required (read, scan or admin)');
    }
    const selector = parseSelector(values['cluster-selector']);
    const expiresAt = parseExpiry(values.expires, io.now());
    if (subcommand === 'revoke' && rest.length !== 1) throw new UsageError('revoke takes one key id');
    if (subcommand !== 'revoke' && rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);

    const store = await openStore(io);
    try {
      await requireMigrated(store);
      const { db } = store;
      if (subcommand === 'create') {
        const key = generateApiKey();
        const record = await createApiKey(db, {
          keyId: key.keyId,
          secretHash: key.secretHash,
          name: values.name ?? 'created by vigil keys',
          scopes,
          clusterSelector: selector,
          createdBy: 'cli',
          expiresAt,
        });
        if (format === 'json') io.stdout.write(toJson({ apiKey: keyJson(record), token: key.token }));
        else io.stdout.write(`${key.token}\n`);
        io.stderr.write(
          `Created API key ${record.keyId} (${record.scopes.join(', ')}; ${selectorText(record.clusterSelector)}). ` +
            'It is shown only now: store it in a secret manager.\n',
        );
        return EXIT_OK;
      }
      if (subcommand === 'list') {
        const records: ApiKeyRecord[] = [];
        let cursor: string | undefined;
        do {
          const page = await listApiKeys(db, {
            includeRevoked: values.all ?? false,
            limit: 500,
            ...(cursor ? { cursor } : {}),
          });
          records.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        if (format === 'json') {
          io.stdout.write(toJson({ items: records.map(keyJson) }));
          return EXIT_OK;
        }
        if (records.length === 0) {
          io.stdout.write('No API keys. Create one with: vigil keys create --scope admin\n');
          return EXIT_OK;
        }
        const rows = [
          ['ID', 'KEY', 'NAME', 'SCOPES', 'CLUSTERS', 'LAST USED', 'STATE'],
          ...records.map((r) => [
            r.id,
            `vgl_${r.keyId}_…`,
            r.name,
            r.scopes.join(','),
            selectorText(r.clusterSelector),
            r.lastUsedAt?.toISOString() ?? 'never',
            r.revokedAt ? 'revoked' : r.expiresAt && r.expiresAt <= io.now() ? 'expired' : 'active',
          ]),
        ];
        io.stdout.write(`${formatColumns(rows)}\n`);
        return EXIT_OK;
      }
      const ref = rest[0]!;
      // By row id, or by the key id (`Q3vX81kd`, or the printable `vgl_Q3vX81kd_…`).
      const record = /^[0-9a-f-]{36}$/i.test(ref)
        ? await getApiKey(db, ref)
        : ((await findApiKeyCredential(db, ref.replace(/^vgl_/, '').split('_')[0]!))?.record ?? null);
      const id = record?.id ?? ref;
      if (!record) throw new UsageError(`no API key ${ref}`);
      if (!(await revokeApiKey(db, id))) throw new UsageError(`API key ${record.keyId} is already revoked`);
      io.stdout.write(`Revoked API key ${record.keyId} (${record.name}).\n`);
      return EXIT_OK;
    } finally {
      await closeDatabase(store.db);
    }
  },
};
