/**
 * Vigil's AWS resources, one file per concern, each exporting what it creates. Imported by sst.config.ts
 * inside `run()` (where SST's globals exist), in dependency order; returns the stack's outputs.
 */
export async function deploy(): Promise<Record<string, unknown>> {
  await import('./settings.ts');
  await import('./network.ts');
  const { database } = await import('./database.ts');
  const queues = await import('./queues.ts');
  const functions = await import('./functions.ts');
  await import('./notifications.ts');
  await import('./scheduler.ts');
  const { gateway } = await import('./api.ts');
  const { alarmTopic } = await import('./alarms.ts');
  return {
    api: gateway.url,
    scanQueue: queues.scanQueue.url,
    scanDeadLetterQueue: queues.scanDeadLetterQueue.url,
    notifyQueue: queues.notifyQueue.url,
    notifyDeadLetterQueue: queues.notifyDeadLetterQueue.url,
    databaseHost: database.host,
    migrateFunction: functions.migrate.name,
    scanRoleName: functions.scanRoleName,
    alarmTopic: alarmTopic.arn,
  };
}
