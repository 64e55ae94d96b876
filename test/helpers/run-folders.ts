// Synthetic run folders live with the benchmarks, which compile into dist/ (bench:compare writes them too).
export { FPB_LABELS, fpbItems, writeRunFolder, type SyntheticRun, type SyntheticTask } from '../../bench/synthetic-runs.js';
