import { join } from 'node:path';
import { assertSafeName, slugify } from '../util/paths.js';

/**
 * A run is `<out>/<run-id>/`, with one self-contained folder per model:
 * `<out>/<run-id>/<model>/{manifest.json, samples.jsonl, results.json}`.
 */
export interface ModelRunPaths {
  dir: string;
  manifest: string;
  samples: string;
  results: string;
  /** Every distinct prompt the run sent, by hash (src/store/prompts.ts). */
  prompts: string;
}

export function runDir(outDir: string, runId: string): string {
  return join(outDir, assertSafeName('run id', runId));
}

export function modelRunPaths(outDir: string, runId: string, modelName: string): ModelRunPaths {
  const dir = join(runDir(outDir, runId), slugify(modelName));
  return {
    dir,
    manifest: join(dir, 'manifest.json'),
    samples: join(dir, 'samples.jsonl'),
    results: join(dir, 'results.json'),
    prompts: promptStorePath(dir),
  };
}

/**
 * `<model run folder>/batches.json`: the Batch API batches a `--batch` run submitted
 * (src/runner/batch-state.ts). Only runs that used `--batch` have one.
 */
export function batchStatePath(modelRunDir: string): string {
  return join(modelRunDir, 'batches.json');
}

/** `<model run folder>/prompts.jsonl`: the run's prompts, each once (src/store/prompts.ts). */
export function promptStorePath(modelRunDir: string): string {
  return join(modelRunDir, 'prompts.jsonl');
}

/** Sortable, unique enough for humans: 20261121-183012-k3f9. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}
