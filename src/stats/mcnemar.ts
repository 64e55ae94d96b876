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

import { binomialCdf } from './binomial.js';
import { newcombePairedInterval, type PairedCounts } from './newcombe.js';

export interface McNemarComparison extends PairedCounts {
  method: 'mcnemar-exact';
  /** How the difference's interval was computed (see newcombe.ts). */
  intervalMethod: 'newcombe-paired-wilson';
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
export function mcnemarComparison(scoresA: ArrayLike<number>, scoresB: ArrayLike<number>, level = 0.95): McNemarComparison {
  return mcnemarFromCounts(pairedCounts(scoresA, scoresB), level);
}

export function mcnemarFromCounts(counts: PairedCounts, level = 0.95): McNemarComparison {
  const interval = newcombePairedInterval(counts, level);
  const n = counts.bothCorrect + counts.onlyA + counts.onlyB + counts.neither;
  return {
    method: 'mcnemar-exact',
    intervalMethod: 'newcombe-paired-wilson',
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
