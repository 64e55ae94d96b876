/**
 * Token counts as OpenAI bills GPT-4o, which the simulator stands in for: the o200k_base encoding
 * and the chat format's framing (OpenAI cookbook, "How to count tokens with tiktoken": 3 tokens
 * per message plus its role, and 3 priming the assistant's reply). Counted from the request as
 * received, independently of the harness's own estimator (src/cost/estimate.ts), so a dry run's
 * estimate can be checked against what the "server" reports.
 *
 * The encoding (a large table) is loaded once, on first use by `startSimulator`, not at import:
 * commands that never start a simulator do not pay for it.
 */
type Encoding = typeof import('gpt-tokenizer/encoding/o200k_base');

const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING_TOKENS = 3;
/** Text that looks like a special token (`<|endoftext|>`) is ordinary text in a message, as in the API. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

let encoding: Encoding | undefined;
let loading: Promise<Encoding> | undefined;

export async function loadSimulatorTokenizer(): Promise<void> {
  encoding ??= await (loading ??= import('gpt-tokenizer/encoding/o200k_base'));
}

function loaded(): Encoding {
  if (!encoding) throw new Error('simulator tokenizer not loaded: await loadSimulatorTokenizer() first');
  return encoding;
}

export function countTextTokens(text: string): number {
  return text === '' ? 0 : loaded().countTokens(text, PLAIN_TEXT);
}

/**
 * Counts of recent message texts. Most of a prompt repeats from request to request (the system
 * message, the instructions, few-shot demonstrations, a dialogue's earlier turns), and a load test
 * sends the same prompts again; counting each text once keeps the simulator near its old speed.
 * Bounded: cleared when full.
 */
const MEMO_LIMIT = 8192;
const memo = new Map<string, number>();

function countMessageText(text: string): number {
  let count = memo.get(text);
  if (count === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, (count = countTextTokens(text)));
  }
  return count;
}

export function countPromptTokens(messages: readonly { role: string; content: string }[]): number {
  let total = REPLY_PRIMING_TOKENS;
  for (const message of messages) total += TOKENS_PER_MESSAGE + countMessageText(message.role) + countMessageText(message.content);
  return total;
}

/** The first `maxTokens` tokens of `text`, as a server that stops generating there returns them. */
export function firstTokens(text: string, maxTokens: number): string {
  const { encode, decode } = loaded();
  return decode(encode(text, PLAIN_TEXT).slice(0, maxTokens));
}
