/**
 * The floor any harness built on the same client can reach: the prompts of the benchmark sent with
 * the `openai` package and `p-limit` only — no parsing, scoring, caching or writing.
 *   node dist/bench/bare-client.js <baseURL> <model> <messages.jsonl> <concurrency> [fetch|transport]
 * `transport`: the SDK over the harness's own HTTP transport instead of Node's fetch, which sets the
 * floor for what the harness adds on top of the same stack.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import pLimit from 'p-limit';
import { httpTransport } from '../src/providers/http-transport.js';

const [baseURL, model, messagesFile, concurrencyText, stack = 'fetch'] = process.argv.slice(2);
if (!baseURL || !model || !messagesFile || !concurrencyText || !['fetch', 'transport'].includes(stack)) {
  throw new Error('usage: bare-client.js <baseURL> <model> <messages.jsonl> <concurrency> [fetch|transport]');
}
const prompts = readFileSync(messagesFile, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as OpenAI.Chat.ChatCompletionMessageParam[]);
const client = new OpenAI({ apiKey: 'EMPTY', baseURL, maxRetries: 0, ...(stack === 'transport' ? { fetch: httpTransport } : {}) });
const limit = pLimit(Number(concurrencyText));
let failed = 0;
await Promise.all(
  prompts.map((messages) =>
    limit(async () => {
      try {
        await client.chat.completions.create({ model, messages, temperature: 0, max_tokens: 16, seed: 1234 });
      } catch {
        failed++;
      }
    }),
  ),
);
if (failed > 0) process.stderr.write(`bare client: ${failed} requests failed\n`);
