import { DEFAULT_MATCH_OPTIONS, extractFinalAnswer, findNumbers, matchAnswer, type MatchOptions, type NumberReading } from '../numeric/index.js';
import type { JudgeSubject } from './rubric.js';
import type { Verdict } from './verdict.js';

/**
 * Verdicts a rule can give without asking a judge model:
 * - `precheck`: clear matches only — the answer's final number matches a numeric reference within
 *   1% (src/numeric's tolerant match), or the answer is the reference text itself. Used before a
 *   judge model to save the calls that cannot go wrong; it never says "incorrect", because a
 *   rule cannot tell a wrong answer from a right one phrased differently.
 * - `ruleVerdict`: the rule-only judge (`--judge rule`) — the pre-check, then refusal phrases,
 *   then "incorrect". A baseline to measure judge models against, not a judge in its own right.
 */

export interface RuleDecision {
  verdict: Verdict;
  /** Which rule decided, and what it read ("final number 1577 matches 1577 (exact)"). */
  rule: 'exact-text' | 'numeric' | 'refusal-phrase' | 'no-match';
  note: string;
}

/** FinanceBench's references round ("$8.70" for 8.738 billion): 1% of the reference is close enough. */
export const PRECHECK_MATCH: Readonly<MatchOptions> = { ...DEFAULT_MATCH_OPTIONS, relative: 0.01 };

export function precheck(subject: JudgeSubject, options: Readonly<MatchOptions> = PRECHECK_MATCH): RuleDecision | undefined {
  if (normaliseText(subject.answer) !== '' && normaliseText(subject.answer) === normaliseText(subject.gold)) {
    return { verdict: 'correct', rule: 'exact-text', note: 'the answer is the reference text' };
  }
  const gold = numericReference(subject.gold);
  if (gold === undefined) return undefined;
  const final = extractFinalAnswer(subject.answer);
  if (final === null || typeof final.value !== 'number') return undefined;
  const percentQuestion = /percent|%|margin|ratio|rate|growth/i.test(subject.question) || gold.percent !== null;
  const match = matchAnswer({ value: final.value, ...(final.reading ? { reading: final.reading } : {}) }, gold.value, { percentQuestion }, options);
  if (!match.correct) return undefined;
  return { verdict: 'correct', rule: 'numeric', note: `final answer (${final.note}): ${match.note}` };
}

/** The reference as one number, when it is nothing but a number ("$1577.00", "24.26", "1.9%", "-0.02"). */
function numericReference(gold: string): NumberReading | undefined {
  const numbers = findNumbers(gold);
  if (numbers.length !== 1) return undefined;
  const only = numbers[0]!;
  // Words around the number ("decreased by 1.7% due to ...") make it a statement, not a figure.
  const rest = (gold.slice(0, only.index) + gold.slice(only.index + only.text.length)).replace(/[\s$€£.,()usdUSD-]/g, '');
  return rest === '' ? only : undefined;
}

function normaliseText(text: string): string {
  return text.toLowerCase().replace(/[\s.,;:!"'`*]+/g, ' ').trim();
}

// Phrases that decline rather than answer. Checked only after the pre-check found no match, so a
// correct figure followed by a caveat ("I cannot verify this, but ...") is not a refusal.
const REFUSAL = [
  /\b(i|we) (do not|don't|cannot|can't|am unable to|are unable to|was unable to) (have|access|provide|find|determine|browse|retrieve|answer|give|calculate|locate|verify)\b/i,
  /\b(unable|not able) to (provide|access|find|determine|answer|retrieve|calculate|locate)\b/i,
  /\bas an ai\b/i,
  /\b(don't|do not) have (real-time |direct )?access\b/i,
  /\bnot (available|provided|included) in the (provided |given )?(context|document|information|text|evidence)\b/i,
  /\bno (information|data) (is )?(available|provided)\b/i,
  /\bI('m| am) sorry\b/i,
];

export function ruleVerdict(subject: JudgeSubject): RuleDecision {
  const decided = precheck(subject);
  if (decided) return decided;
  const phrase = REFUSAL.find((pattern) => pattern.test(subject.answer));
  if (phrase || subject.answer.trim() === '') return { verdict: 'refused', rule: 'refusal-phrase', note: phrase ? `declines: ${phrase.exec(subject.answer)![0]}` : 'empty answer' };
  return { verdict: 'incorrect', rule: 'no-match', note: 'no rule matched the reference' };
}

