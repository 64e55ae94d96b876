/**
 * Run one request with a wall-clock limit and the run's stop signal, and turn its failure into the
 * provider's error class. One controller per request, its timer cleared as soon as the request
 * settles: the AbortSignal.timeout/any pair would keep every finished request's signal and timer
 * alive for the whole timeout, which at a thousand requests a second is most of the heap.
 * When the run itself is stopping, the original error is rethrown untouched.
 */
export async function withDeadline<T>(
  timeoutMs: number,
  outer: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
  classify: (error: unknown, timedOut: boolean) => Error,
): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`request timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  const stop = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', stop, { once: true });
  try {
    return await call(controller.signal);
  } catch (error) {
    if (outer?.aborted) throw error;
    throw classify(error, timedOut);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', stop);
  }
}
