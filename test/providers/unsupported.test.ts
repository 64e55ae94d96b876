import { describe, expect, it } from 'vitest';
import { classifyHttpFailure } from '../../src/providers/http-errors.js';

/** Finding 2 of issue 17: a body saying the feature is unsupported was retried 6x per item. */
describe('a response saying the server cannot do what was asked', () => {
  it.each([
    [500, 'Only no echo is supported'],
    [400, 'logprobs is not supported'],
    [400, 'Unsupported param: echo'],
    [501, 'Unsupported method (POST)'],
    [422, 'n > 1 is not supported'],
  ])('HTTP %i "%s" is the fatal class unsupported, never retried', (status, message) => {
    const error = classifyHttpFailure({ status, message });
    expect(error.kind).toBe('unsupported');
    expect(error.fatal).toBe(true);
    expect(error.retryable).toBe(false);
  });

  it.each([
    [500, 'internal error'],
    [503, 'Loading model'],
    [429, 'rate limit'],
    [400, 'prompt must be a string'],
    [400, 'the request exceeds the available context size'],
  ])('HTTP %i "%s" keeps its usual class', (status, message) => {
    expect(classifyHttpFailure({ status, message }).kind).not.toBe('unsupported');
  });
});
