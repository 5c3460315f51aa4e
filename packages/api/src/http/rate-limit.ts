/**
 * Per-credential token buckets in memory. On Node one process serves every request, so this is the limit.
 * On Lambda every instance keeps its own buckets: the effective limit grows with concurrency, and the
 * fleet-wide limit is API Gateway's throttling (configured in infra/).
 */
export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one request is allowed again (0 when allowed). */
  retryAfterSeconds: number;
  remaining: number;
}

export interface RateLimiter {
  take(key: string, nowMs: number): RateDecision;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Buckets hold `requestsPerMinute` tokens (the burst) and refill continuously at that rate. */
export function createRateLimiter(options: { requestsPerMinute: number; maxKeys?: number }): RateLimiter {
  const capacity = options.requestsPerMinute;
  const perMs = capacity / 60_000;
  const maxKeys = options.maxKeys ?? 10_000;
  const buckets = new Map<string, Bucket>();
  return {
    take(key, nowMs) {
      let bucket = buckets.get(key);
      if (!bucket) {
        // Bound memory: forget the oldest bucket (Map keeps insertion order); at worst it refills early.
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
        bucket = { tokens: capacity, updatedMs: nowMs };
        buckets.set(key, bucket);
      }
      bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, nowMs - bucket.updatedMs) * perMs);
      bucket.updatedMs = nowMs;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(bucket.tokens) };
      }
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)),
        remaining: 0,
      };
    },
  };
}
