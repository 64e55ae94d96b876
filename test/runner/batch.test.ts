import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTaskData } from '../../src/cli/datasets.js';
import { NO_CACHE, SqliteResponseCache } from '../../src/cache/response-cache.js';
import { createProvider } from '../../src/providers/registry.js';
import { readBatchState } from '../../src/runner/batch-state.js';
import { planTask, type PlannedTask, type RunSettings } from '../../src/runner/plan.js';
import { abortableSleep } from '../../src/runner/retry.js';
import { runEvaluation, type RunDependencies } from '../../src/runner/run.js';
import { buildAnswerKey } from '../../src/simulator/answer-key.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/server.js';
import type { SampleRecord } from '../../src/store/samples.js';
import { getTask } from '../../src/tasks/registry.js';
import { fpbSimulator, plannedFpb, simEndpoint, tempDir, testSettings } from '../helpers/fixtures.js';

const samplesOf = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SampleRecord);

/** Polls cost nothing in tests: the simulator moves a batch one status per poll. */
const instant = { sleep: async () => {} };
const deps = (extra: Partial<RunDependencies> = {}): RunDependencies => ({ cache: NO_CACHE, createProvider, retryHooks: instant, ...extra });
const batchSettings = (out: string, runId: string, extra: Partial<RunSettings> = {}) => testSettings(out, runId, { batch: true, ...extra });

let simulator: SimulatorHandle | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

const MODEL = { name: 'sim-noisy', accuracy: 0.7, verboseRate: 0.3, unparseableRate: 0.05 };

async function directAndBatched(tasks: PlannedTask[]) {
  const out = tempDir();
  const endpoint = simEndpoint(simulator!, MODEL.name);
  const [direct] = await runEvaluation([endpoint], tasks, testSettings(out, 'direct'), deps());
  const chatBefore = simulator!.stats().chatCompletions;
  const [batched] = await runEvaluation([endpoint], tasks, batchSettings(out, 'batched'), deps());
  return { direct: direct!, batched: batched!, directRequests: chatBefore, batchChatRequests: simulator!.stats().chatCompletions - chatBefore };
}

