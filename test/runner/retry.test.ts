import { describe, expect, it } from 'vitest';
import { ProviderError, parseRetryAfter } from '../../src/providers/errors.js';
import { DEFAULT_RETRY_POLICY, RetriesExhaustedError, retryDelayMs, withRetries } from '../../src/runner/retry.js';

const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

function failing(kinds: ProviderError[], value = 'ok') {
  let calls = 0;
  return {
    fn: async () => {
      const error = kinds[calls++];
      if (error) throw error;
      return value;
    },
    calls: () => calls,
  };
}

describe('withRetries', () => {
  it('retries retryable errors and returns the value with the attempt count', async () => {
    const delays: number[] = [];
    const f = failing([new ProviderError('server', '500'), new ProviderError('connection', 'reset')]);
    const result = await withRetries(f.fn, policy, { sleep: async (ms) => void delays.push(ms), random: () => 0.5 });
    expect(result).toEqual({ value: 'ok', attempts: 3 });
    // full jitter: 0.5 * min(max, base * 2^(n-1))
    expect(delays).toEqual([50, 100]);
  });

  it('honours Retry-After instead of the backoff schedule', async () => {
    const delays: number[] = [];
    const f = failing([new ProviderError('rate_limit', '429', { status: 429, retryAfterMs: 2_000 })]);
    await withRetries(f.fn, policy, { sleep: async (ms) => void delays.push(ms), random: () => 0 });
    expect(delays).toEqual([2_000]);
  });

  it('caps a server-requested wait at maxRetryAfterMs', () => {
    const error = new ProviderError('rate_limit', '429', { retryAfterMs: 10 * 3_600_000 });
    expect(retryDelayMs(error, 1, { ...policy, maxRetryAfterMs: 5_000 }, () => 0)).toBe(5_000);
  });

  it('does not retry non-retryable errors', async () => {
    for (const kind of ['bad_request', 'auth', 'quota', 'not_found', 'context_length', 'content_filter'] as const) {
      const f = failing([new ProviderError(kind, kind)]);
      await expect(withRetries(f.fn, policy, { sleep: async () => undefined })).rejects.toMatchObject({ kind });
      expect(f.calls()).toBe(1);
    }
  });

  it('gives up after maxAttempts with the last error', async () => {
    const f = failing(Array.from({ length: 10 }, (_, i) => new ProviderError('server', `fail ${i}`)));
    const error = await withRetries(f.fn, policy, { sleep: async () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).attempts).toBe(4);
    expect((error as RetriesExhaustedError).lastError.message).toBe('fail 3');
    expect(f.calls()).toBe(4);
  });

  it('stops retrying once the run is aborted', async () => {
    const controller = new AbortController();
    const f = failing([new ProviderError('server', '500'), new ProviderError('server', '500')]);
    const run = withRetries(f.fn, policy, {
      signal: controller.signal,
      sleep: async () => {
        controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(ProviderError);
    expect(f.calls()).toBe(2);
  });

  it('backoff never exceeds maxDelayMs', () => {
    const error = new ProviderError('server', '500');
    for (let attempt = 1; attempt < 30; attempt++) expect(retryDelayMs(error, attempt, policy, () => 0.999)).toBeLessThanOrEqual(1_000);
  });
});

describe('parseRetryAfter', () => {
  const headers = (entries: Record<string, string>) => ({ get: (name: string) => entries[name] ?? null });
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(parseRetryAfter(headers({ 'retry-after': '3' }))).toBe(3_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5_000);
    expect(parseRetryAfter(headers({}))).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined();
  });
});

describe('withRetries: a loading model', () => {
  const loading = (estimateMs?: number) => new ProviderError('loading', 'HTTP 503: Model x is currently loading', { status: 503, ...(estimateMs === undefined ? {} : { retryAfterMs: estimateMs }) });

  it('waits the server estimate and does not count the waits as attempts', async () => {
    const delays: number[] = [];
    // More loading answers than maxAttempts (4), then a server error, then success.
    const f = failing([loading(20_000), loading(15_000), loading(10_000), loading(5_000), loading(1_000), new ProviderError('server', '500')]);
    const result = await withRetries(f.fn, policy, { sleep: async (ms) => void delays.push(ms), random: () => 0 });
    expect(result).toEqual({ value: 'ok', attempts: 7 });
    expect(delays).toEqual([20_000, 15_000, 10_000, 5_000, 1_000, 0]);
  });

  it('gives up when the loading budget is spent, saying so', async () => {
    const delays: number[] = [];
    const f = failing(Array.from({ length: 50 }, () => loading(40_000)));
    const error = await withRetries(f.fn, { ...policy, maxLoadingWaitMs: 100_000 }, { sleep: async (ms) => void delays.push(ms), random: () => 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    // 40 s, 40 s, then only the 20 s left of the budget.
    expect(delays).toEqual([40_000, 40_000, 20_000]);
    expect((error as Error).message).toMatch(/still loading after 100 s/);
  });

  it('caps one wait so that a long estimate is re-checked, and backs off without an estimate', async () => {
    const delays: number[] = [];
    const f = failing([loading(30 * 60_000), loading(), loading()]);
    await withRetries(f.fn, policy, { sleep: async (ms) => void delays.push(ms), random: () => 0 });
    expect(delays).toEqual([60_000, 200, 400]); // backoff counts every loading retry
  });
});
