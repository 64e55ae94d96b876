import { answersAfterReasoning } from '../parsing/reasoning.js';
import { InputError } from '../util/errors.js';
import type { AnyTask, ScoredItem, TaskItem, TaskMetrics } from '../tasks/task.js';
import { readPredictions } from './predictions.js';

export interface PerItemScore {
  id: string;
  prediction: unknown;
  gold: unknown;
  scores: Record<string, number>;
  note?: string;
}

export interface RescoreResult {
  task: string;
  /** Items scored: dataset items that have a prediction (errors excluded). */
  n: number;
  metrics: TaskMetrics['metrics'];
  details?: TaskMetrics['details'];
  /** Dataset items with no prediction in the file (not scored). */
  n_without_prediction: number;
  /** samples.jsonl records that were errors (not scored). */
  n_errors: number;
  perItem: PerItemScore[];
}

/**
 * Score a predictions file against a dataset without calling any model: the same parser,
 * scorer and metrics as a run, so a re-score of a run's samples reproduces its results.
 */
export function rescore(task: AnyTask, items: readonly TaskItem[], predictionsPath: string): RescoreResult {
  const entries = readPredictions(predictionsPath, task.id);
  const byId = new Map(items.map((item) => [item.id, item]));
  // Raw outputs are parsed as a run parses them: a reasoning model's answer after its trace.
  task = answersAfterReasoning(task);
  const scored: ScoredItem[] = [];
  const perItem: PerItemScore[] = [];
  let errors = 0;
  for (const entry of entries) {
    const item = byId.get(entry.id);
    if (!item) {
      throw new InputError({ file: predictionsPath, line: entry.line, field: 'id' }, `no item with id "${entry.id}" in the dataset (ids look like "${items[0]?.id}")`);
    }
    if (entry.kind === 'error') {
      errors++;
      continue;
    }
    let prediction: unknown;
    let note: string | undefined;
    if (entry.kind === 'output') {
      ({ prediction, note } = task.parseOutput(entry.output, item));
    } else {
      try {
        prediction = task.coercePrediction(entry.prediction, item);
      } catch (error) {
        throw new InputError({ file: predictionsPath, line: entry.line, field: 'prediction' }, (error as Error).message);
      }
    }
    const scores = task.scoreItem(prediction, item);
    const group = task.groupOf?.(item);
    scored.push({ itemId: item.id, ...(group === undefined ? {} : { group }), gold: item.gold, prediction, scores });
    perItem.push({ id: item.id, prediction, gold: item.gold, scores, ...(note === undefined ? {} : { note }) });
  }
  const { metrics, details } = task.metrics.compute(scored);
  return {
    task: task.id,
    n: scored.length,
    metrics,
    ...(details === undefined ? {} : { details }),
    n_without_prediction: items.length - scored.length - errors,
    n_errors: errors,
    perItem,
  };
}
