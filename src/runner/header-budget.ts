import { TokenBucket } from '../util/token-bucket.js';

/** One dimension (requests or tokens) of what a server's `x-ratelimit-*` headers said. */
export interface ServerCount {
  limit?: number | undefined;
  remaining?: number | undefined;
  resetMs?: number | undefined;
}

/**
 * The harness's running estimate of one of the server's rate-limit buckets, kept from its
 * `x-ratelimit-*` headers so that new requests wait *before* the server would refuse them.
 *
 * OpenAI's headers describe a bucket: `limit`, what `remaining`, and `reset` = time until it is
 * full again. The refill rate is therefore (limit − remaining) / reset, whatever the window (per
 * minute at OpenAI, per day on some compatible services). A snapshot counts the requests that
 * reached the server before the one it answers; everything sent since and still in flight is
 * subtracted, refill since then added, and each new request takes its cost locally until the next
 * snapshot corrects the level.
 *
 * Without `limit` or `reset` there is no rate to extrapolate with: when the snapshot, less what
 * is in flight, is spent, new requests wait until the reset the server named.
 */
export class HeaderBudget {
  private bucket: TokenBucket | undefined;
  private perMs: number | undefined;
  private limit: number | undefined;
  private holdUntil = 0;

  /** `reserve`: left unspent in the estimate, so arrival jitter does not meet an empty bucket. */
  constructor(private readonly reserve: number) {}

  sync(count: ServerCount, inFlightSince: number, startedAt: number, now: number): void {
    const { limit, remaining, resetMs } = count;
    if (remaining === undefined) return;
    if (limit !== this.limit) {
      this.limit = limit;
      this.perMs = undefined;
    }
    // `remaining` is rounded down, so each estimate is an upper bound on the rate (loose by up to one
    // request in the deficit): the smallest seen for this limit is the tightest.
    if (limit !== undefined && resetMs !== undefined && resetMs > 0 && limit - remaining >= 1) this.perMs = Math.min(this.perMs ?? Number.POSITIVE_INFINITY, (limit - remaining) / resetMs);
    if (limit !== undefined && limit > 0 && this.perMs !== undefined) {
      this.bucket = new TokenBucket(limit, this.perMs, now, remaining - inFlightSince + this.perMs * Math.max(0, now - startedAt));
      return;
    }
    this.bucket = undefined;
    this.holdUntil = remaining - inFlightSince < 1 + this.reserve && resetMs !== undefined ? now + resetMs : 0;
  }

  waitMs(cost: number, now: number): number {
    if (this.bucket) return this.bucket.waitMs(cost, now, this.reserve);
    return Math.max(0, this.holdUntil - now);
  }

  take(cost: number, now: number): void {
    this.bucket?.take(cost, now);
  }

  /** The server refused the request (429): it never spent the cost the estimate took for it. */
  refund(cost: number, now: number): void {
    this.bucket?.adjust(cost, now);
  }
}
