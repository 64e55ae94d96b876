/** Counts by error class (`ProviderErrorKind` or `internal`), e.g. `{ rate_limit: 3, timeout: 1 }`. */
export type ErrorCounts = Record<string, number>;

export function addCount(counts: ErrorCounts, kind: string, amount = 1): void {
  counts[kind] = (counts[kind] ?? 0) + amount;
}

export function sumCounts(all: Iterable<ErrorCounts>): ErrorCounts {
  const total: ErrorCounts = {};
  for (const counts of all) for (const [kind, n] of Object.entries(counts)) addCount(total, kind, n);
  return sortedCounts(total);
}

/**
 * The counts keyed in name order. Kinds are added as errors happen, and JSON keeps insertion
 * order: written as collected, the same failures in another order would give another file.
 */
export function sortedCounts(counts: ErrorCounts): ErrorCounts {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `rate_limit 3, timeout 1` (largest first); `none` when empty. */
export function formatCounts(counts: ErrorCounts): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (entries.length === 0) return 'none';
  return entries
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
}

/**
 * `--max-error-rate`: a run where too many items failed reports `failed` instead of scores that
 * describe only the items that happened to work. The run stops as soon as the failures alone
 * exceed the threshold times the planned items: no later success can bring the rate back under.
 */
export class ErrorGate {
  private failed = 0;

  constructor(
    readonly maxRate: number | null,
    private readonly planned: number,
  ) {}

  /** Record one failed item; true when the run can no longer end under the threshold. */
  fail(): boolean {
    this.failed++;
    return this.maxRate !== null && this.failed > this.maxRate * this.planned;
  }

  /** Why the run fails, or undefined when it is within the threshold (or there is none). */
  verdict(attempted: number, failedByKind: ErrorCounts): string | undefined {
    if (this.maxRate === null || attempted === 0) return undefined;
    const failed = Object.values(failedByKind).reduce((a, b) => a + b, 0);
    if (failed / attempted <= this.maxRate) return undefined;
    const rate = (failed / attempted).toLocaleString('en-US', { style: 'percent', maximumFractionDigits: 1 });
    const limit = this.maxRate.toLocaleString('en-US', { style: 'percent', maximumFractionDigits: 2 });
    return `error rate ${rate} (${failed} of ${attempted} attempted items failed: ${formatCounts(failedByKind)}) exceeds --max-error-rate ${this.maxRate} (${limit}); scores would describe only the items that worked`;
  }
}
