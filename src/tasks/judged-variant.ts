import { coerceJudgedAnswer, unjudged, type JudgedAnswer } from '../judge/judged-answer.js';
import { judgedQaMetrics, verdictScores } from './kinds/judged-qa.js';
import type { AnyTask, Task } from './task.js';

/** `<task spec>+judge`: any task graded by the run's judges instead of its own parser and scorer. */
export const JUDGED_SUFFIX = '+judge';

/**
 * A task of any kind, graded by the run's judges (`--judge`): the same data, prompts, few-shot
 * demonstrations and dialogues, but the whole answer goes to the judge with the question (the
 * item's final user message, zero-shot) and the reference (the gold as the task writes it,
 * `renderAnswer`). Metrics are the judged accuracy, refusal rate and mean credit. Useful where a
 * rule under-credits answers that are right in other words; the task's own scorer stays the
 * reference for everything else.
 */
export function judgedVariant(task: AnyTask): Task<unknown, unknown, JudgedAnswer> {
  if (task.judge) return task as Task<unknown, unknown, JudgedAnswer>;
  const id = `${task.id}${JUDGED_SUFFIX}`;
  const question = (item: Parameters<AnyTask['buildMessages']>[0]) => task.buildMessages(item).findLast((m) => m.role === 'user')?.content ?? '';
  return {
    id,
    // Scoring differs from the task's: its version with the judged variant's own.
    version: `${task.version}+judge.1`,
    title: `${task.title} (graded by a judge)`,
    description: `${task.description} Graded by the run's judge against the reference answer instead of the task's scorer.`,
    ...(task.domain === undefined ? {} : { domain: task.domain }),
    data: task.data,
    promptHash: task.promptHash,
    maxTokens: task.maxTokens,
    buildMessages: (item, history) => task.buildMessages(item, history),
    ...(task.dialogueOf ? { dialogueOf: (item) => task.dialogueOf!(item) } : {}),
    renderAnswer: (item) => task.renderAnswer(item),
    // Kept for per-group demonstrations (MMLU); the judged metrics are not broken down by group.
    ...(task.groupOf ? { groupOf: (item) => task.groupOf!(item) } : {}),
    ...(task.fewShot ? { fewShot: task.fewShot } : {}),
    parseOutput: (output) => ({ prediction: unjudged(output.trim()), note: 'answer text, graded by the judge' }),
    coercePrediction: (value) => coerceJudgedAnswer(value),
    scoreItem: (prediction, item) => verdictScores(prediction, item.id, id),
    metrics: judgedQaMetrics([]),
    judge: { subject: (item, prediction) => ({ question: question(item), gold: task.renderAnswer(item), answer: prediction.answer }) },
    ...(task.simulate ? { simulate: task.simulate } : {}),
  };
}
