import { UserError } from '../util/errors.js';
import type { ResponseCache } from '../cache/response-cache.js';
import type { EndpointSpec, Provider } from '../providers/provider.js';
import { assertScoringSupported } from './loglik.js';
import { importBatchRunner, runModel, type ModelRunOutcome } from './model-run.js';
import type { PlannedTask, RunSettings } from './plan.js';
import { formatDuration, Progress, type ProgressMode } from './progress.js';
import { RunLock } from '../store/lock.js';
import { runDir } from '../store/layout.js';
import type { RetryHooks } from './retry.js';
import { serverLimiters } from './server-limiters.js';

export interface RunDependencies {
  cache: ResponseCache;
  createProvider: (endpoint: EndpointSpec) => Provider;
  signal?: AbortSignal;
  progress?: { mode: ProgressMode; stream: { write(text: string): unknown }; intervalMs?: number };
  retryHooks?: Pick<RetryHooks, 'sleep' | 'random' | 'onRetry'>;
}

/**
 * Evaluate every endpoint on every planned task. Endpoints run side by side, each server with its
 * own adaptive concurrency limit, so a slow GPU endpoint never holds back the GPT-4o reference or
 * vice versa; endpoints on the same server share that server's limit.
 */
export async function runEvaluation(endpoints: readonly EndpointSpec[], tasks: readonly PlannedTask[], settings: RunSettings, deps: RunDependencies): Promise<ModelRunOutcome[]> {
  const total = endpoints.length * tasks.reduce((sum, t) => sum + t.items.length, 0) * settings.repeats;
  const progress = new Progress({ total, mode: deps.progress?.mode ?? 'none', stream: deps.progress?.stream ?? process.stderr, ...(deps.progress?.intervalMs === undefined ? {} : { intervalMs: deps.progress.intervalMs }) });
  if (settings.batch) {
    const { assertBatchCapable } = await importBatchRunner();
    endpoints.forEach(assertBatchCapable);
  }
  if (settings.batch && settings.scoring === 'loglik') throw new UserError('--batch sends chat completions; it cannot be combined with --scoring loglik');
  // Providers are created before any request so that a missing key fails the run up front.
  const providers = endpoints.map((endpoint) => deps.createProvider(endpoint));
  // Likewise a model or task that cannot run in the scoring mode, before any model starts.
  for (const [index, endpoint] of endpoints.entries()) await assertScoringSupported(endpoint, providers[index]!, tasks, settings);
  const lock = RunLock.acquire(runDir(settings.outDir, settings.runId));
  try {
    return await runModels(endpoints, providers, tasks, settings, deps, progress);
  } finally {
    lock.release();
  }
}

async function runModels(
  endpoints: readonly EndpointSpec[],
  providers: readonly Provider[],
  tasks: readonly PlannedTask[],
  settings: RunSettings,
  deps: RunDependencies,
  progress: Progress,
): Promise<ModelRunOutcome[]> {
  // Endpoints on the same server (LoRA checkpoints behind one vLLM) share one limiter and budget.
  const limiters = serverLimiters(endpoints, settings);
  const outcomes = await Promise.all(
    endpoints.map((endpoint, index) =>
      runModel(endpoint, tasks, settings, {
        provider: providers[index]!,
        cache: deps.cache,
        limiter: limiters.get(endpoint.name)!,
        ...(deps.signal ? { signal: deps.signal } : {}),
        retryHooks: {
          ...deps.retryHooks,
          onRetry: (error, attempt, delayMs) => {
            deps.retryHooks?.onRetry?.(error, attempt, delayMs);
            // A scale-to-zero endpoint waking up can take minutes: say so instead of a stalled counter.
            if (error.kind === 'loading') progress.note(`${endpoint.name}: the model is loading (cold start); asking again in ${formatDuration(delayMs / 1000)}`);
          },
        },
        onResumed: (count) => progress.markSkipped(count),
        onSample: (outcome) => progress.tick(outcome),
        batchHooks: { log: (line, notice) => (notice || (deps.progress && deps.progress.mode !== 'none')) && (deps.progress?.stream ?? process.stderr).write(`${endpoint.name}: ${line}\n`) },
      }),
    ),
  );
  progress.finish();
  return outcomes;
}
