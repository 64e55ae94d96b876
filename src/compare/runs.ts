import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InputError, UserError } from '../util/errors.js';
import { parseJson } from '../util/json-text.js';
import type { RunManifest } from '../store/manifest.js';
import type { RunResults } from '../store/results.js';
import { readSamples, type SampleRecord } from '../store/samples.js';

/** One model's run folder, loaded for comparison. */
export interface ModelRun {
  dir: string;
  /** Unique display name within a comparison (model name, disambiguated by run id when needed). */
  label: string;
  manifest: RunManifest;
  results: RunResults | null;
  /** Per task: item id → its samples, one per repeat, in repeat order (comparisons use them all). */
  samples: Map<string, Map<string, SampleRecord[]>>;
}

function isModelRunDir(dir: string): boolean {
  return existsSync(join(dir, 'manifest.json')) && existsSync(join(dir, 'samples.jsonl'));
}

/**
 * Expand what the user named into model run folders: a model run folder itself, a run folder
 * (`<out>/<run-id>`) holding one folder per model, or a sweep folder holding run folders.
 * Searches at most two levels down; sorted for a stable order.
 */
export function findModelRunDirs(path: string): string[] {
  const root = resolve(path);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UserError(`${path}: not a run directory`);
  if (isModelRunDir(root)) return [root];
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    for (const name of readdirSync(dir).sort()) {
      const child = join(dir, name);
      if (!statSync(child).isDirectory()) continue;
      if (isModelRunDir(child)) found.push(child);
      else if (depth < 2) visit(child, depth + 1);
    }
  };
  visit(root, 1);
  if (found.length === 0) throw new UserError(`${path}: no run found (expected manifest.json and samples.jsonl in it or in its sub-folders)`);
  return found;
}

export function loadModelRun(dir: string): ModelRun {
  const manifestPath = join(dir, 'manifest.json');
  const manifest = readRunFile(manifestPath, 'expected the manifest.json a finharness run writes') as RunManifest;
  const missing = missingManifestField(manifest);
  if (missing !== undefined) throw new InputError({ file: manifestPath, field: missing }, 'missing or malformed: not a finharness run manifest (the file was modified or damaged)');
  const resultsPath = join(dir, 'results.json');
  const results = existsSync(resultsPath) ? (readRunFile(resultsPath, 'expected the results.json a finharness run writes') as RunResults) : null;
  const samples = new Map<string, Map<string, SampleRecord[]>>();
  for (const record of readSamples(join(dir, 'samples.jsonl')).records.values()) {
    let byItem = samples.get(record.task);
    if (!byItem) samples.set(record.task, (byItem = new Map()));
    const repeats = byItem.get(record.item_id);
    if (repeats) repeats.push(record);
    else byItem.set(record.item_id, [record]);
  }
  for (const byItem of samples.values()) for (const repeats of byItem.values()) repeats.sort((a, b) => a.repeat - b.repeat);
  return { dir, label: manifest.model.name, manifest, results, samples };
}

function readRunFile(path: string, expected: string): unknown {
  return parseJson(readFileSync(path, 'utf8'), { file: path }, expected);
}

/** The first field the comparison relies on that a manifest lacks, if any. */
function missingManifestField(manifest: unknown): string | undefined {
  const fields = manifest as Partial<Record<keyof RunManifest, unknown>> | null;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return '(top level)';
  if (typeof fields.run_id !== 'string') return 'run_id';
  const model = fields.model as { name?: unknown } | undefined;
  if (typeof model !== 'object' || model === null || typeof model.name !== 'string') return 'model.name';
  if (!Array.isArray(fields.tasks)) return 'tasks';
  return undefined;
}

/** Load every run under the given paths; labels are made unique (`name@run-id`, then `name@folder`). */
export function loadRuns(paths: readonly string[]): ModelRun[] {
  const dirs = [...new Set(paths.flatMap(findModelRunDirs))];
  const runs = dirs.map(loadModelRun);
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.label, (counts.get(run.label) ?? 0) + 1);
  for (const run of runs) if ((counts.get(run.label) ?? 0) > 1) run.label = `${run.label}@${run.manifest.run_id}`;
  const seen = new Set<string>();
  for (const run of runs) {
    if (seen.has(run.label)) run.label = `${run.label}@${basename(run.dir)}`;
    seen.add(run.label);
  }
  return runs;
}

/** Find the run a role flag names: a path to a run folder, or a model label among the loaded runs. */
export function pickRun(runs: readonly ModelRun[], spec: string, role: string): ModelRun {
  const byLabel = runs.find((run) => run.label === spec);
  if (byLabel) return byLabel;
  const path = resolve(spec);
  if (existsSync(path)) {
    const dirs = findModelRunDirs(path);
    if (dirs.length !== 1) throw new UserError(`--${role} ${spec}: holds ${dirs.length} model runs; name one (${runs.map((r) => r.label).join(', ')})`);
    const match = runs.find((run) => run.dir === dirs[0]);
    if (match) return match;
  }
  throw new UserError(`--${role} ${spec}: no such run or model; loaded: ${runs.map((r) => r.label).join(', ')}`);
}
