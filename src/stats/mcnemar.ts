/**
 * Paired comparison of two models' per-item 0/1 scores on the same items.
 *
 * Exact McNemar test (McNemar 1947; exact conditional form): only discordant items carry
 * information about a difference. Given b + c discordant items, under H0 (equal accuracy) the
 * number b that only A got right is Binomial(b + c, 1/2), so the two-sided p-value is
 *   p = min(1, 2 · P(X ≤ min(b, c))),  X ~ Binomial(b + c, 1/2),
 * which is 1 when b = c or b + c = 0. Conservative (size below alpha) for few discordant
 * pairs; mid-p is deliberately not offered. Valid when items are independent: for clustered
 * items (turns of a conversation) use the paired cluster bootstrap.
 */

import { binomialCdf, binomialSurvival } from './binomial.js';
import { assertLevel } from './normal.js';
import { newcombePairedInterval, type DifferenceInterval, type PairedCounts } from './newcombe.js';

/**
 * How the interval of a paired accuracy difference is computed: Newcombe's square-and-add
 * interval (better coverage), or the exact conditional interval, which is the exact McNemar
 * test inverted — it excludes 0 exactly when the test's p-value is below 1 − level, so a report
 * whose marks come from intervals and whose p-values come from the test never disagree.
 */
export type PairedIntervalMethod = 'newcombe-paired-wilson' | 'exact-conditional';

export interface McNemarComparison extends PairedCounts {
  method: 'mcnemar-exact';
  /** How the difference's interval was computed. */
  intervalMethod: PairedIntervalMethod;
  /** Items scored for both models (each its own unit). */
  n: number;
  estimateA: number;
  estimateB: number;
  /** estimateA - estimateB. */
  difference: number;
  lower: number;
  upper: number;
  level: number;
  pValue: number;
}

/** Two-sided exact McNemar p-value from the discordant counts b (only A right) and c (only B right). */
export function mcnemarExactPValue(onlyA: number, onlyB: number): number {
  for (const value of [onlyA, onlyB]) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`McNemar: discordant counts must be non-negative integers, got ${value}`);
  }
  const discordant = onlyA + onlyB;
  if (discordant === 0 || onlyA === onlyB) return 1;
  return Math.min(1, 2 * binomialCdf(Math.min(onlyA, onlyB), discordant, 0.5));
}

/** The paired 2x2 table of two aligned 0/1 score columns (index i is the same item in both). */
export function pairedCounts(scoresA: ArrayLike<number>, scoresB: ArrayLike<number>): PairedCounts {
  if (scoresA.length !== scoresB.length) {
    throw new RangeError(`paired scores must cover the same items: ${scoresA.length} vs ${scoresB.length}`);
  }
  const counts: PairedCounts = { bothCorrect: 0, onlyA: 0, onlyB: 0, neither: 0 };
  for (let index = 0; index < scoresA.length; index++) {
    const a = scoresA[index];
    const b = scoresB[index];
    if ((a !== 0 && a !== 1) || (b !== 0 && b !== 1)) {
      throw new RangeError(`McNemar needs 0/1 scores; item ${index} has ${a} and ${b} (use the paired bootstrap for other scores)`);
    }
    if (a === 1) {
      if (b === 1) counts.bothCorrect++;
      else counts.onlyA++;
    } else if (b === 1) counts.onlyB++;
    else counts.neither++;
  }
  return counts;
}

/**
 * Accuracy of A versus B on the same items: the difference with Newcombe's paired interval and
 * the exact McNemar p-value.
 */
export function mcnemarComparison(scoresA: ArrayLike<number>, scoresB: ArrayLike<number>, level = 0.95, intervalMethod: PairedIntervalMethod = 'newcombe-paired-wilson'): McNemarComparison {
  return mcnemarFromCounts(pairedCounts(scoresA, scoresB), level, intervalMethod);
}

export function mcnemarFromCounts(counts: PairedCounts, level = 0.95, intervalMethod: PairedIntervalMethod = 'newcombe-paired-wilson'): McNemarComparison {
  const interval = intervalMethod === 'exact-conditional' ? exactConditionalInterval(counts, level) : newcombePairedInterval(counts, level);
  const n = counts.bothCorrect + counts.onlyA + counts.onlyB + counts.neither;
  return {
    method: 'mcnemar-exact',
    intervalMethod,
    ...counts,
    n,
    estimateA: (counts.bothCorrect + counts.onlyA) / n,
    estimateB: (counts.bothCorrect + counts.onlyB) / n,
    difference: interval.difference,
    lower: interval.lower,
    upper: interval.upper,
    level,
    pValue: mcnemarExactPValue(counts.onlyA, counts.onlyB),
  };
}

/**
 * The exact conditional interval for accuracy(A) − accuracy(B): given d = b + c discordant items,
 * b ~ Binomial(d, π) and the difference is d(2π − 1)/n; the Clopper–Pearson interval for π
 * (each tail (1 − level)/2) maps onto the difference. Its dual is the two-sided exact McNemar
 * test: the interval excludes 0 if and only if that p-value is below 1 − level. Conditional on
 * d, so it is narrower than Newcombe's where discordant pairs are few, and never wrong about
 * significance relative to the test.
 */
export function exactConditionalInterval(counts: PairedCounts, level = 0.95): DifferenceInterval {
  assertLevel(level);
  const n = counts.bothCorrect + counts.onlyA + counts.onlyB + counts.neither;
  if (n === 0) throw new RangeError('exactConditionalInterval: no items');
  const discordant = counts.onlyA + counts.onlyB;
  const difference = (counts.onlyA - counts.onlyB) / n;
  if (discordant === 0) return { difference, lower: 0, upper: 0, level };
  const tail = (1 - level) / 2;
  const b = counts.onlyA;
  // P(X ≥ b | π) grows with π, P(X ≤ b | π) falls: each bound is one root, found by bisection.
  const lowerPi = b === 0 ? 0 : bisect((pi) => binomialSurvival(b, discordant, pi) - tail);
  const upperPi = b === discordant ? 1 : bisect((pi) => tail - binomialCdf(b, discordant, pi));
  const scale = discordant / n;
  return { difference, lower: scale * (2 * lowerPi - 1), upper: scale * (2 * upperPi - 1), level };
}

/** The root in (0, 1) of an increasing function, to within 1e-12. */
function bisect(increasing: (x: number) => number): number {
  let low = 0;
  let high = 1;
  for (let step = 0; step < 60 && high - low > 1e-12; step++) {
    const middle = (low + high) / 2;
    if (increasing(middle) < 0) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}
