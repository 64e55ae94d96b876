import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runResults, TaskAccumulator } from '../src/runner/aggregate.js';
import { harnessInfo, type ManifestTask, type RunManifest, type RunStatus } from '../src/store/manifest.js';
import type { SampleRecord } from '../src/store/samples.js';
import { itemContentHash } from '../src/tasks/item-hash.js';
import type { AnyTask, TaskItem } from '../src/tasks/task.js';

/** One task of a synthetic run: which items, and what the model answered to each (per repeat). */
export interface SyntheticTask {
  task: AnyTask;
  items: readonly TaskItem[];
  /** The parsed prediction for an item; `undefined` = the item failed (error sample). */
  predict(item: TaskItem, repeat: number): unknown;
  datasetSha256?: string;
  promptHash?: string;
  /** Write no item hashes, as runs written before they were recorded. */
  legacy?: boolean;
}

export interface SyntheticRun {
  model: string;
  runId?: string;
  repeats?: number;
  status?: RunStatus;
  tasks: readonly SyntheticTask[];
}

/**
 * A model run folder (manifest.json, samples.jsonl, results.json) written directly, without a
 * server: comparisons can then be tested on exactly chosen answers (p-values near a threshold,
 * the same id on different items, repeats that disagree).
 */
export function writeRunFolder(root: string, spec: SyntheticRun): string {
  const repeats = spec.repeats ?? 1;
  const runId = spec.runId ?? 'run';
  const dir = join(root, runId, spec.model);
  mkdirSync(dir, { recursive: true });
  const samples: SampleRecord[] = [];
  const accumulators: [string, TaskAccumulator][] = [];
  const tasks: ManifestTask[] = [];
  for (const t of spec.tasks) {
    const accumulator = new TaskAccumulator(t.task, t.items.length * repeats);
    for (const item of t.items) {
      for (let repeat = 0; repeat < repeats; repeat++) {
        const record = syntheticSample(spec.model, t, item, repeat);
        accumulator.add(record);
        samples.push(record);
      }
    }
    accumulators.push([t.task.id, accumulator]);
    tasks.push({
      id: t.task.id,
      version: t.task.version,
      prompt_hash: t.promptHash ?? t.task.promptHash,
      max_tokens: t.task.maxTokens,
      limit: null,
      n_items: t.items.length,
      dataset: { path: `/data/${t.task.id}.jsonl`, format: 'jsonl', sha256: t.datasetSha256 ?? 'sha-of-the-data', n_records: t.items.length },
      shots: null,
    });
  }
  const status = spec.status ?? 'complete';
  const manifest: RunManifest = {
    schema: 1,
    harness: harnessInfo(),
    run_id: runId,
    status,
    started_at: '2026-12-01T00:00:00.000Z',
    ended_at: '2026-12-01T00:01:00.000Z',
    model: { name: spec.model, provider: 'openai-compatible', model: spec.model, base_url: 'http://127.0.0.1:1/v1', fingerprint: null, identity: null, simulated: true, served_models: [], system_fingerprints: [] },
    decoding: { temperature: 0, seed: 1234, top_p: null },
    repeats,
    concurrency: 1,
    timeout_ms: 1000,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } as RunManifest['retry'],
    scoring: 'generate',
    tasks,
  };
  const results = runResults({ run_id: runId, model: spec.model, simulated: true, status, scoring: 'generate', price: null }, accumulators, () => ({}));
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'samples.jsonl'), samples.map((s) => `${JSON.stringify(s)}\n`).join(''));
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  return dir;
}

function syntheticSample(model: string, t: SyntheticTask, item: TaskItem, repeat: number): SampleRecord {
  const prediction = t.predict(item, repeat);
  const failed = prediction === undefined;
  return {
    task: t.task.id,
    task_version: t.task.version,
    item_id: item.id,
    ...(t.legacy ? {} : { item_hash: itemContentHash(item) }),
    ...(t.task.groupOf ? { group: t.task.groupOf(item) } : {}),
    repeat,
    model,
    messages_hash: 'm',
    cache_key: `${model}:${item.id}:${repeat}`,
    raw_output: failed ? null : String(prediction),
    prediction: failed ? null : prediction,
    gold: item.gold,
    scores: failed ? {} : t.task.scoreItem(prediction, item),
    usage: failed ? null : { prompt_tokens: 10, completion_tokens: 1 },
    latency_ms: 1,
    attempts: 1,
    cached: false,
    finish_reason: failed ? null : 'stop',
    served_model: null,
    system_fingerprint: null,
    error: failed ? { kind: 'server', message: 'HTTP 500' } : null,
    finished_at: '2026-12-01T00:00:30.000Z',
  };
}

export const FPB_LABELS = ['negative', 'neutral', 'positive'] as const;

/** `n` fpb-shaped items with distinct sentences; `offset` shifts which sentences (the same ids, other content). */
export function fpbItems(n: number, offset = 0): TaskItem<{ text: string }, string>[] {
  return Array.from({ length: n }, (_, index) => ({
    id: `line-${index + 1}`,
    input: { text: `Sentence number ${index + offset} about quarterly results.` },
    gold: FPB_LABELS[(index + offset) % 3]!,
  }));
}
