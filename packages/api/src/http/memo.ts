/**
 * A small time-bounded memo with single flight: callers asking for the same key while it is being computed
 * share the one computation, and its result is reused for `ttlMs`. Failures are not remembered.
 */
export function createMemo<T>(options: { ttlMs: number; now: () => number; maxEntries?: number }) {
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  const maxEntries = options.maxEntries ?? 256;
  return (key: string, compute: () => Promise<T>): Promise<T> => {
    if (options.ttlMs <= 0) return compute();
    const at = options.now();
    const hit = entries.get(key);
    if (hit && at - hit.at < options.ttlMs && at >= hit.at) return hit.value;
    const value = compute();
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
    entries.set(key, { at, value });
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    return value;
  };
}
