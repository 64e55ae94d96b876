import { expect } from 'vitest';
import { ProviderError } from '../../src/providers/errors.js';

/** What a promise rejected with; fails the test when it resolved or rejected with a non-Error. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

/** The `ProviderError` a provider call rejected with. */
export async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
