/**
 * The load generator of the API bench, in its own process so that it does not share a CPU core's event loop
 * with the server it measures: `node bench/api/load-child.ts '{"url":...,"connections":50,"duration":10}'`
 * prints one JSON line. It exports no main(), so the bench runner skips it.
 */
import autocannon from 'autocannon';

export interface LoadRequest {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  bytesPerSecond: number;
  /** CPU the load generator itself used (user + system), ms. */
  cpuMs: number;
}

if (import.meta.main) {
  const request = JSON.parse(process.argv[2] ?? '{}') as LoadRequest;
  const cpu = process.cpuUsage();
  const result = await autocannon({
    url: request.url,
    connections: request.connections,
    duration: request.duration,
    timeout: 30,
    ...(request.headers ? { headers: request.headers } : {}),
  });
  const out: LoadResult = {
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    bytesPerSecond: result.throughput.average,
    cpuMs: (() => {
      const used = process.cpuUsage(cpu);
      return (used.user + used.system) / 1000;
    })(),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
