import { formatResetDuration } from '../providers/rate-limit-headers.js';
import { TokenBucket } from '../util/token-bucket.js';
import { openAIError } from './openai-errors.js';
import type { Reply } from './reply.js';

export interface RequestRateLimitOptions {
  requestsPerMinute: number;
  /** Bucket size; default one second's worth (requestsPerMinute / 60, at least 1). */
  burst?: number;
}

/**
 * A requests-per-minute limit enforced like OpenAI's: a token bucket refilled continuously at
 * `requestsPerMinute / 60` per second. OpenAI says it enforces per-minute limits over shorter
 * periods (600 RPM may be enforced as 10 per second); the default bucket holds one second's worth,
 * so a client cannot burst a minute's requests at once and the limit is a true rate.
 *
 * Every answer carries the bucket in OpenAI's headers: `x-ratelimit-limit-requests` (the bucket's
 * size), `-remaining-requests` (whole requests left after this one) and `-reset-requests` (time
 * until the bucket is full again, as a Go duration). A refused request gets 429
 * `rate_limit_exceeded` with the same headers and `retry-after` / `retry-after-ms` set to the
 * time until one request's worth has refilled. Refusals answer at once, without the model's latency.
 */
export class RequestRateLimit {
  private readonly bucket: TokenBucket;
  readonly requestsPerMinute: number;

  constructor(options: RequestRateLimitOptions, now = Date.now()) {
    if (!(options.requestsPerMinute > 0)) throw new RangeError(`requestsPerMinute must be positive, got ${options.requestsPerMinute}`);
    this.requestsPerMinute = options.requestsPerMinute;
    const burst = options.burst ?? Math.max(1, options.requestsPerMinute / 60);
    this.bucket = new TokenBucket(burst, options.requestsPerMinute / 60_000, now);
  }

  /** Admit one request now (taking its token) or refuse it; the headers to send either way. */
  admit(now = Date.now()): { allowed: true; headers: Record<string, string> } | { allowed: false; reply: Reply } {
    const waitMs = this.bucket.waitMs(1, now);
    if (waitMs === 0) {
      this.bucket.take(1, now);
      return { allowed: true, headers: this.headers(now) };
    }
    const headers = { ...this.headers(now), 'retry-after': String(Math.ceil(waitMs / 1000)), 'retry-after-ms': String(waitMs) };
    const reply = openAIError(
      429,
      {
        message: `Rate limit reached in organization org-simulator on requests per min (RPM): Limit ${this.requestsPerMinute}, Used ${this.requestsPerMinute}, Requested 1. Please try again in ${formatResetDuration(waitMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
      headers,
    );
    return { allowed: false, reply };
  }

  private headers(now: number): Record<string, string> {
    const level = this.bucket.available(now);
    const capacity = this.bucket.capacity;
    return {
      'x-ratelimit-limit-requests': String(Math.floor(capacity)),
      'x-ratelimit-remaining-requests': String(Math.max(0, Math.floor(level))),
      'x-ratelimit-reset-requests': formatResetDuration((capacity - level) / this.bucket.perMs),
    };
  }
}
