import { describe, expect, it } from 'vitest';
import { precheck, ruleVerdict } from '../../src/judge/rules.js';

const q = 'What is the FY2018 capital expenditure amount (in USD millions) for 3M?';

describe('rule pre-check', () => {
  it('decides a numeric reference matched by the final answer, as written or rounded as the answer states it', () => {
    expect(precheck({ question: q, gold: '$1577.00', answer: 'Capital expenditure was $1,577 million.' })).toMatchObject({ verdict: 'correct', rule: 'numeric' });
    expect(precheck({ question: 'net PPNE in USD billions', gold: '$8.70', answer: 'That is $8,738 million / 1,000 = 8.738 billion.\nAnswer: 8.74' })).toBeUndefined();
    expect(precheck({ question: 'net PPNE in USD billions', gold: '$8.70', answer: 'Net PP&E was $8,738 million, or 8.7 billion.' })).toMatchObject({ verdict: 'correct' });
    expect(precheck({ question: 'What is the gross margin?', gold: '65.4%', answer: 'The gross margin is 65.4%.' })).toMatchObject({ verdict: 'correct' });
  });

  it('leaves everything else to the judge: a different number, a statement, no number', () => {
    expect(precheck({ question: q, gold: '$1577.00', answer: 'Capital expenditure was $1,377 million.' })).toBeUndefined();
    expect(precheck({ question: 'Which segment?', gold: 'The consumer segment shrunk by 0.9% organically.', answer: 'Consumer, down 0.9%.' })).toBeUndefined();
    expect(precheck({ question: q, gold: '$1577.00', answer: 'I do not have access to the filing.' })).toBeUndefined();
  });

  it('does not call near misses correct: a 1% tolerance accepted figures the FinanceBench graders rejected', () => {
    // Human-graded "Incorrect Answer"s in FinanceBench's result files (DPO 93.55 vs 93.86, $302 vs $303 million).
    expect(precheck({ question: "What is Amazon's FY2017 days payable outstanding (DPO)?", gold: '93.86', answer: 'DPO = 365 * 22,000 / 85,800 = 93.55' })).toBeUndefined();
    expect(precheck({ question: 'Accounts payable in USD millions?', gold: '303', answer: 'Accounts payable was $302 million.' })).toBeUndefined();
  });

  it('does not decide a refusal that happens to contain the reference number', () => {
    expect(precheck({ question: 'Restructuring costs in FY2022?', gold: '0', answer: "I'm sorry, I do not have access to AES's filings, so I report 0." })).toBeUndefined();
  });

  it('decides an answer that is the reference text itself', () => {
    expect(precheck({ question: 'Is it?', gold: 'Yes.', answer: 'yes' })).toMatchObject({ verdict: 'correct', rule: 'exact-text' });
  });
});

describe('rule-only judge', () => {
  it('refusal phrases are refused, the rest incorrect', () => {
    expect(ruleVerdict({ question: q, gold: '$1577.00', answer: "I'm sorry, but I don't have access to 3M's financial statements." }).verdict).toBe('refused');
    expect(ruleVerdict({ question: q, gold: '$1577.00', answer: 'It was $1,377 million.' }).verdict).toBe('incorrect');
    expect(ruleVerdict({ question: q, gold: '$1577.00', answer: 'It was $1,577 million.' }).verdict).toBe('correct');
  });
});
