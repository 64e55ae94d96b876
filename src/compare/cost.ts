import type { RunResults } from '../store/results.js';

/** One model's spend on one task, as its run recorded it in results.json. */
export interface TaskCost {
  /** Every answer at its price, cached ones included: what the task costs this model, whatever the cache held. */
  cost_usd: number | null;
  cost_per_correct_usd: number | null;
  n_correct: number | null;
}

/**
 * The cost of a task in a run, from its results.json (prices as configured for that run); null
 * when the run has no results or predates cost accounting. Covers every item the run answered,
 * not only the items shared with the other models.
 */
export function taskCost(results: RunResults | null, task: string): TaskCost | null {
  const cost = results?.tasks[task]?.cost;
  if (!cost) return null;
  const total = cost.cost_usd === null || cost.cached_cost_usd === null ? null : cost.cost_usd + cost.cached_cost_usd;
  return { cost_usd: total, cost_per_correct_usd: cost.cost_per_correct_usd, n_correct: cost.n_correct };
}
