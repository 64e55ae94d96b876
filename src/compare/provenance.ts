import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { canonicalJson } from '../util/hash.js';
import { sha256 } from '../util/hash.js';
import { packagePath } from '../util/paths.js';
import { scoringOf, type ManifestTask, type RunManifest, type ScoringMode } from '../store/manifest.js';
import { getTask } from '../tasks/registry.js';
import type { ModelRun } from './runs.js';

/** Which checkpoint answered: what the server said it served, and the configured fingerprint. */
export interface CheckpointIdentity {
  /** One line for reports: the served model id and revision, else the fingerprint, else "unknown". */
  summary: string;
  served: { model_id: string; revision: string | null; source: string } | null;
  fingerprint: string | null;
}

/** What one run of a task was measured on: data, prompt, demonstrations and scoring. */
export interface TaskSource {
  /**
   * `bundled-sample`: the few dozen items shipped with finharness for demos and tests (the run was
   * given no data, or a copy of the sample): its numbers say nothing about the benchmark.
   * `pulled`: the full data `finharness data pull` downloaded. `file`: any other dataset file
   * (given with --data or the config; runs from before the origin was recorded).
   */
  data: 'bundled-sample' | 'pulled' | 'file';
  /** For pulled data, where it was downloaded from (e.g. "huggingface ChanceFocus/flare-fpb@1a2b…"). */
  source: string | null;
  path: string;
  format: string;
  sha256: string;
  /** Records in the file, and items evaluated (after --limit / --shard). */
  n_records: number;
  n_items: number;
  limit: number | null;
  task_version: string;
  prompt_hash: string;
  shots: { k: number; seed: number; format: string } | null;
  max_tokens: number;
  scoring: ScoringMode;
}

/** A task's sources; models whose runs used exactly the same are listed together. */
export interface TaskProvenance {
  task: string;
  /** True when any model's numbers on this task come from the bundled sample. */
  bundled_sample: boolean;
  sources: (TaskSource & { models: string[] })[];
}

export function checkpointIdentity(model: RunManifest['model']): CheckpointIdentity {
  const served = model.identity ?? null;
  const summary = served ? `${served.model_id}${served.revision ? `@${served.revision}` : ''} (${served.source})` : model.fingerprint ? `fingerprint ${model.fingerprint}` : 'unknown';
  return { summary, served, fingerprint: model.fingerprint ?? null };
}

export function taskProvenance(task: string, runs: readonly ModelRun[]): TaskProvenance {
  const sources: TaskProvenance['sources'] = [];
  const byKey = new Map<string, TaskProvenance['sources'][number]>();
  for (const run of runs) {
    const recorded = run.manifest.tasks.find((t) => t.id === task);
    if (!recorded) continue;
    const source = taskSource(recorded, run.manifest);
    const key = canonicalJson(source);
    const same = byKey.get(key);
    if (same) same.models.push(run.label);
    else {
      const entry = { ...source, models: [run.label] };
      byKey.set(key, entry);
      sources.push(entry);
    }
  }
  return { task, bundled_sample: sources.some((s) => s.data === 'bundled-sample'), sources };
}

function taskSource(task: ManifestTask, manifest: RunManifest): TaskSource {
  return {
    ...dataOrigin(task.id, task.dataset),
    path: task.dataset.path,
    format: task.dataset.format,
    sha256: task.dataset.sha256,
    n_records: task.dataset.n_records,
    n_items: task.n_items,
    limit: task.limit,
    task_version: task.version,
    prompt_hash: task.prompt_hash,
    shots: task.shots ? { k: task.shots.k, seed: task.shots.seed, format: task.shots.format ?? 'chat' } : null,
    max_tokens: task.max_tokens,
    scoring: scoringOf(manifest),
  };
}

/** What the run recorded about its data, else what can be told from the file. */
function dataOrigin(taskId: string, dataset: ManifestTask['dataset']): Pick<TaskSource, 'data' | 'source'> {
  const origin = dataset.origin;
  if (origin?.kind === 'bundled-sample' || isBundledSample(taskId, dataset)) return { data: 'bundled-sample', source: null };
  if (origin?.kind === 'pulled') return { data: 'pulled', source: origin.source };
  return { data: 'file', source: null };
}

/**
 * Whether a run's data is the sample shipped with the task, whatever the run recorded (a copy of
 * the sample given with --data is still the sample; older runs record no origin): a file inside
 * this installation's `datasets/` folder (only samples are shipped), a path ending in the task's
 * sample path (the same sample in another installation), or a file with the sample's hash.
 */
export function isBundledSample(taskId: string, dataset: { path: string; sha256: string }): boolean {
  const shipped = packagePath('datasets') + sep;
  const path = resolve(dataset.path);
  if (path.startsWith(shipped)) return true;
  let sample: string;
  try {
    sample = getTask(taskId).data.sample;
  } catch {
    return false; // a task this version does not know: nothing to recognise it by
  }
  const relative = sample.split('/').join(sep);
  if (path === resolve(packagePath(sample)) || path.endsWith(`${sep}${relative}`)) return true;
  return sampleHash(packagePath(sample)) === dataset.sha256;
}

const sampleHashes = new Map<string, string | null>();
/** SHA-256 of a single-file sample as `loadDataset` records it; null for a folder or a missing file. */
function sampleHash(path: string): string | null {
  if (!sampleHashes.has(path)) sampleHashes.set(path, existsSync(path) && statSync(path).isFile() ? sha256(readFileSync(path)) : null);
  return sampleHashes.get(path)!;
}
