/**
 * A judge's verdict on one answer, and the strict reading of it out of a judge model's reply.
 *
 * Strict on purpose: a reply that names no verdict, or two different ones, is a judge error (the
 * item is counted as failed and asked again on resume), never a silent "incorrect". Scoring a
 * garbled judge reply as wrong would move a model's accuracy by the judge's formatting habits.
 */

export const VERDICTS = ['correct', 'partial', 'incorrect', 'refused'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What one verdict is worth: `partial` earns its stated credit, the others all or nothing. */
export function creditOf(verdict: Verdict, partialCredit: number | null = null): number {
  if (verdict === 'correct') return 1;
  if (verdict === 'partial') return partialCredit ?? 0.5;
  return 0;
}

export interface ParsedVerdict {
  verdict: Verdict;
  /** 1 correct, 0 incorrect/refused, the judge's stated fraction for partial. */
  credit: number;
  /** The judge's short reason, as it wrote it (may be empty). */
  rationale: string;
}

/** A judge reply that cannot be read as exactly one verdict. */
export class VerdictParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerdictParseError';
  }
}

// "VERDICT: correct", also "**Verdict:** Correct" and "verdict = correct": the label, a separator, a word.
const VERDICT_LINE = /^[\s*_#>`-]*verdict[\s*_`]*[:=][\s*_`]*([a-z]+)[\s*_`.]*$/gim;
const CREDIT_LINE = /^[\s*_#>`-]*credit[\s*_`]*[:=][\s*_`]*([0-9]*\.?[0-9]+)[\s*_`]*$/im;
const RATIONALE_LINE = /^[\s*_#>`-]*rationale[\s*_`]*[:=][\s*_`]*(.*)$/im;

/**
 * Read `VERDICT: <correct|partial|incorrect|refused>` (one per reply; repeating the same one is
 * fine), optional `CREDIT: <0..1>` for partial answers, and `RATIONALE: <text>`.
 * `allowPartial` false (the rubric did not offer partial credit) makes "partial" an error too.
 */
export function parseVerdict(reply: string, allowPartial: boolean): ParsedVerdict {
  const named = new Set<string>();
  for (const match of reply.matchAll(VERDICT_LINE)) named.add(match[1]!.toLowerCase());
  if (named.size === 0) throw new VerdictParseError(`the judge's reply has no "VERDICT: <${VERDICTS.join('|')}>" line: ${preview(reply)}`);
  if (named.size > 1) throw new VerdictParseError(`the judge's reply names ${named.size} different verdicts (${[...named].join(', ')}): ${preview(reply)}`);
  const word = [...named][0]!;
  if (!(VERDICTS as readonly string[]).includes(word)) throw new VerdictParseError(`the judge's verdict "${word}" is not one of ${VERDICTS.join(', ')}`);
  const verdict = word as Verdict;
  if (verdict === 'partial' && !allowPartial) throw new VerdictParseError('the judge answered "partial", which this rubric does not offer');
  const rationale = RATIONALE_LINE.exec(reply)?.[1]?.trim() ?? '';
  if (verdict !== 'partial') return { verdict, credit: creditOf(verdict), rationale };
  const credit = Number(CREDIT_LINE.exec(reply)?.[1] ?? Number.NaN);
  if (!(credit > 0 && credit < 1)) throw new VerdictParseError('a "partial" verdict needs a "CREDIT: <number strictly between 0 and 1>" line');
  return { verdict, credit, rationale };
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 120 ? `${flat.slice(0, 120)}…` : flat);
}
