import { describe, expect, it } from 'vitest';
import { PendingDelays } from '../../src/simulator/delays.js';

describe('PendingDelays', () => {
  it('resolves true once the delay has passed', async () => {
    await expect(new PendingDelays().wait(1)).resolves.toBe(true);
  });

  it('resolves every pending delay false on cancelAll, and later ones at once', async () => {
    const delays = new PendingDelays();
    const pending = [delays.wait(60_000), delays.wait(60_000)];
    delays.cancelAll();
    await expect(Promise.all(pending)).resolves.toEqual([false, false]);
    await expect(delays.wait(60_000)).resolves.toBe(false);
  });
});
