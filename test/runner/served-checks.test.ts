import { describe, expect, it } from 'vitest';
import type { Completion } from '../../src/providers/provider.js';
import { truncationFields } from '../../src/runner/served-checks.js';

const answer = (promptTokens: number): Completion => ({ text: 'neutral', finishReason: 'stop', usage: { promptTokens, completionTokens: 1 }, servedModel: null, systemFingerprint: null });
const prompt = (chars: number) => [{ role: 'user' as const, content: 'x'.repeat(chars) }];

describe('truncation check (finding 5 of issue 17)', () => {
  it('counted by the engine: fewer prompt tokens in usage than the prompt has means the server cut it', () => {
    expect(truncationFields(answer(48), { counted: 112, messages: prompt(400) })).toEqual({ prompt_tokens_counted: 112, truncated: true });
    expect(truncationFields(answer(112), { counted: 112, messages: prompt(400) })).toEqual({ prompt_tokens_counted: 112 });
  });

  it('without an engine tokenizer (Ollama cuts to num_ctx silently): flagged when usage is under half the estimate (4 characters a token)', () => {
    expect(truncationFields(answer(2048), { messages: prompt(40_000) })).toEqual({ truncated: true, prompt_tokens_estimated: 10_000 });
    // No real tokenizer needs fewer than half the estimated tokens: never flagged otherwise.
    expect(truncationFields(answer(6_000), { messages: prompt(40_000) })).toEqual({});
  });

  it('nothing to compare without usage', () => {
    expect(truncationFields({ ...answer(1), usage: null }, { counted: 112, messages: prompt(400) })).toEqual({});
  });
});
