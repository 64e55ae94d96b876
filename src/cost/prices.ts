/**
 * What a model's tokens cost, in US dollars per million tokens. Defaults cover the OpenAI
 * reference models; everything else (a self-hosted checkpoint, a GPU endpoint billed by the hour)
 * has no price unless the config's `prices:` gives one, and then its cost is unknown (`null`),
 * never 0: a report that shows $0.00 for a model nobody priced would be a wrong number.
 */
export interface ModelPrice {
  input_per_million: number;
  output_per_million: number;
  /** Fraction taken off both rates for Batch API requests (OpenAI: 0.5). */
  batch_discount: number;
  /**
   * Rate for prompt tokens served from OpenAI's prompt cache. Recorded with the price; not yet
   * applied: samples do not record `prompt_tokens_details.cached_tokens`, so every prompt token
   * is charged at the input rate (an upper bound).
   */
  cached_input_per_million?: number;
}

/** Config key (model name or pattern) → price, as written under `prices:`. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** A price found for a model, with the table entry that supplied it (recorded in results.json). */
export interface ResolvedPrice extends ModelPrice {
  /** The entry that matched: a model name, a `*` pattern, or the family of a dated snapshot. */
  matched: string;
  source: 'config' | 'default';
}

export const DEFAULT_BATCH_DISCOUNT = 0.5;

/**
 * OpenAI list prices (standard tier, text tokens, USD per 1M) as published on
 * https://openai.com/api/pricing, checked on the date below against copies of that page: gpt-4o
 * $2.50 in / $10.00 out ($1.25 cached input), gpt-4o-mini $0.15 / $0.60 ($0.075 cached), Batch
 * API 50% off both. Prices change: a config `prices:` entry with the same name overrides these.
 * Dated snapshots (gpt-4o-2024-08-06) take their family's price unless listed themselves:
 * gpt-4o-2024-05-13 is, because it kept the launch price ($5 / $15).
 */
export const DEFAULT_PRICES_AS_OF = '2026-11-21';
export const DEFAULT_PRICES: PriceTable = {
  'gpt-4o': { input_per_million: 2.5, output_per_million: 10, cached_input_per_million: 1.25, batch_discount: DEFAULT_BATCH_DISCOUNT },
  'gpt-4o-2024-05-13': { input_per_million: 5, output_per_million: 15, batch_discount: DEFAULT_BATCH_DISCOUNT },
  'gpt-4o-mini': { input_per_million: 0.15, output_per_million: 0.6, cached_input_per_million: 0.075, batch_discount: DEFAULT_BATCH_DISCOUNT },
};

/** `gpt-4o-2024-08-06` → `gpt-4o`; `gpt-4o-mini-2024-07-18` → `gpt-4o-mini`. */
const DATED_SNAPSHOT = /^(.+)-\d{4}-\d{2}-\d{2}$/;

/**
 * The price of `model`: the config's entries first, then the defaults; within each, the exact
 * name, then the family of a dated snapshot, then the longest matching `*` pattern. Null when
 * nothing matches.
 */
export function priceFor(model: string, configured: PriceTable = {}): ResolvedPrice | null {
  return lookup(model, configured, 'config') ?? lookup(model, DEFAULT_PRICES, 'default');
}

function lookup(model: string, table: PriceTable, source: ResolvedPrice['source']): ResolvedPrice | null {
  const found = (matched: string): ResolvedPrice => ({ ...table[matched]!, matched, source });
  if (Object.hasOwn(table, model)) return found(model);
  const family = DATED_SNAPSHOT.exec(model)?.[1];
  if (family !== undefined && Object.hasOwn(table, family)) return found(family);
  const patterns = Object.keys(table)
    .filter((key) => key.includes('*') && globMatches(key, model))
    .sort((a, b) => b.length - a.length);
  return patterns[0] === undefined ? null : found(patterns[0]);
}

/** `*` matches any run of characters; everything else literally. Case-sensitive, as model ids are. */
function globMatches(pattern: string, model: string): boolean {
  const parts = pattern.split('*');
  const first = parts[0]!;
  const last = parts.at(-1)!;
  if (!model.startsWith(first) || model.length < first.length + last.length || !model.endsWith(last)) return false;
  let at = first.length;
  for (const part of parts.slice(1, -1)) {
    const next = model.indexOf(part, at);
    if (next === -1 || next + part.length > model.length - last.length) return false;
    at = next + part.length;
  }
  return true;
}

/** Token counts of one answer, or the totals of many. */
export interface TokenCounts {
  prompt_tokens: number;
  completion_tokens: number;
}

/** Dollars for these tokens at this price; Batch API requests at the batch discount. */
export function costOf(tokens: TokenCounts, price: ModelPrice, batch = false): number {
  const factor = batch ? 1 - price.batch_discount : 1;
  return ((tokens.prompt_tokens * price.input_per_million + tokens.completion_tokens * price.output_per_million) * factor) / 1_000_000;
}
