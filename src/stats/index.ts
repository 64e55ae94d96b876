/** The statistics layer for comparison reports; see README.md in this folder. */

export { binomialCdf, binomialLogPmf, binomialSurvival, logBinomialCoefficient } from './binomial.js';
export {
  DEFAULT_BOOTSTRAP_SEED,
  DEFAULT_LEVEL,
  DEFAULT_RESAMPLES,
  bootstrapInterval,
  bootstrapIntervals,
  pairedBootstrap,
  shiftedNullPValue,
  sliceFinalizer,
  type BootstrapInterval,
  type BootstrapOptions,
  type PairedBootstrapComparison,
} from './bootstrap.js';
export {
  CONFUSION_METRICS,
  accuracyFromCounts,
  confusionCell,
  confusionCellCount,
  confusionMetric,
  macroF1FromCounts,
  mccFromCounts,
  missingRateFromCounts,
  totalFromCounts,
  weightedF1FromCounts,
  type ConfusionMetricName,
} from './confusion-counts.js';
export {
  alignItems,
  categoricalCodes,
  encodeLabelPairs,
  takeIndices,
  type AlignedItems,
  type CategoricalCodes,
  type EncodedLabels,
} from './encode.js';
export { holmAdjust } from './holm.js';
export {
  additiveKernel,
  confusionKernel,
  differenceKernel,
  entityF1Kernel,
  evaluateKernel,
  groupMeanConfusionKernel,
  macroF1Kernel,
  mccKernel,
  meanKernel,
  weightedF1Kernel,
  type EntityCountColumns,
  type MetricKernel,
} from './kernels.js';
export { mcnemarComparison, mcnemarExactPValue, mcnemarFromCounts, pairedCounts, type McNemarComparison } from './mcnemar.js';
export { newcombeDualPValue, newcombePairedInterval, type DifferenceInterval, type PairedCounts } from './newcombe.js';
export { assertLevel, normalQuantile, twoSidedZ } from './normal.js';
export { Xoshiro128StarStar, seedState, splitMix64, type Xoshiro128State } from './prng.js';
export { percentileDualPValue, quantileOfSorted, standardDeviation, summarizeReplicates, type ReplicateSummary } from './replicate-summary.js';
export { planResampling, resampleManyReplicates, resampleReplicates, type ResamplingPlan } from './resampling.js';
export {
  aggregateRows,
  columnStatistics,
  concatStatistics,
  oneHotStatistics,
  sumStatistics,
  type SufficientStatistics,
} from './sufficient-statistics.js';
export {
  DEFAULT_MARGIN,
  changeVerdict,
  retentionVerdict,
  superiorityVerdict,
  type DifferenceBounds,
  type ChangeVerdict,
  type RetentionVerdict,
  type SuperiorityVerdict,
  type Verdict,
} from './verdicts.js';
export { wilsonInterval, type WilsonInterval } from './wilson.js';
