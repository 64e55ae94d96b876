/**
 * Agreement between two raters (a judge and human graders, or two judges) over the same items:
 * raw agreement, Cohen's kappa and the confusion matrix.
 *
 * Cohen's kappa = (p_o - p_e) / (1 - p_e), with p_o the observed agreement and p_e the agreement
 * expected by chance from each rater's marginal frequencies. When p_e = 1 (both raters used one
 * and the same label for every item) kappa is undefined and reported as null.
 */

export interface Agreement<L extends string> {
  n: number;
  /** Fraction of items with the same label. */
  accuracy: number | null;
  kappa: number | null;
  labels: readonly L[];
  /** confusion[a][b]: items rater A labelled a and rater B labelled b. */
  confusion: Record<L, Record<L, number>>;
}

export function agreement<L extends string>(pairs: readonly (readonly [L, L])[], labels: readonly L[]): Agreement<L> {
  const confusion = Object.fromEntries(labels.map((a) => [a, Object.fromEntries(labels.map((b) => [b, 0]))])) as Record<L, Record<L, number>>;
  for (const [a, b] of pairs) {
    if (!(a in confusion) || !(b in confusion)) throw new Error(`label ${!(a in confusion) ? a : b} is not one of ${labels.join(', ')}`);
    confusion[a][b]++;
  }
  const n = pairs.length;
  if (n === 0) return { n, accuracy: null, kappa: null, labels, confusion };
  const observed = labels.reduce((sum, label) => sum + confusion[label][label], 0) / n;
  const rowTotal = (a: L) => labels.reduce((sum, b) => sum + confusion[a][b], 0);
  const columnTotal = (b: L) => labels.reduce((sum, a) => sum + confusion[a][b], 0);
  const expected = labels.reduce((sum, label) => sum + (rowTotal(label) / n) * (columnTotal(label) / n), 0);
  const kappa = expected === 1 ? null : (observed - expected) / (1 - expected);
  return { n, accuracy: observed, kappa, labels, confusion };
}
