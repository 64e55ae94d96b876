import { canonicalJson, sha256 } from '../util/hash.js';
import type { ManifestTask, RunManifest } from '../store/manifest.js';
import { describeShard, type ShardRun } from './shard-runs.js';

/**
 * Everything that must be the same in every shard for the merged run to equal one run: which
 * checkpoint answered (not where it was served: each worker may talk to its own replica), the
 * decoding, the tasks with their versions, prompts, answer lengths, data and demonstrations,
 * and the plan the shards were cut from.
 */
function configuration(manifest: RunManifest): Record<string, unknown> {
  const { model } = manifest;
  const fields: Record<string, unknown> = {
    'model.provider': model.provider,
    'model.model': model.model,
    'model.fingerprint': model.fingerprint ?? null,
    'model.identity': model.identity ? { model_id: model.identity.model_id, revision: model.identity.revision } : null,
    'model.simulated': model.simulated,
    decoding: manifest.decoding,
    scoring: manifest.scoring ?? 'generate',
    repeats: manifest.repeats,
    'shard.count': manifest.shard?.count ?? null,
    tasks: manifest.tasks.map((t) => t.id),
  };
  for (const task of manifest.tasks) Object.assign(fields, taskConfiguration(task));
  return fields;
}

function taskConfiguration(task: ManifestTask): Record<string, unknown> {
  const at = `tasks.${task.id}`;
  const shots = task.shots;
  return {
    [`${at}.version`]: task.version,
    [`${at}.prompt_hash`]: task.prompt_hash,
    [`${at}.max_tokens`]: task.max_tokens,
    [`${at}.limit`]: task.limit,
    [`${at}.dataset.sha256`]: task.dataset.sha256,
    [`${at}.shots`]: shots ? { k: shots.k, seed: shots.seed, format: shots.format ?? 'chat', ids: shots.ids, groups: shots.groups, pool_sha256: shots.pool.sha256 } : null,
    // The whole plan (after --limit) each shard was cut from: a hash keeps the report short.
    [`${at}.planned_items`]: task.shard ? `${task.shard.planned_ids.length} items, sha256 ${sha256(task.shard.planned_ids.join('\n')).slice(0, 12)}` : null,
  };
}

/** One line per field that differs between shards, naming the values and the shards holding each. */
export function configurationDifferences(runs: readonly ShardRun[]): string[] {
  const configs = runs.map((run) => configuration(run.manifest));
  const fields = [...new Set(configs.flatMap((c) => Object.keys(c)))];
  const differences: string[] = [];
  for (const field of fields) {
    const byValue = new Map<string, ShardRun[]>();
    configs.forEach((config, i) => {
      const value = field in config ? canonicalJson(config[field]) : '(absent)';
      byValue.set(value, [...(byValue.get(value) ?? []), runs[i]!]);
    });
    if (byValue.size < 2) continue;
    const values = [...byValue].map(([value, holders]) => `${truncate(value)} in ${holders.map(describeShard).join(', ')}`);
    differences.push(`${field} differs: ${values.join('; ')}`);
  }
  return differences;
}

function truncate(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
