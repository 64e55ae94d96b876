import { describe, expect, it } from 'vitest';
import { parseVerdict, VerdictParseError } from '../../src/judge/verdict.js';

describe('parseVerdict (strict)', () => {
  it('reads the verdict and rationale lines', () => {
    expect(parseVerdict('VERDICT: correct\nRATIONALE: $1,577 million is the reference figure.', false)).toEqual({ verdict: 'correct', credit: 1, rationale: '$1,577 million is the reference figure.' });
    expect(parseVerdict('**Verdict:** Refused\nRationale: asks for the filing', false)).toMatchObject({ verdict: 'refused', credit: 0 });
    expect(parseVerdict('verdict = incorrect', false)).toMatchObject({ verdict: 'incorrect', credit: 0, rationale: '' });
  });

  it('takes a repeated identical verdict', () => {
    expect(parseVerdict('VERDICT: correct\nRATIONALE: fine\nVERDICT: correct', false).verdict).toBe('correct');
  });

  it('refuses a reply without a verdict line, with two different verdicts, or an unknown word', () => {
    expect(() => parseVerdict('The answer looks correct to me.', false)).toThrow(VerdictParseError);
    expect(() => parseVerdict('VERDICT: correct\nVERDICT: incorrect', false)).toThrow(/2 different verdicts/);
    expect(() => parseVerdict('VERDICT: mostly', false)).toThrow(/"mostly" is not one of/);
    // A verdict word inside prose is not a verdict line.
    expect(() => parseVerdict('My verdict: the answer is correct', false)).toThrow(VerdictParseError);
  });

  it('partial credit only when the rubric offers it, and only with a credit in (0, 1)', () => {
    expect(() => parseVerdict('VERDICT: partial\nCREDIT: 0.5', false)).toThrow(/does not offer/);
    expect(parseVerdict('VERDICT: partial\nCREDIT: 0.25\nRATIONALE: one of two parts', true)).toEqual({ verdict: 'partial', credit: 0.25, rationale: 'one of two parts' });
    expect(() => parseVerdict('VERDICT: partial', true)).toThrow(/CREDIT/);
    expect(() => parseVerdict('VERDICT: partial\nCREDIT: 1', true)).toThrow(/CREDIT/);
  });
});
