import { BUILTIN_TASKS } from '../../tasks/index.js';
import { UserError } from '../util/errors.js';
import type { AnyTask } from './task.js';

/** Every built-in task id, in listing order, known without loading any task. */
export const TASK_IDS: readonly string[] = Object.keys(BUILTIN_TASKS);

/**
 * Load the task `<id>` or `<id>:<options>` (a task variant, see `Task.withOptions`), importing
 * only that task's plugin: a run loads the tasks it runs, not every task's formats, parsers and
 * metrics. Commands that need every task use the registry (./registry.ts).
 */
export async function loadTask(spec: string): Promise<AnyTask> {
  const { id, options } = splitTaskSpec(spec);
  const load = Object.hasOwn(BUILTIN_TASKS, id) ? BUILTIN_TASKS[id] : undefined;
  if (!load) throw unknownTaskError(id);
  return withTaskOptions(await load(), options);
}

/** `mmlu:economics` → id `mmlu`, options `economics`; no colon, no options. */
export function splitTaskSpec(spec: string): { id: string; options: string | undefined } {
  const colon = spec.indexOf(':');
  return colon === -1 ? { id: spec, options: undefined } : { id: spec.slice(0, colon), options: spec.slice(colon + 1) };
}

export function unknownTaskError(id: string): UserError {
  return new UserError(`unknown task "${id}"; available tasks: ${TASK_IDS.join(', ')}`);
}

/** The task's variant for `options` (the task itself without). */
export function withTaskOptions(task: AnyTask, options: string | undefined): AnyTask {
  if (options === undefined) return task;
  if (!task.withOptions) throw new UserError(`task ${task.id} takes no options (got "${options}")`);
  return task.withOptions(options);
}
