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
