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
  const finished = run.manifest.status !== 'running' && run.results !== null;
  const status: InputRunStatus = finished ? (run.manifest.status as InputRunStatus) : 'unfinished';
  let counted: Map<string, { scored: number; errors: number }> | undefined;
  const samples = () => (counted ??= countSamples(run));
  const tasks: Record<string, TaskProgress> = {};
  for (const task of run.manifest.tasks) {
    const recorded = finished ? run.results!.tasks[task.id] : undefined;
    const planned = recorded?.n_planned ?? task.n_items * (run.manifest.repeats ?? 1);
    tasks[task.id] = recorded ? fromResult(recorded) : progress(planned, samples().get(task.id));
  }
  return { status, stop_reason: run.manifest.stop_reason ?? null, tasks };
}

function fromResult(result: TaskResult): TaskProgress {
  return progress(result.n_planned, { scored: result.n_scored, errors: result.n_errors });
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
