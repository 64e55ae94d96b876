import { canonicalJson } from '../util/hash.js';
import type { AnyTask } from '../tasks/task.js';
import type { AlignedTask } from './align.js';
import type { ModelRun } from './runs.js';

/** One item the models disagree on, with everything needed to judge it by eye. */
export interface ItemDiff {
  item_id: string;
  gold: unknown;
  /** The question as the model saw it (final user turn); null when the dataset file is not available. */
  prompt: string | null;
  outputs: Record<string, { raw_output: string | null; prediction: unknown; correct: number | null }>;
}

/** Longest raw output kept per model in a report: reports stay small whatever a model rambles. */
const MAX_OUTPUT_CHARS = 2_000;

/**
 * A prediction can be as long as the output it was read from (a 1 MB answer span): one whose JSON
 * is longer than `MAX_OUTPUT_CHARS` is shown as the start of that JSON, marked as cut.
 */
function boundedPrediction(prediction: unknown): unknown {
  const json = JSON.stringify(prediction ?? null);
  return json.length <= MAX_OUTPUT_CHARS ? prediction : `${json.slice(0, MAX_OUTPUT_CHARS)}... (cut: ${json.length} characters)`;
}

/**
 * Items where the models' verdicts differ: per-item correctness for proportion metrics, else
 * the parsed predictions. Sorted by item id, at most `max` per task.
 */
export function collectItemDiffs(task: AnyTask, aligned: AlignedTask, runs: readonly ModelRun[], headline: string, max: number): ItemDiff[] {
  const correctness = task.metrics.proportions?.[headline];
  const diffs: ItemDiff[] = [];
  for (const id of aligned.sharedIds) {
    if (diffs.length >= max) break;
    // The first answer of each model stands for the item here (all repeats count in the metrics).
    const samples = runs.map((run) => [run.label, aligned.samples[run.label]!.get(id)![0]!] as const);
    const verdicts = samples.map(([, s]) => (correctness ? String(s.scores[correctness] ?? '') : canonicalJson(s.prediction ?? null)));
    if (new Set(verdicts).size <= 1) continue;
    diffs.push({
      // The run's own id (items paired by content are keyed by their hash).
      item_id: samples[0]![1].item_id,
      gold: samples[0]![1].gold,
      prompt: null,
      outputs: Object.fromEntries(
        samples.map(([label, s]) => [
          label,
          {
            raw_output: s.raw_output === null ? null : s.raw_output.slice(0, MAX_OUTPUT_CHARS),
            prediction: boundedPrediction(s.prediction),
            correct: correctness ? (s.scores[correctness] ?? null) : null,
          },
        ]),
      ),
    });
  }
  return diffs;
}
