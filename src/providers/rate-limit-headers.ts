import type { RateLimitSnapshot } from './provider.js';

interface HeaderSource {
  get(name: string): string | null;
}

/**
 * Parse OpenAI-style rate-limit headers (`x-ratelimit-{limit,remaining,reset}-{requests,tokens}`)
 * into a snapshot; undefined when the response carries none of them (most self-hosted servers),
 * so the common case costs two header look-ups.
 */
export function parseRateLimitHeaders(headers: HeaderSource | undefined | null): RateLimitSnapshot | undefined {
  if (!headers || typeof headers.get !== 'function') return undefined;
  const remainingRequests = count(headers.get('x-ratelimit-remaining-requests'));
  const remainingTokens = count(headers.get('x-ratelimit-remaining-tokens'));
  if (remainingRequests === undefined && remainingTokens === undefined) return undefined;
  const snapshot: RateLimitSnapshot = {};
  const limitRequests = count(headers.get('x-ratelimit-limit-requests'));
  const resetRequestsMs = parseResetDuration(headers.get('x-ratelimit-reset-requests'));
  const limitTokens = count(headers.get('x-ratelimit-limit-tokens'));
  const resetTokensMs = parseResetDuration(headers.get('x-ratelimit-reset-tokens'));
  if (limitRequests !== undefined) snapshot.limitRequests = limitRequests;
  if (remainingRequests !== undefined) snapshot.remainingRequests = remainingRequests;
  if (resetRequestsMs !== undefined) snapshot.resetRequestsMs = resetRequestsMs;
  if (limitTokens !== undefined) snapshot.limitTokens = limitTokens;
  if (remainingTokens !== undefined) snapshot.remainingTokens = remainingTokens;
  if (resetTokensMs !== undefined) snapshot.resetTokensMs = resetTokensMs;
  return snapshot;
}

function count(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000_001 };
const DURATION = /^(?:(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns))+$/;
const PART = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;

/**
 * OpenAI writes reset times as Go durations: "1s", "6m0s", "20ms", "1h2m3.5s". A bare number is
 * read as seconds (some OpenAI-compatible proxies send that). Unparseable text gives undefined.
 */
export function parseResetDuration(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit!]!;
  return ms;
}

/** The inverse, for the simulator: a Go-style duration as OpenAI sends it ("20ms", "1.5s", "6m0s"). */
export function formatResetDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1_000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = (whole % 60_000) / 1_000;
  const secondsText = `${Number(seconds.toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}
