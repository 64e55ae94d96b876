import type OpenAI from 'openai';
import { ProviderError } from './errors.js';
import { completionObject, readUsage } from './plain-completion.js';
import type { LogLikelihoodRequest, LogLikelihoodResult } from './provider.js';

/**
 * Log-likelihood of each continuation through the completions route with `echo` + `logprobs`
 * (vLLM, and OpenAI's legacy completions): the server scores the prompt it is given and returns
 * every prompt token with its log-probability and character offset. All continuations go in one
 * request, as a list of prompts (`prompt + continuation` each; one choice per prompt, by index).
 *
 * `max_tokens: 1` rather than 0: vLLM treats 0 with echo as "score only", but other servers and
 * newer engines reject a zero length; the one generated token lies past the continuation and is
 * left out of the sum by its offset.
 *
 * A continuation's log-likelihood is the sum over the tokens that start inside it, i.e. whose
 * text_offset is in [prompt.length, prompt.length + continuation.length). Continuations should
 * start with a space (" positive") so that the tokenizer splits them from the prompt.
 */
export async function completionLogLikelihood(client: OpenAI, model: string, request: LogLikelihoodRequest, signal: AbortSignal): Promise<LogLikelihoodResult> {
  const texts = request.continuations.map((continuation) => request.prompt + continuation);
  const body = await client.completions.create({ model, prompt: texts, echo: true, logprobs: 1, max_tokens: 1, temperature: 0 }, { signal, timeout: request.timeoutMs });
  return readLogLikelihoods(body, request.prompt, texts);
}

export function readLogLikelihoods(body: unknown, prompt: string, texts: readonly string[]): LogLikelihoodResult {
  const completion = completionObject(body);
  const choices = Array.isArray(completion.choices) ? completion.choices : [];
  if (choices.length !== texts.length) throw new ProviderError('malformed_response', `expected ${texts.length} choices (one per continuation), got ${choices.length}`);
  const logprobs: number[] = [];
  const tokenCounts: number[] = [];
  for (let index = 0; index < texts.length; index++) {
    const choice = choices.find((c) => (c as { index?: unknown }).index === index);
    if (!choice) throw new ProviderError('malformed_response', `response has no choice with index ${index}`);
    const scored = continuationLogprob(choice, prompt.length, texts[index]!, index);
    logprobs.push(scored.sum);
    tokenCounts.push(scored.tokens);
  }
  return { logprobs, tokenCounts, usage: readUsage(completion.usage), servedModel: typeof completion.model === 'string' ? completion.model : null };
}

function continuationLogprob(choice: unknown, promptLength: number, text: string, index: number): { sum: number; tokens: number } {
  const { text: echoed, logprobs } = choice as { text?: unknown; logprobs?: { text_offset?: unknown; token_logprobs?: unknown } | null };
  if (typeof echoed !== 'string' || !echoed.startsWith(text)) {
    throw new ProviderError('bad_request', `choices[${index}] does not echo the prompt: the server does not support log-likelihood scoring (echo + logprobs on /v1/completions)`);
  }
  const offsets = logprobs?.text_offset;
  const values = logprobs?.token_logprobs;
  if (!Array.isArray(offsets) || !Array.isArray(values) || offsets.length !== values.length) {
    throw new ProviderError('malformed_response', `choices[${index}].logprobs needs text_offset and token_logprobs of equal length`);
  }
  let sum = 0;
  let tokens = 0;
  for (let t = 0; t < offsets.length; t++) {
    const offset = offsets[t] as unknown;
    if (typeof offset !== 'number') throw new ProviderError('malformed_response', `choices[${index}].logprobs.text_offset[${t}] is not a number`);
    if (offset < promptLength || offset >= text.length) continue;
    const value = values[t] as unknown;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ProviderError('malformed_response', `choices[${index}].logprobs.token_logprobs[${t}] is not a number`);
    sum += value;
    tokens++;
  }
  if (tokens === 0 && text.length > promptLength) {
    throw new ProviderError('bad_request', `no token starts inside continuation ${index} (the tokenizer merged it with the prompt): start continuations with a space`);
  }
  return { sum, tokens };
}
