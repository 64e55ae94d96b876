/**
 * Summaries of bootstrap replicates: percentile intervals and the bootstrap standard error.
 *
 * Percentile intervals (Efron & Tibshirani 1993, ch. 13): the alpha/2 and 1 - alpha/2
 * quantiles of the replicates. Chosen over BCa because they need no jackknife (which would cost
 * n extra metric evaluations per interval) and over the "basic" interval because they respect
 * the metric's range ([0, 1] for F1). With 10,000 replicates the Monte Carlo error of a 2.5%
 * quantile is small next to the interval's width. Quantiles interpolate linearly between order
 * statistics (Hyndman & Fan 1996 type 7, the default of R's `quantile` and NumPy).
 */

/** The q-quantile of ascending `sorted` values (type 7). */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const count = sorted.length;
  if (count === 0) return NaN;
  const position = (count - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, count - 1);
  const fraction = position - below;
  const low = sorted[below]!;
  const high = sorted[above]!;
  return fraction === 0 ? low : low + fraction * (high - low);
}

/** Sample standard deviation (n − 1 denominator): the bootstrap standard error of the replicates. */
export function standardDeviation(values: ArrayLike<number>): number {
  const count = values.length;
  if (count < 2) return NaN;
  let mean = 0;
  for (let index = 0; index < count; index++) mean += values[index]!;
  mean /= count;
  let squares = 0;
  for (let index = 0; index < count; index++) {
    const deviation = values[index]! - mean;
    squares += deviation * deviation;
  }
  return Math.sqrt(squares / (count - 1));
}

export interface ReplicateSummary {
  lower: number;
  upper: number;
  standardError: number;
  /** Replicates that were NaN (metric undefined on that resample), left out of the summary. */
  undefinedResamples: number;
  /** The defined replicates, ascending. */
  sorted: Float64Array;
}

export function summarizeReplicates(replicates: Float64Array, level: number): ReplicateSummary {
  const defined = replicates.filter((value) => !Number.isNaN(value));
  defined.sort();
  const alpha = 1 - level;
  return {
    lower: quantileOfSorted(defined, alpha / 2),
    upper: quantileOfSorted(defined, 1 - alpha / 2),
    standardError: standardDeviation(defined),
    undefinedResamples: replicates.length - defined.length,
    sorted: defined,
  };
}

/**
 * The two-sided p-value dual to the percentile interval of these replicates: the largest
 * 1 − level at which `summarizeReplicates(…, level)` still includes 0, i.e. the interval at
 * level L excludes 0 exactly when this p-value is below 1 − L. Reports that mark significance
 * with intervals and show p-values then cannot disagree. 0 when every replicate lies on one side
 * of 0 (every interval excludes it), 1 when the median is 0.
 */
export function percentileDualPValue(sorted: ArrayLike<number>): number {
  if (sorted.length === 0) return NaN;
  // quantileOfSorted(sorted, q) rises with q: find the q where it crosses 0 from each side.
  const below = crossing(sorted, (value) => value <= 0); // lower bound ≤ 0 while alpha/2 ≤ below
  const above = crossing(sorted, (value) => value < 0); // upper bound ≥ 0 while 1 − alpha/2 ≥ above
  return Math.min(1, 2 * Math.min(below, 1 - above));
}

/** The largest q in [0, 1] with `test(quantile(q))` true (0 when it never holds). */
function crossing(sorted: ArrayLike<number>, test: (value: number) => boolean): number {
  if (!test(quantileOfSorted(sorted, 0))) return 0;
  if (test(quantileOfSorted(sorted, 1))) return 1;
  let low = 0;
  let high = 1;
  for (let step = 0; step < 60 && high - low > 1e-13; step++) {
    const middle = (low + high) / 2;
    if (test(quantileOfSorted(sorted, middle))) low = middle;
    else high = middle;
  }
  return low;
}
