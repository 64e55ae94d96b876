/**
 * The simulated latencies in flight, cancelled together when the server closes.
 *
 * `timers/promises` with an AbortSignal would do the same, but every call adds a listener to the
 * one signal and removes it again when the timer fires, and the removal scans all listeners: at
 * hundreds of requests in flight that scan was a large part of the simulator's CPU per request.
 * A map of timers costs the same at any load.
 */
export class PendingDelays {
  private readonly pending = new Map<NodeJS.Timeout, (elapsed: boolean) => void>();
  private cancelled = false;

  /** Resolves `true` after `ms`, or `false` as soon as `cancelAll` is called (at once if it was). */
  wait(ms: number): Promise<boolean> {
    if (this.cancelled) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve(true);
      }, ms);
      this.pending.set(timer, resolve);
    });
  }

  cancelAll(): void {
    this.cancelled = true;
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve(false);
    }
    this.pending.clear();
  }
}
