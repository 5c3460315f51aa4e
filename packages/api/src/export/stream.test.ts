import type { Page } from '@vigil/db';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../testing/api-fixture.ts';
import { pagedBody } from './stream.ts';

const pages: Page<number>[] = [
  { items: [1, 2], nextCursor: 'b' },
  { items: [3, 4], nextCursor: 'c' },
  { items: [5], nextCursor: null },
];

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('pagedBody', () => {
  it('writes head, every item of every page with separators, then tail', async () => {
    const body = pagedBody({
      first: pages[0]!,
      fetchPage: async (cursor) => pages[cursor.charCodeAt(0) - 'a'.charCodeAt(0)]!,
      render: (n) => String(n),
      head: '[',
      tail: ']',
      separator: ',',
      logger: memoryLogger(),
      requestId: 'r',
    });
    expect(JSON.parse(await readAll(body))).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads the next page only when the reader asks for more', async () => {
    const fetched: string[] = [];
    const body = pagedBody({
      first: pages[0]!,
      fetchPage: async (cursor) => {
        fetched.push(cursor);
        return pages[cursor.charCodeAt(0) - 'a'.charCodeAt(0)]!;
      },
      render: (n) => `${n}\n`,
      head: '',
      tail: '',
      logger: memoryLogger(),
      requestId: 'r',
    });
    const reader = body.getReader();
    await reader.read();
    expect(fetched.length).toBeLessThanOrEqual(1);
    await reader.cancel();
  });

  it('aborts the stream without the tail when a later page fails, and logs it', async () => {
    const logger = memoryLogger();
    const body = pagedBody({
      first: pages[0]!,
      fetchPage: async () => {
        throw new Error('connection lost');
      },
      render: (n) => String(n),
      head: '[',
      tail: ']',
      separator: ',',
      logger,
      requestId: 'req-1',
    });
    await expect(readAll(body)).rejects.toThrow('connection lost');
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        event: 'export.failed',
        fields: expect.objectContaining({ requestId: 'req-1' }),
      }),
    );
  });
});
