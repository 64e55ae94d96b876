import { ProviderError } from './errors.js';

/** One token of TGI's details: `prefill` (prompt tokens) or `tokens` (generated ones). */
export interface TgiToken {
  id: number;
  text: string;
  /** null for the first prompt token: nothing precedes it to predict it from. */
  logprob: number | null;
}

/** What the harness reads from a TGI /generate response with `details: true`. */
export interface TgiGeneration {
  text: string;
  /** Mapped onto OpenAI's vocabulary: TGI's eos_token and stop_sequence are "stop". */
  finishReason: string | null;
  generatedTokens: number;
  /** TGI's `x-prompt-tokens` response header; null when the server (or a proxy) drops it. */
  promptTokens: number | null;
  /** Prompt tokens with their log-probabilities; empty unless `decoder_input_details` was asked. */
  prefill: TgiToken[];
}

const FINISH_REASONS: Record<string, string> = { length: 'length', eos_token: 'stop', stop_sequence: 'stop' };

/**
 * Check a /generate body: `{generated_text, details: {finish_reason, generated_tokens, prefill,
 * tokens}}`. Behind the Inference API the same object comes wrapped in a one-element array.
 */
export function readGeneration(body: unknown, headers: { get(name: string): string | null } | undefined): TgiGeneration {
  const generation = Array.isArray(body) ? (body[0] as unknown) : body;
  if (generation === null || typeof generation !== 'object') {
    throw new ProviderError('malformed_response', `expected a JSON /generate response, got ${typeof body === 'string' ? 'non-JSON text' : String(body)}`);
  }
  const { generated_text: text, details } = generation as { generated_text?: unknown; details?: unknown };
  if (typeof text !== 'string') throw new ProviderError('malformed_response', 'response has no generated_text');
  if (details === null || typeof details !== 'object') throw new ProviderError('malformed_response', 'response has no details (was details: true sent?)');
  const { finish_reason: finish, generated_tokens: generated, prefill } = details as { finish_reason?: unknown; generated_tokens?: unknown; prefill?: unknown };
  if (typeof generated !== 'number' || !Number.isInteger(generated) || generated < 0) throw new ProviderError('malformed_response', 'details.generated_tokens is missing');
  const promptHeader = headers?.get('x-prompt-tokens');
  const promptTokens = promptHeader === null || promptHeader === undefined || !/^\d+$/.test(promptHeader) ? null : Number(promptHeader);
  return {
    text,
    finishReason: typeof finish === 'string' ? (FINISH_REASONS[finish] ?? finish) : null,
    generatedTokens: generated,
    promptTokens,
    prefill: readPrefill(prefill),
  };
}

function readPrefill(prefill: unknown): TgiToken[] {
  if (prefill === undefined || prefill === null) return [];
  if (!Array.isArray(prefill)) throw new ProviderError('malformed_response', 'details.prefill is not an array');
  return prefill.map((token: unknown, index) => {
    const { id, text, logprob } = (token ?? {}) as { id?: unknown; text?: unknown; logprob?: unknown };
    if (typeof id !== 'number' || typeof text !== 'string' || !(logprob === null || typeof logprob === 'number' || Number.isNaN(logprob))) {
      throw new ProviderError('malformed_response', `details.prefill[${index}] is not {id, text, logprob}`);
    }
    return { id, text, logprob: typeof logprob === 'number' && !Number.isNaN(logprob) ? logprob : null };
  });
}

/**
 * The continuation's share of a prompt+continuation prefill: the tokens after the longest run of
 * ids shared with the prompt's own prefill, and the sum of their log-probabilities.
 */
export function continuationTokens(promptPrefill: readonly TgiToken[], fullPrefill: readonly TgiToken[]): { logprob: number; count: number } {
  let shared = 0;
  while (shared < promptPrefill.length && shared < fullPrefill.length && promptPrefill[shared]!.id === fullPrefill[shared]!.id) shared++;
  let logprob = 0;
  for (let index = shared; index < fullPrefill.length; index++) {
    const token = fullPrefill[index]!;
    if (token.logprob === null) throw new ProviderError('malformed_response', `prefill token ${index} ("${token.text}") of the continuation has no logprob`);
    logprob += token.logprob;
  }
  return { logprob, count: fullPrefill.length - shared };
}
