import type { ModelRunOutcome } from '../runner/model-run.js';
import { scoringOf } from '../store/manifest.js';
import { LOGLIK_MARKER, LOGLIK_NOTE } from './scoring-marker.js';
import { formatCounts } from '../runner/error-gate.js';

const SIMULATED_NOTE = 'SIMULATED: answers come from the project\'s local simulator (derived from gold labels with set error rates); these are not real model results.';

/** Metric values are fractions; shown as such with 3 decimals. */
function formatMetric(value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(3);
}

function modelLabel(outcome: ModelRunOutcome): string {
  const name = outcome.endpoint.simulated ? `${outcome.endpoint.name} (simulated)` : outcome.endpoint.name;
  return scoringOf(outcome.results) === 'loglik' ? `${name} ${LOGLIK_MARKER}` : name;
}

/**
 * A Markdown summary of one run: per model and task, every metric, item counts and errors.
 * Plain enough to print in a terminal and to paste in a pull request.
 */
export function formatRunSummary(outcomes: readonly ModelRunOutcome[], title?: string): string {
  const lines: string[] = [];
  if (title) lines.push(`# ${title}`, '');
  if (outcomes.some((o) => o.endpoint.simulated)) lines.push(`> ${SIMULATED_NOTE}`, '');
  if (outcomes.some((o) => scoringOf(o.results) === 'loglik')) lines.push(`> ${LOGLIK_NOTE}`, '');
  const taskIds = [...new Set(outcomes.flatMap((o) => Object.keys(o.results.tasks)))];
  for (const taskId of taskIds) {
    const metricNames = [...new Set(outcomes.flatMap((o) => Object.keys(o.results.tasks[taskId]?.metrics ?? {})))];
    lines.push(`## ${taskId}`, '');
    lines.push(`| model | ${metricNames.join(' | ')} | scored | errors | cached |`);
    lines.push(`|---|${metricNames.map(() => '---:').join('|')}|---:|---:|---:|`);
    for (const outcome of outcomes) {
      const result = outcome.results.tasks[taskId];
      if (!result) continue;
      const cells = metricNames.map((name) => formatMetric(result.metrics[name]));
      const scored = `${result.n_scored}/${result.n_planned}`;
      lines.push(`| ${modelLabel(outcome)} | ${cells.join(' | ')} | ${scored} | ${result.n_errors} | ${result.n_cached} |`);
    }
    lines.push('');
  }
  for (const outcome of outcomes) {
    const note = outcome.stopReason ? ` — ${outcome.stopReason}` : '';
    lines.push(`- ${modelLabel(outcome)}: ${outcome.status}${note} (${outcome.requested} requests sent, ${outcome.resumed} samples resumed) → \`${outcome.paths.dir}\``);
    const { errors_by_kind: failed = {}, retries_by_kind: retried = {} } = outcome.results;
    if (Object.keys(failed).length > 0 || Object.keys(retried).length > 0) {
      lines.push(`  - failed items by error class: ${formatCounts(failed)}; retried attempts: ${formatCounts(retried)}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
