import type { ModelRun } from '../compare/runs.js';
import { getTask } from '../tasks/registry.js';

/**
 * A run's results in lm-evaluation-harness's results JSON layout (`lm_eval --output_path`'s
 * `results_<date>.json`), so dashboards and scripts that read it read finharness runs too:
 * `results.<task>["<metric>,none"]` with `"<metric>_stderr,none"`, and `versions`, `n-shot`,
 * `higher_is_better`, `n-samples`, `config`, `git_hash`, `date`, `model_name`.
 */
export interface LmEvalResults {
  results: Record<string, Record<string, string | number | null>>;
  group_subtasks: Record<string, string[]>;
  configs: Record<string, { task: string; num_fewshot: number; metadata: { version: string } }>;
  versions: Record<string, string>;
  'n-shot': Record<string, number>;
  higher_is_better: Record<string, Record<string, boolean>>;
  'n-samples': Record<string, { original: number; effective: number }>;
  config: { model: string; model_args: string; batch_size: number; limit: number | null; random_seed: number | null; fewshot_seed: number | null; gen_kwargs: Record<string, number | null> };
  git_hash: string | null;
  date: number;
  model_name: string;
  model_name_sanitized: string;
  finharness: { run_id: string; status: string; version: string };
}

/** lm-eval's filter name for metrics computed on the unfiltered output. */
const FILTER = 'none';

export function toLmEvalResults(run: ModelRun): LmEvalResults {
  const { manifest, results } = run;
  const out: LmEvalResults = {
    results: {},
    group_subtasks: {},
    configs: {},
    versions: {},
    'n-shot': {},
    higher_is_better: {},
    'n-samples': {},
    config: {
      model: manifest.model.provider,
      model_args: `model=${manifest.model.model},base_url=${manifest.model.base_url}`,
      batch_size: manifest.concurrency,
      limit: manifest.tasks.find((t) => t.limit !== null)?.limit ?? null,
      random_seed: manifest.decoding.seed,
      fewshot_seed: manifest.tasks.find((t) => t.shots)?.shots?.seed ?? null,
      gen_kwargs: { temperature: manifest.decoding.temperature, top_p: manifest.decoding.top_p },
    },
    git_hash: manifest.harness.git_commit?.slice(0, 7) ?? null,
    date: Date.parse(manifest.started_at) / 1000,
    model_name: manifest.model.name,
    model_name_sanitized: manifest.model.name.replace(/[^A-Za-z0-9._-]/g, '__'),
    finharness: { run_id: manifest.run_id, status: manifest.status, version: manifest.harness.version },
  };
  for (const task of manifest.tasks) {
    const result = results?.tasks[task.id];
    const proportions = proportionMetrics(task.id);
    const entry: Record<string, string | number | null> = { alias: task.id };
    const higher: Record<string, boolean> = {};
    for (const [metric, value] of Object.entries(result?.metrics ?? {})) {
      if (value === null) continue; // a group that did not run: lm-eval lists only what it computed
      entry[`${metric},${FILTER}`] = value;
      entry[`${metric}_stderr,${FILTER}`] = proportions.has(metric) ? meanStandardError(value, result!.n_scored) : 'N/A';
      higher[metric] = !/missing|mismatch/.test(metric);
    }
    out.results[task.id] = entry;
    out.higher_is_better[task.id] = higher;
    out.versions[task.id] = task.version;
    out['n-shot'][task.id] = task.shots?.k ?? 0;
    out['n-samples'][task.id] = { original: task.dataset.n_records, effective: task.n_items };
    out.configs[task.id] = { task: task.id, num_fewshot: task.shots?.k ?? 0, metadata: { version: task.version } };
  }
  return out;
}

/** Metrics that are means of a 0/1 score per item, for which lm-eval reports the standard error of the mean. */
function proportionMetrics(taskId: string): Set<string> {
  try {
    return new Set(Object.keys(getTask(taskId).metrics.proportions ?? {}));
  } catch {
    return new Set();
  }
}

/** lm-eval's `mean_stderr`: sample standard deviation (n − 1) over √n, for a proportion p of n items. */
function meanStandardError(p: number, n: number): number | 'N/A' {
  if (n < 2) return 'N/A';
  return Math.sqrt((p * (1 - p)) / (n - 1));
}
