import { vpc } from './network.ts';
import { settings } from './settings.ts';

/**
 * Aurora PostgreSQL Serverless v2. Outside production it scales to zero and pauses when idle; production
 * keeps half an ACU warm so the API and the first scans of the day do not wait for a resume.
 */
export const database = new sst.aws.Aurora('Database', {
  engine: 'postgres',
  vpc,
  database: 'vigil',
  scaling: {
    min: `${settings.database.minAcu} ACU`,
    max: `${settings.database.maxAcu} ACU`,
    ...(settings.database.pauseAfter ? { pauseAfter: settings.database.pauseAfter } : {}),
  },
});

/**
 * The connection URL the functions read as DATABASE_URL. TLS with certificate verification: the functions
 * load the Amazon root CAs (NODE_EXTRA_CA_CERTS, see functions.ts), which sign the RDS certificates.
 */
export const databaseUrl = $resolve([
  database.username,
  database.password,
  database.host,
  database.port,
  database.database,
]).apply(
  ([username, password, host, port, name]) =>
    `postgres://${encodeURIComponent(String(username))}:${encodeURIComponent(String(password))}@${host}:${port}/${name}?sslmode=verify-full`,
);
