import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/providers/errors.js';
import { withRequestTimeout } from '../../src/providers/http-errors.js';

const classify = (_error: unknown, timedOut: boolean) => new ProviderError(timedOut ? 'timeout' : 'connection', timedOut ? 'timed out' : 'failed');

/** A request that settles only when its signal aborts (rejecting with the reason) or `finish` is called. */
function pendingRequest() {
  let finish!: () => void;
  let seen!: AbortSignal;
  const run = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      seen = signal;
      finish = () => resolve('answer');
      // As the client libraries do: an already aborted signal fails the request at once.
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  return { run, finish: () => finish(), signal: () => seen };
}

describe('withRequestTimeout', () => {
  it('aborts every request in flight when the outer signal aborts, and rethrows instead of classifying', async () => {
    const outer = new AbortController();
    const requests = [pendingRequest(), pendingRequest(), pendingRequest()];
    const settled = requests.map((r) => withRequestTimeout(60_000, outer.signal, r.run, classify).catch((error: unknown) => error));
    requests[1]!.finish();
    expect(await settled[1]).toBe('answer');
    outer.abort(new Error('run stopped'));
    for (const index of [0, 2]) {
      expect(((await settled[index]) as Error).message).toBe('run stopped');
      expect(requests[index]!.signal().aborted).toBe(true);
    }
    // A request that had finished is left alone.
    expect(requests[1]!.signal().aborted).toBe(false);
  });

  it('hands a request started after the outer signal aborted an aborted signal', async () => {
    const outer = new AbortController();
    outer.abort(new Error('stopped before'));
    const request = pendingRequest();
    await expect(withRequestTimeout(60_000, outer.signal, request.run, classify)).rejects.toThrow('stopped before');
    expect(request.signal().aborted).toBe(true);
  });

  it('times out one request on its own, classified as a timeout, leaving the others running', async () => {
    const outer = new AbortController();
    const slow = pendingRequest();
    const other = pendingRequest();
    const timedOut = withRequestTimeout(20, outer.signal, slow.run, classify).catch((error: unknown) => error);
    const running = withRequestTimeout(60_000, outer.signal, other.run, classify);
    const error = (await timedOut) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.kind).toBe('timeout');
    expect(other.signal().aborted).toBe(false);
    other.finish();
    expect(await running).toBe('answer');
  });
});
