import { endpointPrice } from '../cost/endpoint-price.js';
import type { RunSettings } from '../runner/plan.js';
import type { AnyTask } from '../tasks/task.js';
import type { JudgePanel } from './panel.js';
import { JudgeTally } from './tally.js';

/** One `JudgeTally` per judge-scored task of a run (none without a panel); each judge model is priced like a model. */
export function judgeTalliesFor(tasks: readonly { task: AnyTask }[], panel: JudgePanel | undefined, settings: Pick<RunSettings, 'prices'>): Map<string, JudgeTally> {
  if (!panel) return new Map();
  const { rubric } = panel.settings();
  const priceOf = (name: string) => {
    const endpoint = panel.judges.find((j) => j.identity.name === name)?.endpoint;
    return endpoint ? endpointPrice(endpoint, settings.prices) : null;
  };
  const names = panel.judges.map((j) => j.identity.name);
  return new Map(tasks.filter((t) => t.task.judge).map((t) => [t.task.id, new JudgeTally(rubric, names, priceOf)]));
}
