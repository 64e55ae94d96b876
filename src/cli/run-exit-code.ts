import type { ModelRunOutcome } from '../runner/model-run.js';
import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * The exit code of `run`, `sweep` and `demo` from each model's outcome (src/cli/exit-codes.ts):
 * - 130 when the user stopped the run (Ctrl-C / SIGTERM);
 * - 3 when a model stopped early on a fatal error (auth, quota, unsupported, server unreachable)
 *   or left planned items unasked (a dialogue cut short by a failed turn);
 * - 1 when a model ended with failed items beyond `--max-error-rate` (default: none tolerated;
 *   a model whose every attempted item failed is never acceptable, whatever the threshold);
 * - 0 otherwise.
 * A run that exits 0 with failed items is how "incomplete, exit 0" reached CI unnoticed.
 */
export function runExitCode(outcomes: readonly ModelRunOutcome[]): ExitCode {
  if (outcomes.some((o) => o.status === 'interrupted')) return EXIT.interrupted;
  if (outcomes.some((o) => o.fatalKind !== undefined)) return EXIT.incomplete;
  if (outcomes.some(failedBeyondTolerance)) return EXIT.failed;
  if (outcomes.some((o) => Object.values(o.results.tasks).some((t) => t.n_not_attempted > 0))) return EXIT.incomplete;
  return EXIT.ok;
}

function failedBeyondTolerance(outcome: ModelRunOutcome): boolean {
  if (outcome.status === 'failed') return true;
  const failed = Object.values(outcome.results.errors_by_kind ?? {}).reduce((sum, n) => sum + n, 0);
  if (failed === 0) return false;
  const attempted = Object.values(outcome.results.tasks).reduce((sum, t) => sum + t.n_scored + t.n_errors, 0);
  const tolerated = outcome.results.error_rate?.max ?? 0;
  return failed === attempted || failed / attempted > tolerated;
}
