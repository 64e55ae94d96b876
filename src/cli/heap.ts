import { setFlagsFromString } from 'node:v8';

/**
 * Keep the heap close to what a run really holds. A run's live set is small and flat (the items,
 * the aggregates, the requests in flight: ~70–90 MB at 100,000 items), but it allocates fast
 * (every request, response and sample is short-lived), and on a machine with plenty of memory V8
 * lets the old generation grow to several times the live set between full collections: a
 * 100,000-item run peaked at 400–540 MB RSS while holding under 100 MB. Growing the heap by at
 * most 30% over the live set after each full collection keeps that run under 200 MB.
 *
 * The price is more frequent full collections, ~10% more CPU per request, which small runs (whose
 * heap stays small anyway) need not pay: only runs of at least LARGE_RUN_REQUESTS are bounded.
 * Read by V8 at every full collection, so setting it after start-up takes effect. Skipped when
 * the user tunes the heap themselves (NODE_OPTIONS or node flags).
 */
const HEAP_GROWING_PERCENT = 30;
export const LARGE_RUN_REQUESTS = 20_000;

const userTunesHeap = (): boolean => /heap[-_]growing[-_]percent|max[-_]old[-_]space[-_]size/.test(`${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`);

/** From start-up: loading a large dataset is itself a burst of short-lived allocations. */
export function boundHeapGrowth(): void {
  if (!userTunesHeap()) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/** Once the plan shows a small run: back to V8's own growth (0 = not set). */
export function releaseHeapGrowth(): void {
  if (!userTunesHeap()) setFlagsFromString('--heap-growing-percent=0');
}
