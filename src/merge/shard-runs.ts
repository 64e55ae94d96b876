import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { findModelRunDirs } from '../compare/runs.js';
import type { RunManifest } from '../store/manifest.js';
import type { ResolvedPrice } from '../cost/prices.js';
import { readSamples, type SampleRecord } from '../store/samples.js';
import { InputError, UserError } from '../util/errors.js';
import { parseJson } from '../util/json-text.js';

/** One model's folder of one shard run, as `merge` reads it. */
export interface ShardRun {
  dir: string;
  manifest: RunManifest;
  /** Latest record per (task, item, repeat), a success preferred over a later error. */
  samples: Map<string, SampleRecord>;
  /** Retried attempts per task by error class, from the shard's results.json (not in the samples). */
  retriesByTask: Map<string, Record<string, number>>;
  /** The price the shard's costs were computed with (results.json), null when none or unknown. */
  price: ResolvedPrice | null;
}

const shardSchema = z.object({ index: z.int().min(0), count: z.int().min(1) });

/**
 * The parts of a manifest merging relies on. Checked here, at the file boundary, so that a
 * damaged or foreign manifest fails naming its field instead of producing a wrong merge.
 */
const manifestSchema = z.looseObject({
  run_id: z.string(),
  status: z.string(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  model: z.looseObject({ name: z.string(), provider: z.string(), model: z.string(), base_url: z.string(), served_models: z.array(z.string()), system_fingerprints: z.array(z.string()) }),
  decoding: z.looseObject({}),
  repeats: z.int().min(1),
  shard: shardSchema.optional(),
  tasks: z.array(
    z.looseObject({
      id: z.string(),
      version: z.string(),
      prompt_hash: z.string(),
      max_tokens: z.number(),
      dataset: z.looseObject({ sha256: z.string() }),
      shard: shardSchema.extend({ planned_ids: z.array(z.string()), item_ids: z.array(z.string()) }).optional(),
    }),
  ),
});

export function readShardRun(dir: string): ShardRun {
  const path = join(dir, 'manifest.json');
  const json = parseJson(readFileSync(path, 'utf8'), { file: path }, 'expected the manifest.json a finharness run writes');
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError({ file: path, field: issue.path.join('.') || '(top level)' }, `${issue.message}: not a finharness run manifest (the file was modified or damaged)`);
  }
  const manifest = parsed.data as unknown as RunManifest;
  if (!manifest.shard) throw new UserError(`${dir}: not a shard run (its manifest has no "shard"; run it with --shard i/N). merge combines the shards of one sharded run.`);
  const unsharded = manifest.tasks.find((t) => !t.shard);
  if (unsharded) throw new InputError({ file: path, field: `tasks.${unsharded.id}.shard` }, 'missing: a shard run records, per task, the item ids of the whole plan and of its shard (the file was modified or damaged)');
  return { dir, manifest, samples: readSamples(join(dir, 'samples.jsonl')).records, ...readShardResults(join(dir, 'results.json')) };
}

const countsSchema = z.record(z.string(), z.number());
const priceSchema = z.looseObject({ input_per_million: z.number(), output_per_million: z.number(), batch_discount: z.number(), matched: z.string(), source: z.enum(['config', 'default']) });
const shardResultsSchema = z.looseObject({
  tasks: z.record(z.string(), z.looseObject({ retries_by_kind: countsSchema.optional() })),
  price: priceSchema.nullable().optional(),
});

/**
 * Retry counts and the price live only in results.json. A shard that stopped before writing it
 * (or wrote an older one) contributes none: they describe the run, the merged scores do not use them.
 */
function readShardResults(path: string): Pick<ShardRun, 'retriesByTask' | 'price'> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return { retriesByTask: new Map(), price: null };
  }
  const parsed = shardResultsSchema.safeParse(json);
  if (!parsed.success) return { retriesByTask: new Map(), price: null };
  return {
    retriesByTask: new Map(Object.entries(parsed.data.tasks).map(([task, result]) => [task, result.retries_by_kind ?? {}])),
    price: (parsed.data.price ?? null) as ResolvedPrice | null,
  };
}

/** Every model folder under the given paths, grouped by model name (shards of one model merge together). */
export function readShardRuns(paths: readonly string[]): Map<string, ShardRun[]> {
  const byModel = new Map<string, ShardRun[]>();
  for (const dir of [...new Set(paths.flatMap(findModelRunDirs))]) {
    const run = readShardRun(dir);
    const list = byModel.get(run.manifest.model.name) ?? [];
    list.push(run);
    byModel.set(run.manifest.model.name, list);
  }
  for (const runs of byModel.values()) runs.sort((a, b) => a.manifest.shard!.index - b.manifest.shard!.index || (a.dir < b.dir ? -1 : 1));
  return byModel;
}

/** `shard 2/4 (path)`: how reports name a shard. */
export function describeShard(run: ShardRun): string {
  return `shard ${run.manifest.shard!.index}/${run.manifest.shard!.count} (${run.dir})`;
}
