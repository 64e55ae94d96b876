import { ExactSum } from '../util/exact-sum.js';
import { costOf, type ModelPrice } from './prices.js';

/**
 * Requests, tokens and dollars of one task (or a whole run) for one model, in `results.json`.
 * "Sent" counts every answer a request was made for in this run, including those written by an
 * earlier invocation that this one resumed (they were paid for under the same run id); cached
 * answers came from the response cache and cost nothing now.
 */
export interface CostTotals {
  /** Answers requested from the server (items, not HTTP requests). */
  requests_sent: number;
  /**
   * HTTP requests those items took, failed items included: every attempt, retries counted. Of the
   * items on file; a resumed run asks failed items again and keeps only the new attempts.
   */
  http_requests: number;
  cached_answers: number;
  /** Tokens of the requests sent (cached answers' tokens are in `cached_*`). */
  prompt_tokens: number;
  completion_tokens: number;
  /** Dollars spent on the requests sent; null when the model has no price (never 0 for "unknown"). */
  cost_usd: number | null;
  cached_prompt_tokens: number;
  cached_completion_tokens: number;
  /** What the cached answers would have cost had they been requested now; null without a price. */
  cached_cost_usd: number | null;
  /** Answers whose server reported no token counts: their cost is missing from the totals. */
  answers_without_usage: number;
  /** Items scored correct by the task's headline metric, when it is the mean of a per-item 0/1 score; else null. */
  n_correct: number | null;
  /**
   * (cost_usd + cached_cost_usd) / n_correct: every scored answer at its price, cached or not, so
   * that the figure describes the model on the task rather than the state of the cache. Null
   * without a price, without a 0/1 headline metric, or with no correct answer.
   */
  cost_per_correct_usd: number | null;
}

/** What the totals need from a sample record. */
export interface CostedSample {
  cached: boolean;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  /** Answered through the Batch API: billed at the batch discount. */
  batch_id?: string;
  error: unknown;
  /** Attempts made for this item (0 when answered from the cache). */
  attempts?: number;
}

export class CostAccumulator {
  private sent = 0;
  private httpRequests = 0;
  private cached = 0;
  private readonly tokens = { sent: { prompt_tokens: 0, completion_tokens: 0 }, cached: { prompt_tokens: 0, completion_tokens: 0 } };
  // Exact sums: answers arrive in completion order, and the dollars must not depend on it.
  private readonly dollars = { sent: new ExactSum(), cached: new ExactSum() };
  private withoutUsage = 0;

  constructor(private readonly price: ModelPrice | null) {}

  add(sample: CostedSample): void {
    const bucket = sample.cached ? 'cached' : 'sent';
    if (sample.cached) this.cached++;
    else this.sent++;
    if (!sample.cached) this.httpRequests += sample.attempts ?? 0;
    if (!sample.usage) {
      if (sample.error === null) this.withoutUsage++;
      return;
    }
    this.tokens[bucket].prompt_tokens += sample.usage.prompt_tokens;
    this.tokens[bucket].completion_tokens += sample.usage.completion_tokens;
    if (this.price) this.dollars[bucket].add(costOf(sample.usage, this.price, sample.batch_id !== undefined));
  }

  result(nCorrect: number | null): CostTotals {
    const priced = this.price !== null;
    return withCostPerCorrect({
      requests_sent: this.sent,
      http_requests: this.httpRequests,
      cached_answers: this.cached,
      prompt_tokens: this.tokens.sent.prompt_tokens,
      completion_tokens: this.tokens.sent.completion_tokens,
      cost_usd: priced ? this.dollars.sent.value() : null,
      cached_prompt_tokens: this.tokens.cached.prompt_tokens,
      cached_completion_tokens: this.tokens.cached.completion_tokens,
      cached_cost_usd: priced ? this.dollars.cached.value() : null,
      answers_without_usage: this.withoutUsage,
      n_correct: nCorrect,
      cost_per_correct_usd: null,
    });
  }
}

/**
 * Run totals from task totals. Cost per correct answer is defined for the run only when every
 * task has one (adding up correct answers of an accuracy task and an F1 task means nothing).
 */
export function sumCostTotals(parts: readonly CostTotals[]): CostTotals {
  const sum = (field: keyof CostTotals) => parts.reduce((total, part) => total + ((part[field] as number | null) ?? 0), 0);
  const nullable = (field: 'cost_usd' | 'cached_cost_usd' | 'n_correct') => (parts.length > 0 && parts.every((part) => part[field] !== null) ? sum(field) : null);
  return withCostPerCorrect({
    requests_sent: sum('requests_sent'),
    http_requests: sum('http_requests'),
    cached_answers: sum('cached_answers'),
    prompt_tokens: sum('prompt_tokens'),
    completion_tokens: sum('completion_tokens'),
    cost_usd: nullable('cost_usd'),
    cached_prompt_tokens: sum('cached_prompt_tokens'),
    cached_completion_tokens: sum('cached_completion_tokens'),
    cached_cost_usd: nullable('cached_cost_usd'),
    answers_without_usage: sum('answers_without_usage'),
    n_correct: nullable('n_correct'),
    cost_per_correct_usd: null,
  });
}

function withCostPerCorrect(totals: CostTotals): CostTotals {
  const { cost_usd, cached_cost_usd, n_correct } = totals;
  const perCorrect = cost_usd === null || cached_cost_usd === null || n_correct === null || n_correct === 0 ? null : (cost_usd + cached_cost_usd) / n_correct;
  return { ...totals, cost_per_correct_usd: perCorrect };
}
