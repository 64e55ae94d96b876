import type { Comparison } from '../compare/analyze.js';

/**
 * The warning every report format opens with when some task's items were paired by content across
 * runs whose data, prompts or settings differ (`compare --allow-mismatch`); null otherwise.
 */
export function pairingBanner(comparison: Pick<Comparison, 'pairing'>): string | null {
  if (comparison.pairing.mode !== 'content') return null;
  if (comparison.pairing.factor_study) {
    const fields = [...new Set(comparison.pairing.tasks.flatMap((t) => t.fields))];
    return `Factor study: runs of one model differ on purpose in ${fields.join(', ')}; items are paired by content (identical input and gold), and no two models are compared across conditions.`;
  }
  const tasks = comparison.pairing.tasks.map((t) => `${t.task} (${t.fields.length ? `${t.fields.join(', ')} differ` : 'ids hold different items'}; ${t.paired} items with identical content compared)`);
  return `Paired by item content across runs that differ (--allow-mismatch): ${tasks.join('; ')}. Only items whose input and gold are identical in every run are compared; numbers are not those of the runs' full datasets.`;
}

/**
 * The warning every report opens with when a server cut prompts (its usage counted fewer prompt
 * tokens than the prompt has): those answers were scored on a question the model never fully saw.
 */
export function truncationBanner(comparison: Pick<Comparison, 'tasks'>): string | null {
  const byModel = new Map<string, string[]>();
  for (const task of comparison.tasks) {
    for (const [model, format] of Object.entries(task.format)) {
      if (!format.n_truncated) continue;
      const answers = task.metrics[model]?.[task.headline_metric]?.n ?? 0;
      const repeats = task.repeats[model] ?? 1;
      byModel.set(model, [...(byModel.get(model) ?? []), `${task.task} ${format.n_truncated} of ${answers * repeats} answers`]);
    }
  }
  if (byModel.size === 0) return null;
  const parts = [...byModel].map(([model, tasks]) => `${model}: ${tasks.join(', ')}`);
  return `TRUNCATED PROMPTS: ${parts.join('; ')} — the server cut these prompts (raise its context size, e.g. llama-server -c, or shorten the prompt); they are scored as answered.`;
}
