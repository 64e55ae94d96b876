import { join } from 'node:path';
import type { RunStatus } from '../store/manifest.js';
import type { TaskResult } from '../store/results.js';
import { readSamples } from '../store/samples.js';
import type { ModelRun } from './runs.js';

/**
 * How far an input run got. `unfinished`: the run never wrote its final results (the manifest
 * still says "running"): killed before the end, or still running — compare cannot tell which,
 * and neither is finished. The other values are the status the run recorded.
 */
export type InputRunStatus = Exclude<RunStatus, 'running'> | 'unfinished';

/** One task of a run: items (× repeats) planned, scored, failed after retries, never asked. */
export interface TaskProgress {
  planned: number;
  scored: number;
  errors: number;
  not_attempted: number;
}

const ENDED: ReadonlySet<string> = new Set<RunStatus>(['complete', 'incomplete', 'interrupted', 'failed']);

export interface RunState {
  status: InputRunStatus;
  /** Why the run stopped early, as it recorded it; null when it did not say. */
  stop_reason: string | null;
  tasks: Record<string, TaskProgress>;
}

/**
 * The state of a run folder. A finished run's results.json has the counts per task; a run that
 * did not finish is counted from the samples it left (results.json, when there is one, is then
 * from an earlier invocation and out of date).
 */
export function runState(run: ModelRun): RunState {
  // A status this version does not know (a damaged manifest) is not taken as an ending.
  const finished = ENDED.has(run.manifest.status) && run.results !== null;
  const status: InputRunStatus = finished ? (run.manifest.status as InputRunStatus) : 'unfinished';
  let counted: Map<string, { scored: number; errors: number }> | undefined;
  const samples = () => (counted ??= countSamples(run));
  const tasks: Record<string, TaskProgress> = {};
  for (const task of run.manifest.tasks) {
    const recorded = finished ? recordedProgress(run.results!.tasks?.[task.id]) : undefined;
    tasks[task.id] = recorded ?? progress(task.n_items * (run.manifest.repeats ?? 1), samples().get(task.id));
  }
  return { status, stop_reason: run.manifest.stop_reason ?? null, tasks };
}

/** A task's counts as results.json has them; undefined when it lacks them (an older or damaged file: the samples are counted instead). */
function recordedProgress(result: Partial<TaskResult> | undefined): TaskProgress | undefined {
  const { n_planned: planned, n_scored: scored, n_errors: errors } = result ?? {};
  if (![planned, scored, errors].every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) return undefined;
  return progress(planned!, { scored: scored!, errors: errors! });
}

function progress(planned: number, counts: { scored: number; errors: number } | undefined): TaskProgress {
  const { scored, errors } = counts ?? { scored: 0, errors: 0 };
  return { planned, scored, errors, not_attempted: Math.max(0, planned - scored - errors) };
}

/** Per task: samples scored and failed, every repeat (the comparison itself keeps repeat 0 only). */
function countSamples(run: ModelRun): Map<string, { scored: number; errors: number }> {
  const counts = new Map<string, { scored: number; errors: number }>();
  for (const record of readSamples(join(run.dir, 'samples.jsonl')).records.values()) {
    const count = counts.get(record.task) ?? { scored: 0, errors: 0 };
    if (record.error === null) count.scored++;
    else count.errors++;
    counts.set(record.task, count);
  }
  return counts;
}
