import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { beforeAll, describe, expect, it } from 'vitest';
import { countPromptTokens, countTextTokens, loadSimulatorTokenizer } from '../../src/simulator/tokens.js';

const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };
const exact = (text: string) => countTokens(text, PLAIN_TEXT);

/**
 * Short strings built from the characters where o200k_base's split expression is most particular:
 * line feeds and carriage returns next to letters, digits, spaces, "/", punctuation, contractions,
 * combining marks, non-Latin letters and digits, emoji, non-ASCII whitespace. Seeded: reproducible.
 */
function trickyTexts(count: number, seed = 1): string[] {
  const parts = ['a', 'B', 'é', 'Z', '1', '23', '\n', '\n', '\n\n', '\r', ' ', '  ', '\t', '/', '.', "'", "'s", "'LL", '\u0301', '中', '😀', ',', '-', ':', '\u00a0', '\u2028', 'Ⅻ', '٣', 'ǅ', 'ʰ'];
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + next(14) }, () => parts[next(parts.length)]).join(''));
}

describe('simulator token counts', () => {
  beforeAll(loadSimulatorTokenizer);

  it('counts every text exactly as o200k_base does, though it counts lines separately', () => {
    const texts = trickyTexts(20_000);
    // The generator reaches the cases a careless cut gets wrong (here: cutting after every line feed).
    const naive = (text: string) => text.split(/(?<=\n)/).reduce((sum, part) => sum + exact(part), 0);
    expect(texts.some((text) => naive(text) !== exact(text))).toBe(true);
    // Twice: the second time from the remembered line counts.
    for (const text of [...texts, ...texts]) expect(countTextTokens(text), JSON.stringify(text)).toBe(exact(text));
  });

  it('counts prompts with the chat framing: 3 per message, its role, 3 priming the reply', () => {
    const messages = [
      { role: 'system', content: 'You are a finance analyst.\nBe brief.' },
      { role: 'user', content: 'Sentence: Net sales rose 5%.\nSentiment:' },
    ];
    expect(countPromptTokens(messages)).toBe(3 + messages.reduce((sum, m) => sum + 3 + exact(m.role) + exact(m.content), 0));
  });
});
