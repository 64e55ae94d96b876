import type { ChatMessage } from '../tasks/messages.js';

/** How `renderPlainPrompt` marks the model's turns; the prompt ends with the bare marker. */
const ANSWER_MARKER = 'Answer:';
const SEPARATOR = '\n\n';

/**
 * Recover chat messages from a plain-text prompt (TGI /generate, completions routes), so the
 * simulator answers it with the same logic, and the same deterministic draws, as the chat route.
 * `renderPlainPrompt` joins messages with blank lines, which messages may contain themselves, so
 * the final question is found with the answer key: the longest tail of the prompt, cut at a blank
 * line, that is exactly a question it knows. What precedes it becomes a system message, or, when
 * it holds earlier answers, alternating user/assistant turns.
 *
 * Exact (same messages, hence same draws as chat) for zero-shot prompts with or without a system
 * message; few-shot prompts get the right question and a close but not identical history.
 */
export function messagesFromPlainPrompt(prompt: string, knowsQuestion: (content: string) => boolean): ChatMessage[] {
  const body = prompt.endsWith(SEPARATOR + ANSWER_MARKER) ? prompt.slice(0, -(SEPARATOR + ANSWER_MARKER).length) : prompt;
  const cuts = [0];
  for (let at = body.indexOf(SEPARATOR); at !== -1; at = body.indexOf(SEPARATOR, at + SEPARATOR.length)) cuts.push(at + SEPARATOR.length);
  for (const start of cuts) {
    const question = body.slice(start);
    if (!knowsQuestion(question)) continue;
    return [...history(start === 0 ? '' : body.slice(0, start - SEPARATOR.length)), { role: 'user', content: question }];
  }
  return [{ role: 'user', content: body }];
}

function history(prefix: string): ChatMessage[] {
  if (prefix === '') return [];
  const parts = prefix.split(SEPARATOR);
  if (!parts.some((part) => part.startsWith(`${ANSWER_MARKER} `))) return [{ role: 'system', content: prefix }];
  const messages: ChatMessage[] = [];
  let pending: string[] = [];
  for (const part of parts) {
    if (part.startsWith(`${ANSWER_MARKER} `)) {
      if (pending.length > 0) messages.push({ role: 'user', content: pending.join(SEPARATOR) });
      messages.push({ role: 'assistant', content: part.slice(ANSWER_MARKER.length + 1) });
      pending = [];
    } else {
      pending.push(part);
    }
  }
  if (pending.length > 0) messages.push({ role: 'user', content: pending.join(SEPARATOR) });
  return messages;
}

/**
 * Split a prompt+continuation (log-likelihood requests) at its last answer marker: the prompt as
 * `renderPlainPrompt` made it, and what the caller appended.
 */
export function splitContinuation(inputs: string): { prompt: string; continuation: string } {
  const marker = SEPARATOR + ANSWER_MARKER;
  const at = inputs.lastIndexOf(marker);
  if (at === -1) return { prompt: inputs, continuation: '' };
  return { prompt: inputs.slice(0, at + marker.length), continuation: inputs.slice(at + marker.length) };
}
