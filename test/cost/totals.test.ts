import { describe, expect, it } from 'vitest';
import { TaskAccumulator } from '../../src/runner/aggregate.js';
import { sumCostTotals } from '../../src/cost/totals.js';
import type { SampleRecord } from '../../src/store/samples.js';
import { getTask } from '../../src/tasks/registry.js';

/** fpb with its accuracy no longer declared a per-item proportion: like an F1 headline. */
function taskWithoutProportions() {
  const fpb = getTask('fpb');
  return { ...fpb, metrics: { ...fpb.metrics, info: fpb.metrics.info, compute: fpb.metrics.compute.bind(fpb.metrics), proportions: {} } };
}

const PRICE = { input_per_million: 2.5, output_per_million: 10, batch_discount: 0.5 };

function sample(id: string, fields: Partial<SampleRecord>): SampleRecord {
  return {
    task: 'fpb',
    task_version: '1',
    item_id: id,
    repeat: 0,
    model: 'gpt-4o',
    messages_hash: id,
    cache_key: id,
    raw_output: 'positive',
    prediction: 'positive',
    gold: 'positive',
    scores: { correct: 1 },
    usage: { prompt_tokens: 100, completion_tokens: 10 },
    latency_ms: 5,
    attempts: 1,
    cached: false,
    finish_reason: 'stop',
    served_model: 'gpt-4o-2024-08-06',
    system_fingerprint: null,
    error: null,
    finished_at: '2026-11-21T00:00:00Z',
    ...fields,
  };
}

/**
 * By hand, at $2.50 / $10 per 1M tokens:
 * - a: sent, correct, 100 + 10 tokens: 250e-6 + 100e-6 = $0.000350
 * - b: sent via the Batch API, wrong, 200 + 20 tokens: (500e-6 + 200e-6) / 2 = $0.000350
 * - c: cached, correct, 400 + 40 tokens: would have cost 1000e-6 + 400e-6 = $0.001400, costs 0 now
 * - d: failed request: counted as sent, no tokens, not scored
 * spent $0.000700; cached worth $0.001400; 2 correct → ($0.000700 + $0.001400) / 2 = $0.001050 per correct answer.
 */
const SAMPLES = [
  sample('a', {}),
  sample('b', { batch_id: 'batch_1', usage: { prompt_tokens: 200, completion_tokens: 20 }, prediction: 'negative', scores: { correct: 0 } }),
  sample('c', { cached: true, latency_ms: null, usage: { prompt_tokens: 400, completion_tokens: 40 } }),
  sample('d', { raw_output: null, prediction: null, usage: null, scores: {}, error: { kind: 'server', message: 'HTTP 500' } }),
];

describe('task cost totals', () => {
  it('counts requests, cached answers, tokens, dollars and cost per correct answer', () => {
    const accumulator = new TaskAccumulator(getTask('fpb'), 4, PRICE);
    for (const record of SAMPLES) accumulator.add(record);
    const { cost, usage } = accumulator.result();
    expect(usage).toEqual({ prompt_tokens: 700, completion_tokens: 70 });
    expect(cost).toMatchObject({
      requests_sent: 3,
      cached_answers: 1,
      prompt_tokens: 300,
      completion_tokens: 30,
      cached_prompt_tokens: 400,
      cached_completion_tokens: 40,
      answers_without_usage: 0,
      n_correct: 2,
    });
    expect(cost.cost_usd).toBeCloseTo(0.0007, 12);
    expect(cost.cached_cost_usd).toBeCloseTo(0.0014, 12);
    expect(cost.cost_per_correct_usd).toBeCloseTo(0.00105, 12);
  });

  it('reports no price as null, never as zero', () => {
    const accumulator = new TaskAccumulator(getTask('fpb'), 4, null);
    for (const record of SAMPLES) accumulator.add(record);
    const { cost } = accumulator.result();
    expect(cost).toMatchObject({ requests_sent: 3, prompt_tokens: 300, cost_usd: null, cached_cost_usd: null, n_correct: 2, cost_per_correct_usd: null });
  });

  it('has no cost per correct answer for a headline metric that is not a per-item 0/1 score', () => {
    const accumulator = new TaskAccumulator(taskWithoutProportions(), 1, PRICE);
    accumulator.add(sample('a', {}));
    const { cost } = accumulator.result();
    expect(cost.n_correct).toBeNull();
    expect(cost.cost_per_correct_usd).toBeNull();
    expect(cost.cost_usd).toBeCloseTo(0.00035, 12);
  });

  it('sums tasks into run totals; cost per correct only when every task has one', () => {
    const fpb = new TaskAccumulator(getTask('fpb'), 4, PRICE);
    for (const record of SAMPLES) fpb.add(record);
    const f1Task = new TaskAccumulator(taskWithoutProportions(), 1, PRICE);
    f1Task.add(sample('a', {}));
    const totals = sumCostTotals([fpb.result().cost, f1Task.result().cost]);
    expect(totals).toMatchObject({ requests_sent: 4, cached_answers: 1, prompt_tokens: 400, n_correct: null, cost_per_correct_usd: null });
    expect(totals.cost_usd).toBeCloseTo(0.00105, 12);
    expect(sumCostTotals([fpb.result().cost, fpb.result().cost]).cost_per_correct_usd).toBeCloseTo(0.00105, 12);
  });
});
