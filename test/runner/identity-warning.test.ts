import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../src/providers/provider.js';
import { runEvaluation } from '../../src/runner/run.js';
import type { RunManifest } from '../../src/store/manifest.js';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { fpbSimulator, plannedFpb, simEndpoint, tempDir, testDeps, testSettings } from '../helpers/fixtures.js';

/**
 * Finding 1 of issue 17: a server that names no checkpoint left `identity: null` in the manifest
 * and said nothing, so a swapped checkpoint silently got the old one's cached answers.
 */
let simulator: SimulatorHandle;
beforeAll(async () => {
  simulator = await fpbSimulator([{ name: 'sim-a', accuracy: 1 }]);
});
afterAll(() => simulator.close());

async function runWith(extra: Parameters<typeof simEndpoint>[2], probe: Provider['probe']) {
  const deps = testDeps(tempDir());
  const createProvider = deps.createProvider;
  const outcomes = await runEvaluation([simEndpoint(simulator, 'sim-a', extra)], [await plannedFpb(4)], testSettings(tempDir(), 'r'), {
    ...deps,
    createProvider: (endpoint) => Object.assign(createProvider(endpoint), { probe }),
  });
  deps.cache.close();
  return outcomes[0]!;
}

describe('checkpoint identity', () => {
  it('a server that does not say which checkpoint it serves: the summary and manifest say "checkpoint identity unknown — set `fingerprint`"', async () => {
    const outcome = await runWith({}, () => Promise.resolve(null));
    expect(outcome.warnings.join('\n')).toMatch(/checkpoint identity unknown — set `fingerprint`/);
    const manifest = JSON.parse(readFileSync(outcome.paths.manifest, 'utf8')) as RunManifest;
    expect(manifest.warnings?.join('\n')).toMatch(/checkpoint identity unknown/);
    const { formatRunSummary } = await import('../../src/report/run-summary.js');
    expect(formatRunSummary([outcome])).toMatch(/warning: checkpoint identity unknown — set `fingerprint`/);
  });

  it('no warning when the server names the checkpoint, or the endpoint sets a fingerprint', async () => {
    expect((await runWith({}, () => Promise.resolve({ modelId: 'sim-a', revision: '/models/a', source: 'test' }))).warnings).toEqual([]);
    expect((await runWith({ fingerprint: 'step-100' }, () => Promise.resolve(null))).warnings).toEqual([]);
  });
});
