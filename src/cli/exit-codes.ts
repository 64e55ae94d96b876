/**
 * The exit codes of every finharness command, in one place: CI jobs branch on them, so each has one
 * meaning across `run`, `sweep`, `merge`, `compare`, `score` and `data`. Documented in the README
 * ("Exit codes"); keep the two in step.
 */
export const EXIT = {
  /** Everything asked for was done: every planned item answered and scored, no gate fired. */
  ok: 0,
  /**
   * The work finished but its result is not acceptable: items failed beyond `--max-error-rate`
   * (default: none tolerated), or a `compare --fail-on` gate fired.
   */
  failed: 1,
  /** Bad input or usage: one line names the file, line, field and what was expected. */
  badInput: 2,
  /**
   * The work did not finish: a run stopped early (server unreachable, authentication, quota, a
   * feature the engine does not support), or `compare` was given an unfinished run or a model
   * with no scored item on a task (without `--allow-incomplete`). Resume or re-run, then retry.
   */
  incomplete: 3,
  /** A bug in finharness: the message carries a stack trace (keys redacted). */
  internal: 70,
  /** Stopped by Ctrl-C / SIGTERM; samples written so far are kept, `--run-id` resumes. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
