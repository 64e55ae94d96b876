import { z } from 'zod';
import { creditOf, VERDICTS, type Verdict } from './verdict.js';

/**
 * The prediction of a judge-scored task: the model's answer text and, once judged, the verdict.
 * A run fills the verdict in before scoring (src/runner/model-run.ts); a predictions file for
 * `score` carries it (`{"id", "prediction": {"answer", "verdict", "credit"}}`), so stored verdicts
 * re-score without a judge.
 */
export interface JudgedAnswer {
  answer: string;
  /** Null until judged: scoring an unjudged answer is an error, never a silent 0. */
  verdict: Verdict | null;
  credit: number | null;
}

export function unjudged(answer: string): JudgedAnswer {
  return { answer, verdict: null, credit: null };
}

const JudgedAnswerSchema = z.object({
  answer: z.string(),
  verdict: z.enum(VERDICTS),
  credit: z.number().min(0).max(1).optional(),
});

/** A stored judged prediction, checked; throws with the expected shape when it does not fit. */
export function coerceJudgedAnswer(value: unknown): JudgedAnswer {
  const parsed = JudgedAnswerSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`expected a judged answer {"answer": "<text>", "verdict": "${VERDICTS.join('|')}", "credit"?: 0..1} (${parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')})`);
  }
  const { answer, verdict, credit } = parsed.data;
  return { answer, verdict, credit: credit ?? creditOf(verdict) };
}

/** A parsed answer with the judge's verdict filled in (the runner calls this before scoring). */
export function withVerdict(prediction: unknown, judgement: { verdict: Verdict; credit: number }): JudgedAnswer {
  const answer = (prediction as Partial<JudgedAnswer> | null)?.answer;
  if (typeof answer !== 'string') throw new Error('a judged task must parse its output into {"answer": <text>}');
  return { answer, verdict: judgement.verdict, credit: judgement.credit };
}
