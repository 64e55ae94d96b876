import { BUILTIN_TASKS } from '../../tasks/index.js';
import { splitTaskSpec, unknownTaskError, withTaskOptions } from './catalog.js';
import type { AnyTask } from './task.js';

/**
 * Every built-in task, loaded with this module: for the commands that list, score, merge or
 * compare tasks of any kind. A run loads only its own tasks (`loadTask`, ./catalog.ts).
 */
const ALL_TASKS: readonly AnyTask[] = await Promise.all(Object.values(BUILTIN_TASKS).map((load) => load()));

const byId = new Map(ALL_TASKS.map((task) => [task.id, task]));

export function listTasks(): readonly AnyTask[] {
  return ALL_TASKS;
}

/** Resolve `<id>` or `<id>:<options>` (a task variant, see `Task.withOptions`). */
export function getTask(spec: string): AnyTask {
  const { id, options, judged } = splitTaskSpec(spec);
  const task = byId.get(id);
  if (!task) throw unknownTaskError(id);
  return withTaskOptions(task, options, judged);
}
