import { sha256 } from '../util/hash.js';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/**
 * Identity of the question itself: the final user turn. Few-shot demonstrations and system prompts
 * come before it, so it matches a question across prompt variants (simulator, few-shot leak guard).
 */
export function questionHash(messages: readonly ChatMessage[]): string {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return hashMessages(lastUser ? [lastUser] : messages);
}

/** Stable identity of a prompt as sent: recorded per sample and part of the cache key. */
export function hashMessages(messages: readonly ChatMessage[]): string {
  // The canonical JSON of [{role, content}, ...] (keys sorted: content first), written out
  // directly because this runs once per request; a test holds it equal to hashJson's.
  return sha256(JSON.stringify(messages.map((m) => ({ content: m.content, role: m.role }))));
}

/**
 * Chat messages as one plain-text prompt, for servers without a chat template (vLLM
 * /v1/completions, TGI /generate) and for log-likelihood scoring. The format is ours and fixed
 * (it is part of what a prompt hash covers): each message's text in order, separated by a blank
 * line, the model's earlier answers after "Answer: ", ending with "Answer:" so that the model's
 * continuation is its answer.
 */
export function renderPlainPrompt(messages: readonly ChatMessage[]): string {
  const parts = messages.map((m) => (m.role === 'assistant' ? `Answer: ${m.content}` : m.content));
  return `${parts.join('\n\n')}\n\nAnswer:`;
}
