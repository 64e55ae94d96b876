import type { PlainPrompt } from './plain-prompt.js';

/**
 * The simulator's log-probabilities, constants so that tests can work them out by hand:
 * - the first prompt token has none (null), as no real model scores its first token;
 * - other prompt tokens: CONTEXT each;
 * - tokens after the prompt's final "Answer:" cue, when the simulator knows the question:
 *   PREFERRED each if that text is the answer the model believes (correct with its configured
 *   accuracy, see `underlyingAnswer`), OTHER each otherwise; so a log-likelihood ranking picks
 *   the believed answer;
 * - generated tokens: GENERATED each.
 */
export const SIMULATED_LOGPROBS = { CONTEXT: -1, PREFERRED: -0.25, OTHER: -3, GENERATED: -0.5 } as const;

export interface TextToken {
  text: string;
  offset: number;
}

/**
 * A deterministic stand-in tokenizer: each word with the whitespace before it (" positive" is one
 * token, as BPE tokenizers mostly make it); trailing whitespace is a token of its own.
 */
export function wordTokens(text: string, base = 0): TextToken[] {
  return [...text.matchAll(/\s*\S+|\s+/g)].map((match) => ({ text: match[0], offset: base + match.index }));
}

/** The `logprobs` object of a legacy completion choice (tokens, token_logprobs, top_logprobs, text_offset). */
export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
}

/**
 * Log-probabilities for `prompt` (when echoed) followed by the generated text. `believed` is the
 * answer the model prefers for this prompt's question, or null when the question is unknown.
 */
export function simulatedLogprobs(prompt: string | null, generated: string, plain: PlainPrompt, believed: string | null): CompletionLogprobs {
  const out: CompletionLogprobs = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
  const push = (token: TextToken, logprob: number | null) => {
    out.tokens.push(token.text);
    out.token_logprobs.push(logprob);
    out.top_logprobs.push(logprob === null ? null : { [token.text]: logprob });
    out.text_offset.push(token.offset);
  };
  if (prompt !== null) {
    const start = plain.continuationStart;
    const continuation = start === null ? '' : prompt.slice(start).trim();
    const scored = start !== null && believed !== null && continuation !== '';
    const answerLogprob = continuation === believed?.trim() ? SIMULATED_LOGPROBS.PREFERRED : SIMULATED_LOGPROBS.OTHER;
    wordTokens(prompt).forEach((token, index) => {
      if (index === 0) push(token, null);
      else push(token, scored && token.offset >= start ? answerLogprob : SIMULATED_LOGPROBS.CONTEXT);
    });
  }
  for (const token of wordTokens(generated, prompt?.length ?? 0)) push(token, SIMULATED_LOGPROBS.GENERATED);
  return out;
}
