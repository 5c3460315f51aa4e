/**
 * Entry point for the AWS resources. Vigil's serverless pipeline (scheduler, queues, functions, database,
 * API) is not defined yet: until it is, deploying creates nothing and returns no outputs, and the README
 * says so. Each concern will get its own file here (network.ts, database.ts, queues.ts, ...).
 */
export function deploy(): Record<string, unknown> {
  return {};
}
