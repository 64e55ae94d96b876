import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeComparison } from '../../src/cli/commands/compare.js';
import { analyzeRuns, DEFAULT_COMPARE_SETTINGS } from '../../src/compare/analyze.js';
import { loadRuns, pickRun } from '../../src/compare/runs.js';
import { tempDir } from '../helpers/fixtures.js';
import { writeRunFolder } from '../helpers/run-folders.js';

// Finding 6 of issue 15, for compare: the same samples, finished in another order (so written to
// samples.jsonl in another order), must give byte-identical reports.
const TASKS = ['tatqa', 'headlines', 'fpb'];
let original: string;
beforeAll(async () => {
  original = tempDir('fh-order-');
  await writeRunFolder({ outDir: original, runId: 'r', model: 'base', tasks: TASKS.map((id) => ({ id, correct: (i: number) => i % 4 !== 1 })) });
  await writeRunFolder({ outDir: original, runId: 'r', model: 'ft', tasks: TASKS.map((id) => ({ id, correct: (i: number) => i % 5 !== 2 })) });
});

/** A copy of the runs with every samples.jsonl in reverse and then rotated order. */
function reordered(rotation: number): string {
  const copy = tempDir('fh-order-copy-');
  cpSync(original, copy, { recursive: true });
  for (const model of ['base', 'ft']) {
    const path = join(copy, 'r', model, 'samples.jsonl');
    const lines = readFileSync(path, 'utf8').trim().split('\n').reverse();
    writeFileSync(path, `${[...lines.slice(rotation), ...lines.slice(0, rotation)].join('\n')}\n`);
  }
  return copy;
}

async function reports(root: string): Promise<Record<string, string>> {
  const runs = loadRuns([join(root, 'r')]);
  const comparison = analyzeRuns(runs, { base: pickRun(runs, 'base', 'base') }, { ...DEFAULT_COMPARE_SETTINGS, resamples: 300 });
  comparison.generated_at = 'fixed';
  const dir = tempDir('fh-order-report-');
  const files = await writeComparison(comparison, dir);
  // Run folders differ by location only: the paths in the reports are made relative to the root.
  return Object.fromEntries(files.map((file) => [file.slice(dir.length), readFileSync(file, 'utf8').split(root).join('<root>')]));
}

describe('compare is independent of sample order', () => {
  it('gives byte-identical reports for the same samples in other orders', async () => {
    const expected = await reports(original);
    for (const rotation of [0, 17, 55]) {
      const actual = await reports(reordered(rotation));
      for (const [name, content] of Object.entries(expected)) expect(actual[name] === content, `${name}, rotation ${rotation}`).toBe(true);
    }
  });
});
