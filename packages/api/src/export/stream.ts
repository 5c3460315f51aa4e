import type { Page } from '@vigil/db';
import type { Logger } from '../types.ts';

/**
 * A body that renders one page at a time, so an export of a million rows holds one page in memory, and
 * reads the next page only when the client has taken the previous one (backpressure). The caller fetches
 * the first page before answering, so a bad filter still gets a proper error status. A failure after that
 * cannot change the status any more: the stream is aborted and the client sees a truncated body (no
 * closing `tail`), never a complete-looking one.
 */
export function pagedBody<T>(options: {
  first: Page<T>;
  fetchPage: (cursor: string) => Promise<Page<T>>;
  render: (item: T) => string;
  head: string;
  tail: string;
  separator?: string;
  logger: Logger;
  requestId: string;
}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let page: Page<T> | undefined = options.first;
  let cursor: string | null = null;
  let written = 0;
  let headSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!page && cursor) page = await options.fetchPage(cursor);
        let chunk = headSent ? '' : options.head;
        headSent = true;
        for (const item of page?.items ?? []) {
          if (written++ > 0 && options.separator) chunk += options.separator;
          chunk += options.render(item);
        }
        cursor = page?.nextCursor ?? null;
        page = undefined;
        if (!cursor) chunk += options.tail;
        controller.enqueue(encoder.encode(chunk));
        if (!cursor) controller.close();
      } catch (error) {
        options.logger.error('export.failed', { requestId: options.requestId, error: String(error) });
        controller.error(error);
      }
    },
  });
}
