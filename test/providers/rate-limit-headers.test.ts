import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/providers/errors.js';
import { OpenAICompatibleProvider } from '../../src/providers/openai-compatible.js';
import { formatResetDuration, parseRateLimitHeaders, parseResetDuration } from '../../src/providers/rate-limit-headers.js';
import { buildAnswerKey } from '../../src/simulator/answer-key.js';
import { RequestRateLimit } from '../../src/simulator/rate-limit.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/server.js';
import { fakeItems, fakeSentimentTask } from '../simulator/fixtures.js';

describe('x-ratelimit reset durations', () => {
  it.each([
    ['1s', 1_000],
    ['6m0s', 360_000],
    ['20ms', 20],
    ['1h2m3.5s', 3_723_500],
    ['8.64s', 8_640],
    ['0s', 0],
    ['2', 2_000],
    ['0.5', 500],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseResetDuration(text)).toBeCloseTo(ms, 6);
  });

  it.each(['', 'soon', '-1s', '1x', 's', '1s2'])('gives up on %j', (text) => {
    expect(parseResetDuration(text)).toBeUndefined();
  });

  it('writes what it reads', () => {
    for (const ms of [0, 7, 999, 1_000, 1_500, 59_999, 60_000, 361_250, 3_723_500]) expect(parseResetDuration(formatResetDuration(ms))).toBe(ms);
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(20)).toBe('20ms');
  });
});

describe('parseRateLimitHeaders', () => {
  it('reads requests and tokens', () => {
    const headers = new Headers({
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-remaining-requests': '9999',
      'x-ratelimit-reset-requests': '6ms',
      'x-ratelimit-limit-tokens': '30000000',
      'x-ratelimit-remaining-tokens': '29999000',
      'x-ratelimit-reset-tokens': '2ms',
    });
    expect(parseRateLimitHeaders(headers)).toEqual({ limitRequests: 10_000, remainingRequests: 9_999, resetRequestsMs: 6, limitTokens: 30_000_000, remainingTokens: 29_999_000, resetTokensMs: 2 });
  });

  it('is undefined without remaining counts, and skips unreadable fields', () => {
    expect(parseRateLimitHeaders(new Headers({ 'content-type': 'application/json' }))).toBeUndefined();
    expect(parseRateLimitHeaders(new Headers({ 'x-ratelimit-remaining-tokens': '12', 'x-ratelimit-reset-tokens': 'later', 'x-ratelimit-limit-tokens': 'many' }))).toEqual({ remainingTokens: 12 });
  });
});

describe('RequestRateLimit (simulator)', () => {
  it('admits a bucket of one second and refills at the per-minute rate', () => {
    const limit = new RequestRateLimit({ requestsPerMinute: 600 }, 0);
    for (let i = 0; i < 10; i++) expect(limit.admit(0).allowed).toBe(true);
    const refused = limit.admit(0);
    expect(refused.allowed).toBe(false);
    if (refused.allowed) return;
    expect(refused.reply).toMatchObject({ status: 429, headers: { 'retry-after': '1', 'retry-after-ms': '100', 'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1s' } });
    expect(limit.admit(99).allowed).toBe(false);
    const next = limit.admit(100);
    expect(next).toMatchObject({ allowed: true, headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1s' } });
  });
});

describe('rate-limit headers through the openai client', () => {
  const task = fakeSentimentTask();
  const items = fakeItems(3);
  let sim: SimulatorHandle | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('fills Completion.rateLimit on success and ProviderError.rateLimit on a 429', async () => {
    sim = await startSimulator({ models: [{ name: 'm', accuracy: 1 }], answerKey: buildAnswerKey([{ task, items }]), requestsPerMinute: 60, rateLimitBurst: 2 });
    const provider = new OpenAICompatibleProvider({ name: 'm', provider: 'openai-compatible', model: 'm', baseURL: sim.url });
    const ask = () => provider.complete({ messages: task.buildMessages(items[0]!), decoding: { temperature: 0, maxTokens: 8 }, timeoutMs: 5_000 });
    const first = await ask();
    expect(first.rateLimit).toMatchObject({ limitRequests: 2, remainingRequests: 1 });
    expect(first.rateLimit!.resetRequestsMs).toBeGreaterThan(0);
    await ask();
    const error = await ask().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    const refused = error as ProviderError;
    expect(refused.kind).toBe('rate_limit');
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.rateLimit).toMatchObject({ limitRequests: 2, remainingRequests: 0 });
    expect(sim.stats().rateLimitedAt).toHaveLength(1);
    expect(sim.stats().byStatus).toMatchObject({ '200': 2, '429': 1 });
  });

  it('leaves rateLimit unset when the server sends no such headers', async () => {
    sim = await startSimulator({ models: [{ name: 'm', accuracy: 1 }], answerKey: buildAnswerKey([{ task, items }]) });
    const provider = new OpenAICompatibleProvider({ name: 'm', provider: 'openai-compatible', model: 'm', baseURL: sim.url });
    const completion = await provider.complete({ messages: task.buildMessages(items[0]!), decoding: { temperature: 0, maxTokens: 8 }, timeoutMs: 5_000 });
    expect(completion.rateLimit).toBeUndefined();
    expect(completion.text).not.toBe('');
  });
});
