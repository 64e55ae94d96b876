import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { runCli } from '../helpers/cli.js';
import { fpbSimulator, tempDir } from '../helpers/fixtures.js';

/**
 * Every wait is cut short by a stop signal. One 429 with `Retry-After: 999999` pauses every new
 * request to the server (capped at 5 minutes); SIGTERM or SIGINT during that pause ends the run
 * at once with the resume hint. The hang guard kills the process after 30 s, far below the
 * 5 minutes a timer left behind by the pause used to keep the process alive.
 */
let simulator: SimulatorHandle;
beforeAll(async () => {
  simulator = await fpbSimulator([{ name: 'sim', accuracy: 1 }]);
});
afterAll(() => simulator.close());

describe('stop signals during long waits', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s during a Retry-After pause ends the run at once', async (signal) => {
    simulator.clearFaults();
    simulator.injectFaults({ kind: 'rate_limit', retryAfterSeconds: 999_999 });
    const before = simulator.stats().chatCompletions;
    const out = tempDir();
    const result = await runCli(
      ['run', '-m', `sim=openai-compatible:sim@${simulator.url}`, '-t', 'fpb', '-c', '4', '--no-cache', '-o', out, '--run-id', 'paused', '--progress', 'none'],
      {},
      (child) => {
        const poll = setInterval(() => {
          // Once the 429 is in, the other workers queue behind the pause.
          if (simulator.stats().chatCompletions - before >= 2) {
            clearInterval(poll);
            setTimeout(() => child.kill(signal), 300);
          }
        }, 20);
        child.once('exit', () => clearInterval(poll));
      },
      { timeoutMs: 30_000 },
    );
    expect(result.signal, 'still waiting out the pause 30 s after the stop signal').toBeNull();
    expect(result.stderr).toMatch(/resume with the same command and --run-id paused/);
    expect(result.stdout).toMatch(/interrupted/);
  });
});