describe('--batch: the OpenAI Batch API', () => {
  it('scores fpb exactly as a direct run does, every answer from one batch', async () => {
    simulator = await fpbSimulator([MODEL]);
    const { direct, batched, batchChatRequests } = await directAndBatched([await plannedFpb()]);
    expect(batched.status).toBe('complete');
    expect(batchChatRequests).toBe(0);
    expect(simulator.batchStats()).toMatchObject({ filesUploaded: 1, batchesCreated: 1, batchRequests: 40 });
    expect(batched.results.tasks.fpb!.metrics).toEqual(direct.results.tasks.fpb!.metrics);
    expect(batched.results.tasks.fpb!.usage).toEqual(direct.results.tasks.fpb!.usage);
    expect(JSON.parse(readFileSync(batched.paths.manifest, 'utf8')).batch).toBe(true);
    expect(JSON.parse(readFileSync(direct.paths.manifest, 'utf8')).batch).toBeUndefined();
    const samples = samplesOf(batched.paths.samples);
    expect(samples).toHaveLength(40);
    const batchIds = new Set(samples.map((s) => s.batch_id));
    expect(batchIds.size).toBe(1);
    expect([...batchIds][0]).toMatch(/^batch_/);
    expect(samples[0]).toMatchObject({ cached: false, error: null, attempts: 1, served_model: MODEL.name });
    expect(samples[0]!.usage!.prompt_tokens).toBeGreaterThan(0);
    const directSamples = new Map(samplesOf(direct.paths.samples).map((s) => [s.item_id, s]));
    for (const sample of samples) {
      expect(sample.messages_hash).toBe(directSamples.get(sample.item_id)!.messages_hash);
      expect(sample.raw_output).toBe(directSamples.get(sample.item_id)!.raw_output);
    }
    const state = readBatchState(join(batched.paths.dir, 'batches.json'));
    expect(state.batches).toHaveLength(1);
    expect(state.batches[0]).toMatchObject({ collected: true, status: 'completed', request_counts: { total: 40, completed: 40, failed: 0 } });
  });

  it('asks a dialogue task (ConvFinQA) turn by turn, one batch per round, with the same scores as a direct run', async () => {
    const task = getTask('convfinqa');
    const data = await loadTaskData(task);
    simulator = await startSimulator({ models: [MODEL], answerKey: buildAnswerKey([{ task, items: data.items }]) });
    const planned = planTask(task, data, null);
    const { direct, batched } = await directAndBatched([planned]);
    expect(batched.status).toBe('complete');
    expect(batched.results.tasks.convfinqa!.metrics).toEqual(direct.results.tasks.convfinqa!.metrics);
    const turnsPerDialogue = new Map<string, number>();
    for (const item of planned.items) turnsPerDialogue.set(task.dialogueOf!(item), (turnsPerDialogue.get(task.dialogueOf!(item)) ?? 0) + 1);
    const longest = Math.max(...turnsPerDialogue.values());
    expect(longest).toBeGreaterThan(1);
    // One round per turn position: turn k of every conversation together.
    expect(simulator.batchStats()).toMatchObject({ batchesCreated: longest, batchRequests: planned.items.length });
    const directSamples = new Map(samplesOf(direct.paths.samples).map((s) => [s.item_id, s]));
    for (const sample of samplesOf(batched.paths.samples)) expect(sample.messages_hash).toBe(directSamples.get(sample.item_id)!.messages_hash);
  });

  it('re-attaches a restarted run to the batch it already submitted instead of paying twice', async () => {
    simulator = await fpbSimulator([MODEL]);
    const out = tempDir();
    const endpoint = simEndpoint(simulator, MODEL.name);
    const tasks = [await plannedFpb()];
    const interrupt = new AbortController();
    const notices: string[] = [];
    // Ctrl-C at the first wait between polls, i.e. after the batch was created.
    const stopAtFirstPoll = {
      sleep: (ms: number, signal?: AbortSignal) => {
        interrupt.abort(new Error('interrupted'));
        return abortableSleep(ms, signal);
      },
    };
    const [first] = await runEvaluation([endpoint], tasks, batchSettings(out, 'r'), {
      ...deps({ retryHooks: stopAtFirstPoll, signal: interrupt.signal }),
      progress: { mode: 'none', stream: { write: (text: string) => notices.push(text) } },
    });
    expect(first!.status).toBe('interrupted');
    expect(existsSync(first!.paths.samples) ? readFileSync(first!.paths.samples, 'utf8') : '').toBe('');
    expect(notices.join('')).toMatch(/left running.*--run-id r/);
    const state = readBatchState(join(first!.paths.dir, 'batches.json'));
    expect(state.batches).toHaveLength(1);
    expect(state.batches[0]!.collected).toBe(false);
    expect(Object.keys(state.batches[0]!.requests)).toHaveLength(40);

    // Resuming without --batch would ask those items directly and pay for them again.
    await expect(runEvaluation([endpoint], tasks, testSettings(out, 'r'), deps())).rejects.toThrow(/1 batch\(es\) still open .*resume it with --batch/);
    expect(simulator.stats().chatCompletions).toBe(0);

    const [second] = await runEvaluation([endpoint], tasks, batchSettings(out, 'r'), deps());
    expect(second!.status).toBe('complete');
    expect(simulator.batchStats()).toMatchObject({ filesUploaded: 1, batchesCreated: 1, batchRequests: 40 });
    expect(second!.requested).toBe(0);
    const samples = samplesOf(second!.paths.samples);
    expect(samples).toHaveLength(40);
    expect(new Set(samples.map((s) => s.batch_id))).toEqual(new Set([state.batches[0]!.id]));

    // A third run finds everything on disk: no batch, no poll.
    const polls = simulator.batchStats().batchPolls;
    await runEvaluation([endpoint], tasks, batchSettings(out, 'r'), deps());
    expect(simulator.batchStats()).toMatchObject({ batchesCreated: 1, batchPolls: polls });
  });

  it('re-submits only the items an expired batch did not answer', async () => {
    simulator = await fpbSimulator([MODEL]);
    simulator.injectBatchFaults({ kind: 'expire', answered: 15 });
    const { direct, batched } = await directAndBatched([await plannedFpb()]);
    expect(batched.status).toBe('complete');
    expect(simulator.batchStats()).toMatchObject({ batchesCreated: 2, batchRequests: 40 + 25 });
    expect(batched.results.tasks.fpb!.metrics).toEqual(direct.results.tasks.fpb!.metrics);
    const samples = samplesOf(batched.paths.samples);
    expect(samples).toHaveLength(40);
    const perBatch = new Map<string | undefined, number>();
    for (const sample of samples) perBatch.set(sample.batch_id, (perBatch.get(sample.batch_id) ?? 0) + 1);
    expect([...perBatch.values()].sort((a, b) => a - b)).toEqual([15, 25]);
    expect(samples.filter((s) => s.attempts === 2)).toHaveLength(25);
  });

  it('re-submits a batch that failed validation', async () => {
    simulator = await fpbSimulator([MODEL]);
    simulator.injectBatchFaults({ kind: 'validation_failed' });
    const { batched } = await directAndBatched([await plannedFpb()]);
    expect(batched.status).toBe('complete');
    expect(simulator.batchStats()).toMatchObject({ batchesCreated: 2, batchRequests: 80 });
  });

  it('retries per-line 429/500 errors in a later batch, within the attempt limit, and fails 400 lines at once', async () => {
    simulator = await fpbSimulator([MODEL]);
    simulator.injectBatchFaults({ kind: 'line_errors', status: 500, lines: [0, 1] }, { kind: 'line_errors', status: 429, lines: [0] });
    const out = tempDir();
    const [run] = await runEvaluation([simEndpoint(simulator, MODEL.name)], [await plannedFpb()], batchSettings(out, 'lines', { retry: { ...testSettings(out, 'x').retry, maxAttempts: 2 } }), deps());
    // Batch 1: lines 0 and 1 fail (500); batch 2 holds those two and fails the first again (429): out of attempts.
    expect(simulator.batchStats()).toMatchObject({ batchesCreated: 2, batchRequests: 42 });
    expect(run!.status).toBe('incomplete');
    expect(run!.results.tasks.fpb).toMatchObject({ n_errors: 1, n_scored: 39 });
    const failed = samplesOf(run!.paths.samples).find((s) => s.error !== null)!;
    expect(failed).toMatchObject({ attempts: 2, error: { kind: 'rate_limit', status: 429 } });
    expect(failed.batch_id).toMatch(/^batch_/);

    simulator.injectBatchFaults({ kind: 'line_errors', status: 400, lines: [3] });
    const [bad] = await runEvaluation([simEndpoint(simulator, MODEL.name)], [await plannedFpb()], batchSettings(tempDir(), 'bad'), deps());
    expect(simulator.batchStats()).toMatchObject({ batchesCreated: 3, batchRequests: 82 });
    expect(bad!.results.tasks.fpb).toMatchObject({ n_errors: 1, n_scored: 39 });
    expect(samplesOf(bad!.paths.samples).find((s) => s.error !== null)).toMatchObject({ attempts: 1, error: { kind: 'bad_request', status: 400 } });
  });

  it('never submits items the cache already answers', async () => {
    simulator = await fpbSimulator([MODEL]);
    const cache = SqliteResponseCache.openInDir(tempDir());
    try {
      const out = tempDir();
      const endpoint = simEndpoint(simulator, MODEL.name);
      await runEvaluation([endpoint], [await plannedFpb(10)], testSettings(out, 'warm'), deps({ cache }));
      const [run] = await runEvaluation([endpoint], [await plannedFpb()], batchSettings(out, 'batched'), deps({ cache }));
      expect(run!.status).toBe('complete');
      expect(simulator.batchStats()).toMatchObject({ batchesCreated: 1, batchRequests: 30 });
      const samples = samplesOf(run!.paths.samples);
      expect(samples.filter((s) => s.cached)).toHaveLength(10);
      expect(samples.filter((s) => s.cached).every((s) => s.batch_id === undefined)).toBe(true);
      // Batched answers go into the cache: a direct run afterwards sends nothing.
      const before = simulator.stats().chatCompletions;
      await runEvaluation([endpoint], [await plannedFpb()], testSettings(out, 'after'), deps({ cache }));
      expect(simulator.stats().chatCompletions).toBe(before);
    } finally {
      cache.close();
    }
  });

  it('splits requests over several batches at the per-file limit', async () => {
    simulator = await fpbSimulator([MODEL]);
    const out = tempDir();
    const { runModel } = await import('../../src/runner/model-run.js');
    const endpoint = simEndpoint(simulator, MODEL.name);
    const outcome = await runModel(endpoint, [await plannedFpb()], batchSettings(out, 'split'), {
      provider: createProvider(endpoint),
      cache: NO_CACHE,
      retryHooks: instant,
      batchHooks: { limits: { maxRequests: 15, maxBytes: 200_000_000 } },
    });
    expect(outcome.status).toBe('complete');
    expect(simulator.batchStats()).toMatchObject({ filesUploaded: 3, batchesCreated: 3, batchRequests: 40 });
  });

  it('records a rejected upload as failed items, and a resumed run submits them', async () => {
    simulator = await fpbSimulator([MODEL]);
    simulator.injectBatchFaults({ kind: 'upload_rejected' });
    const out = tempDir();
    const endpoint = simEndpoint(simulator, MODEL.name);
    const [first] = await runEvaluation([endpoint], [await plannedFpb()], batchSettings(out, 'up'), deps());
    expect(first!.results.tasks.fpb).toMatchObject({ n_errors: 40 });
    expect(samplesOf(first!.paths.samples)[0]!.error).toMatchObject({ kind: 'bad_request', status: 400 });
    expect(simulator.batchStats().batchesCreated).toBe(0);
    const [second] = await runEvaluation([endpoint], [await plannedFpb()], batchSettings(out, 'up'), deps());
    expect(second!.status).toBe('complete');
    expect(simulator.batchStats()).toMatchObject({ batchesCreated: 1, batchRequests: 40 });
  });

  it('refuses --batch for providers without the Batch API', async () => {
    simulator = await fpbSimulator([MODEL]);
    const endpoint = { ...simEndpoint(simulator, MODEL.name), provider: 'huggingface' as const };
    await expect(runEvaluation([endpoint], [await plannedFpb()], batchSettings(tempDir(), 'hf'), deps())).rejects.toThrow(/--batch .*provider huggingface/);
  });
});
