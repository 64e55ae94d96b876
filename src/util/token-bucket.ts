/** Tolerance for floating-point refill arithmetic: a timer that fires on time must find its token. */
const EPSILON = 1e-9;

/**
 * A token bucket on an injected clock: `capacity` tokens, refilled continuously at `perMs`.
 * A cost above the capacity needs only a full bucket and leaves it in debt, so one oversized
 * request waits its turn instead of waiting forever.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly capacity: number,
    readonly perMs: number,
    now: number,
    initial = capacity,
  ) {
    this.tokens = Math.min(capacity, initial);
    this.updatedAt = now;
  }

  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /** Milliseconds until `cost` (plus `reserve` left over) can be taken; 0 = now. */
  waitMs(cost: number, now: number, reserve = 0): number {
    this.refill(now);
    const need = Math.min(cost, this.capacity) + reserve;
    if (this.tokens + EPSILON >= need) return 0;
    if (this.perMs <= 0) return Number.POSITIVE_INFINITY;
    return Math.max(1, Math.ceil((need - this.tokens) / this.perMs));
  }

  take(cost: number, now: number): void {
    this.refill(now);
    this.tokens -= cost;
  }

  /** Return tokens (or take more, when negative): corrects an estimate once the real cost is known. */
  adjust(amount: number, now: number): void {
    this.refill(now);
    this.tokens = Math.min(this.capacity, this.tokens + amount);
  }

  /** Overwrite the level, e.g. from what the server says remains. */
  set(tokens: number, now: number): void {
    this.tokens = Math.min(this.capacity, tokens);
    this.updatedAt = now;
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.perMs);
      this.updatedAt = now;
    }
  }
}
