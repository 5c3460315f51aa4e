import { lookup } from 'node:dns/promises';
import type { ResolvedAddress, Resolver } from './ssrf.ts';

/**
 * The operating system's resolver (getaddrinfo, as sockets use), every answer in the order it gives them,
 * bounded in time: getaddrinfo has no timeout of its own and a stuck lookup would hold a delivery slot.
 */
export function systemResolver(timeoutMs = 5_000): Resolver {
  return async (hostname) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`lookup of ${hostname} timed out`), { code: 'ETIMEOUT' })),
        timeoutMs,
      );
    });
    try {
      const answers = await Promise.race([lookup(hostname, { all: true, order: 'verbatim' }), timeout]);
      return answers.map((a): ResolvedAddress => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    } finally {
      clearTimeout(timer);
    }
  };
}
