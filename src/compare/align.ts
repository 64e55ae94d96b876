import { canonicalJson } from '../util/hash.js';
import { scoringOf, type ManifestTask } from '../store/manifest.js';
import type { SampleRecord } from '../store/samples.js';
import type { ModelRun } from './runs.js';

/** A setting that differs between the models' runs of one task (e.g. a different prompt). */
export interface TaskMismatch {
  field: 'version' | 'prompt_hash' | 'dataset_sha256' | 'shots' | 'max_tokens' | 'scoring';
  values: Record<string, unknown>;
}

export interface AlignedTask {
  task: string;
  /** Models (labels) that ran this task, in comparison order. */
  models: string[];
  mismatches: TaskMismatch[];
  /** Item ids every model scored (no error): the only items compared. Sorted for determinism. */
  sharedIds: string[];
  /** Per model: items it has but that are not shared (missing elsewhere or errored somewhere). */
  excluded: Record<string, number>;
  /** Per model: item id → sample, restricted to shared ids. */
  samples: Record<string, Map<string, SampleRecord>>;
}

function manifestTask(run: ModelRun, task: string): ManifestTask | undefined {
  return run.manifest.tasks.find((t) => t.id === task);
}

const FIELDS: { field: TaskMismatch['field']; read: (t: ManifestTask, run: ModelRun) => unknown }[] = [
  { field: 'version', read: (t) => t.version },
  { field: 'prompt_hash', read: (t) => t.prompt_hash },
  { field: 'dataset_sha256', read: (t) => t.dataset.sha256 },
  { field: 'shots', read: (t) => (t.shots ? { k: t.shots.k, seed: t.shots.seed, format: t.shots.format ?? 'chat', ids: t.shots.ids, groups: t.shots.groups } : null) },
  { field: 'max_tokens', read: (t) => t.max_tokens },
  // Generation and log-likelihood scores of one task are different measurements, like two prompts.
  { field: 'scoring', read: (_t, run) => scoringOf(run.manifest) },
];

/**
 * Match the models' samples of each task by item id. Differences in task version, prompt, data,
 * demonstrations, answer length or scoring mode are reported (a comparison across them is not like for like)
 * but do not stop the comparison; only items scored by every model are compared.
 */
export function alignTasks(runs: readonly ModelRun[]): AlignedTask[] {
  const taskIds = [...new Set(runs.flatMap((run) => run.manifest.tasks.map((t) => t.id)))];
  return taskIds.map((task) => {
    const present = runs.filter((run) => manifestTask(run, task));
    const mismatches: TaskMismatch[] = [];
    for (const { field, read } of FIELDS) {
      const values = Object.fromEntries(present.map((run) => [run.label, read(manifestTask(run, task)!, run)]));
      if (new Set(Object.values(values).map((v) => canonicalJson(v))).size > 1) mismatches.push({ field, values });
    }
    const scored = present.map((run) => {
      const byItem = run.samples.get(task) ?? new Map<string, SampleRecord>();
      return new Set([...byItem].filter(([, sample]) => sample.error === null).map(([id]) => id));
    });
    const sharedIds = scored.length === 0 ? [] : [...scored[0]!].filter((id) => scored.every((set) => set.has(id))).sort();
    const shared = new Set(sharedIds);
    const samples: Record<string, Map<string, SampleRecord>> = {};
    const excluded: Record<string, number> = {};
    for (const run of present) {
      const byItem = run.samples.get(task) ?? new Map<string, SampleRecord>();
      samples[run.label] = new Map([...byItem].filter(([id]) => shared.has(id)));
      excluded[run.label] = byItem.size - samples[run.label]!.size;
    }
    return { task, models: present.map((run) => run.label), mismatches, sharedIds, excluded, samples };
  });
}
