import { describe, expect, it } from 'vitest';
import { loadTaskData } from '../../src/cli/datasets.js';
import { runResults, TaskAccumulator } from '../../src/runner/aggregate.js';
import type { SampleRecord } from '../../src/store/samples.js';
import { getTask } from '../../src/tasks/registry.js';
import type { AnyTask } from '../../src/tasks/task.js';
import { planTask, type PlannedTask } from '../../src/runner/plan.js';
import type { EndpointSpec } from '../../src/providers/provider.js';
import { sampleRecord } from '../helpers/run-folders.js';

const PRICE = { input_per_million: 2.5, output_per_million: 10, batch_discount: 0.5 };
const REPEATS = 3;
const ENDPOINT: EndpointSpec = { name: 'm', provider: 'openai-compatible', model: 'm', baseURL: 'http://127.0.0.1:9/v1' };

/** A small deterministic generator (mulberry32), so the shuffles are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(values: readonly T[], next: () => number): T[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Samples of every item and repeat, scored by the task, with F1 values that are not exact binary
 * fractions (1/3, 2/7, …) and token counts priced at fractions of a cent: sums of such values in
 * a different order round differently, as the tatqa F1 0.9055666666666667 vs …665 of the issue did.
 */
function samples(planned: PlannedTask): SampleRecord[] {
  return planned.items
    .flatMap((item, index) =>
      Array.from({ length: REPEATS }, (_, repeat): SampleRecord => {
        const record = sampleRecord(planned, item, ENDPOINT, { answer: true, repeat });
        const partial = (index + repeat) % 3 === 0;
        return {
          ...record,
          scores: partial ? { ...record.scores, exact_match: 0, f1: (1 + (index % 5)) / (3 + (index % 7)) } : record.scores,
          usage: { prompt_tokens: 301 + 17 * index + repeat, completion_tokens: 7 + ((index * 13 + repeat) % 29) },
          cached: (index + repeat) % 4 === 0,
        };
      }),
    )
    .map((record, index) => (index % 11 === 5 ? failed(record, ERROR_KINDS[index % ERROR_KINDS.length]!) : record));
}

/** Failures of several kinds: their counts by kind must not be keyed in the order they happened. */
const ERROR_KINDS = ['timeout', 'server', 'rate_limit', 'connection'] as const;
function failed(record: SampleRecord, kind: (typeof ERROR_KINDS)[number]): SampleRecord {
  return { ...record, raw_output: null, prediction: null, scores: {}, usage: null, error: { kind, message: `${kind} after retries` } };
}

function resultsJson(task: AnyTask, records: readonly SampleRecord[]): string {
  const accumulator = new TaskAccumulator(task, records.length, PRICE);
  for (const record of records) accumulator.add(record);
  const results = runResults({ run_id: 'r', model: 'm', simulated: true, status: 'complete', scoring: 'generate', price: { ...PRICE, matched: 'm', source: 'config' } }, [[task.id, accumulator]], () => ({}));
  return `${JSON.stringify(results, null, 2)}\n`;
}

describe('aggregation is independent of the order samples finish in', () => {
  it.each(['tatqa', 'finqa', 'headlines'])('%s: shuffled samples give a byte-identical results.json', async (id) => {
    const task = getTask(id);
    const records = samples(planTask(task, await loadTaskData(task), null));
    const expected = resultsJson(task, records);
    const next = random(20261206);
    for (let round = 0; round < 25; round++) expect(resultsJson(task, shuffled(records, next)), `shuffle ${round}`).toBe(expected);
  });
});
