import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * Disk full in the middle of a run: after 10 sample lines every further sample write fails with
 * ENOSPC (as write(2) does on a full disk). Mocked at the fs module, since a real full disk cannot
 * be made inside the test sandbox.
 */
const state = vi.hoisted(() => ({ sampleWrites: 0, full: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, data: unknown, ...rest: unknown[]) => {
    const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.subarray(0, 8).toString() : '';
    if (text.startsWith('{"task":')) {
      state.sampleWrites++;
      if (state.full && state.sampleWrites > 10) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    return (fs.writeSync as (...args: unknown[]) => number)(fd, data, ...rest);
  }) as typeof fs.writeSync;
  return { ...fs, writeSync, default: { ...fs, writeSync } };
});

const { NO_CACHE } = await import('../../src/cache/response-cache.js');
const { createProvider } = await import('../../src/providers/registry.js');
const { runEvaluation } = await import('../../src/runner/run.js');
const { fpbSimulator, plannedFpb, simEndpoint, tempDir, testSettings } = await import('../helpers/fixtures.js');

describe('disk full during a run', () => {
  let simulator: Awaited<ReturnType<typeof fpbSimulator>>;
  beforeAll(async () => {
    simulator = await fpbSimulator([{ name: 'sim', accuracy: 0.8 }]);
  });
  afterAll(() => simulator.close());

  it('stops with a clear error naming the file, keeps every sample written before, and resumes once there is space', async () => {
    const out = tempDir();
    const settings = testSettings(out, 'full', { concurrency: 2 });
    state.full = true;
    const failure = await runEvaluation([simEndpoint(simulator, 'sim')], [await plannedFpb()], settings, { cache: NO_CACHE, createProvider }).catch((e: unknown) => e);
    state.full = false;
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).toBe('UserError');
    expect((failure as Error).message).toMatch(/cannot write samples to .*samples\.jsonl: no space left on the device \(ENOSPC\)\. Every sample written before this point is kept; .* --run-id full/);
    const samplesPath = join(out, 'full', 'sim', 'samples.jsonl');
    const kept = readFileSync(samplesPath, 'utf8').trim().split('\n');
    expect(kept).toHaveLength(10);
    for (const line of kept) expect(() => JSON.parse(line)).not.toThrow();

    const [resumed] = await runEvaluation([simEndpoint(simulator, 'sim')], [await plannedFpb()], settings, { cache: NO_CACHE, createProvider });
    expect(resumed!.status).toBe('complete');
    expect(resumed!.resumed).toBe(10);
    expect(readFileSync(samplesPath, 'utf8').trim().split('\n')).toHaveLength(40);
  });
});
