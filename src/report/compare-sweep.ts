import type { Sweep } from '../compare/sweep.js';
import type { TextTable } from './compare-inputs.js';
import { formatInterval, formatValue } from './format.js';

/**
 * The checkpoint sweep as plain text, for the Markdown and HTML reports alike (each escapes and
 * emphasises it its own way).
 */

/** The verdict in three parts, so that a renderer can set the model name in bold. */
export interface BestCheckpointText {
  lead: string;
  model: string | null;
  detail: string;
}

export function bestCheckpointText(sweep: Sweep): BestCheckpointText {
  const best = sweep.best;
  if (!best) return { lead: 'No checkpoint qualifies: each regressed on a general-ability task or has no finance score.', model: null, detail: '' };
  const excluded = best.excluded_for_forgetting.length ? `; excluded for a general-ability regression: ${best.excluded_for_forgetting.join(', ')}` : '';
  return { lead: 'Best checkpoint under the forgetting budget: ', model: best.model, detail: ` (step ${best.step}, mean finance score ${formatValue(best.finance_mean)})${excluded}.` };
}

/** One row per checkpoint, in step order; one column per task's headline metric: estimate [CI]. */
export function sweepTable(sweep: Sweep): TextTable {
  return {
    header: ['checkpoint', 'step', ...sweep.series.map((s) => `${s.task} (${s.metric})`)],
    rows: sweep.checkpoints.map(({ model, step }) => [
      model,
      String(step),
      ...sweep.series.map((s) => {
        const point = s.points.find((p) => p.model === model);
        return point ? `${formatValue(point.estimate)} ${formatInterval(point.lower, point.upper)}`.trim() : 'n/a';
      }),
    ]),
  };
}
