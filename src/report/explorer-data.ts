import type { ModelRun } from '../compare/runs.js';
import { collectItemViews, type ItemView } from '../inspect/item-views.js';
import { getTask } from '../tasks/registry.js';

/**
 * The item explorer's data, embedded in the HTML report. Compact because a full-benchmark report
 * holds tens of thousands of answers: messages are stored once (few-shot demonstrations repeat in
 * every prompt of a subject) and prompts refer to them by index; items are arrays, not objects.
 */
export interface ExplorerData {
  models: string[];
  tasks: string[];
  /** Each distinct chat message once: [role, content]. */
  messages: [string, string][];
  /** Each distinct prompt once: indices into `messages`. */
  prompts: number[][];
  items: ExplorerItem[];
}

/** [task index, item id, gold as text, prompt index (-1: not recorded), one answer per model (0: none)]. */
export type ExplorerItem = [number, string, string, number, (ExplorerAnswer | 0)[]];

/**
 * [raw output (null: the request failed), prediction as text (null: no answer recognised),
 * correct (1/0; null when the headline metric is not a per-item proportion), error text or null].
 */
export type ExplorerAnswer = [string | null, string | null, 0 | 1 | null, string | null];

/** Longest raw output kept per answer: one rambling model must not make the report unopenable. */
const MAX_OUTPUT_CHARS = 4_000;

export function buildExplorerData(runs: readonly ModelRun[]): ExplorerData {
  const models = runs.map((run) => run.label);
  const tasks: string[] = [];
  const messageIndex = new Map<string, number>();
  const messages: [string, string][] = [];
  const promptIndex = new Map<string, number>();
  const prompts: number[][] = [];
  const internPrompt = (prompt: ItemView['prompts'][number] | undefined): number => {
    if (!prompt?.messages) return -1;
    const known = promptIndex.get(prompt.hash);
    if (known !== undefined) return known;
    const indices = prompt.messages.map((m) => {
      const key = `${m.role}\u0000${m.content}`;
      let index = messageIndex.get(key);
      if (index === undefined) {
        index = messages.push([m.role, m.content]) - 1;
        messageIndex.set(key, index);
      }
      return index;
    });
    promptIndex.set(prompt.hash, prompts.push(indices) - 1);
    return prompts.length - 1;
  };
  const items: ExplorerItem[] = [];
  const correctnessOf = new Map<string, string | undefined>();
  for (const view of collectItemViews(runs)) {
    let taskIndex = tasks.indexOf(view.task);
    if (taskIndex < 0) taskIndex = tasks.push(view.task) - 1;
    if (!correctnessOf.has(view.task)) correctnessOf.set(view.task, correctnessScore(view.task));
    const correctness = correctnessOf.get(view.task);
    // The first answer of each model stands for the item, as in the comparison's item diffs.
    const answers = models.map((model): ExplorerAnswer | 0 => {
      const answer = view.answers.find((a) => a.model === model);
      if (!answer) return 0;
      const score = correctness === undefined ? undefined : answer.scores[correctness];
      return [
        answer.raw_output === null ? null : answer.raw_output.slice(0, MAX_OUTPUT_CHARS),
        answer.error || answer.prediction === null || answer.prediction === undefined ? null : asText(answer.prediction),
        score === 1 ? 1 : score === 0 ? 0 : null,
        answer.error ? `${answer.error.kind}: ${answer.error.message}` : null,
      ];
    });
    items.push([taskIndex, view.item_id, asText(view.gold), internPrompt(view.prompts[0]), answers]);
  }
  return { models, tasks, messages, prompts, items };
}

/** The per-item 0/1 score behind the task's headline metric, when it is a proportion (accuracy). */
function correctnessScore(taskId: string): string | undefined {
  try {
    const task = getTask(taskId);
    const headline = task.metrics.info[0]?.name;
    return headline === undefined ? undefined : task.metrics.proportions?.[headline];
  } catch {
    return undefined; // a task this version does not know: shown without right/wrong
  }
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null').slice(0, MAX_OUTPUT_CHARS);
}
