import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/store/results.js';
import type { SampleRecord } from '../../src/store/samples.js';
import { loadTaskData } from '../../src/cli/datasets.js';
import { buildAnswerKey } from '../../src/simulator/answer-key.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/server.js';
import { getTask } from '../../src/tasks/registry.js';
import { CLI, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { hostileOutputs, LIGHT_PAYLOADS } from '../helpers/hostile-outputs.js';

/**
 * Model output is hostile input. Every task's parser and scorer reads every payload of
 * test/helpers/hostile-outputs.ts without throwing, within a hang guard, in bounded memory,
 * without evaluating any of it; then real runs (HTTP, runner, samples, results) and `compare` take
 * the same payloads end to end.
 */

// `<task>@<prompt set>`: the task asked and read with that prompt set (src/tasks/prompt-sets.ts).
const ALL_TASKS = ['fpb', 'fiqa-sa', 'headlines', 'ner', 'finer-ord', 'finer-ord:scorer=authors', 'finqa', 'finqa:answer=program', 'convfinqa', 'tatqa', 'gsm8k', 'mmlu', 'fpb@finben', 'fiqa-sa@finben', 'ner@finben', 'headlines@finben', 'finqa@finben'];
const RUN_TASKS = ['fpb', 'headlines', 'ner', 'finer-ord', 'finqa', 'finqa:answer=program', 'tatqa', 'gsm8k', 'mmlu'];
/** A hang guard, not a performance assertion: every parse measured here takes well under a second. */
const PARSE_DEADLINE_MS = 5_000;
/** A parser that allocates without bound dies here instead of taking the machine with it. */
const WORKER_HEAP_MB = 1_024;

const pwnedFile = join(tempDir('fh-pwned-'), 'pwned');
const payloads = hostileOutputs(pwnedFile);

interface ParseReport {
  spec: string;
  payload: string;
  error?: string;
  ms?: number;
  scores?: Record<string, unknown>;
  predictionChars?: number;
  signs?: string[];
}

// The worker runs the built modules (tests run after `npm run build`, as the CLI tests do), so a
// parse that never returns can be stopped: a synchronous hang in this thread would stop the test runner too.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { getTask } = await import(workerData.registry);
  const { loadTaskData } = await import(workerData.datasets);
  const { withPromptSet } = await import(workerData.promptSets);
  for (const spec of workerData.specs) {
    const [id, promptSet] = spec.split('@');
    const task = promptSet === undefined ? getTask(id) : withPromptSet(getTask(id), promptSet);
    const item = (await loadTaskData(task)).items[0];
    for (const [payload, output] of Object.entries(workerData.payloads)) {
      parentPort.postMessage({ type: 'start', spec, payload });
      const started = performance.now();
      const report = { spec, payload };
      try {
        const parsed = task.parseOutput(output, item);
        const scores = task.scoreItem(parsed.prediction, item);
        report.ms = performance.now() - started;
        report.scores = scores;
        report.predictionChars = JSON.stringify(parsed.prediction ?? null).length + String(parsed.note ?? '').length;
      } catch (error) {
        report.error = String((error && error.stack) || error);
      }
      const signs = [];
      if (globalThis.__pwned !== undefined) signs.push('globalThis.__pwned = ' + String(globalThis.__pwned));
      if ({}.polluted !== undefined) signs.push('Object.prototype.polluted is set');
      report.signs = signs;
      parentPort.postMessage({ type: 'done', report });
    }
  }
  parentPort.postMessage({ type: 'end' });
})().catch((error) => parentPort.postMessage({ type: 'fatal', error: String((error && error.stack) || error) }));
`;

function parseInWorker(specs: readonly string[], outputs: Record<string, string>): Promise<ParseReport[]> {
  const dist = new URL('../../dist/src/', import.meta.url);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { specs, payloads: outputs, registry: new URL('tasks/registry.js', dist).href, datasets: new URL('cli/datasets.js', dist).href, promptSets: new URL('tasks/prompt-sets.js', dist).href },
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  return new Promise((resolve, reject) => {
    const reports: ParseReport[] = [];
    let guard: NodeJS.Timeout | undefined;
    const fail = (error: Error) => {
      clearTimeout(guard);
      void worker.terminate();
      reject(error);
    };
    worker.on('message', (message: { type: string; spec?: string; payload?: string; report?: ParseReport; error?: string }) => {
      clearTimeout(guard);
      if (message.type === 'start') {
        guard = setTimeout(() => fail(new Error(`${message.spec} did not finish parsing "${message.payload}" within ${PARSE_DEADLINE_MS} ms`)), PARSE_DEADLINE_MS);
      } else if (message.type === 'done') reports.push(message.report!);
      else if (message.type === 'fatal') fail(new Error(message.error));
      else {
        void worker.terminate();
        resolve(reports);
      }
    });
    // Out of memory (ERR_WORKER_OUT_OF_MEMORY) or a crash: name the parse that was running.
    worker.on('error', (error) => fail(new Error(`worker died after ${reports.length} parses (last: ${JSON.stringify(reports.at(-1)?.payload)}): ${error.message}`)));
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('hostile model output: every parser', () => {
  it(`reads every payload for every task without throwing, within ${PARSE_DEADLINE_MS / 1000} s each, without evaluating it`, async () => {
    expect(existsSync(CLI), 'run `npm run build` first').toBe(true);
    const reports = await parseInWorker(ALL_TASKS, payloads);
    expect(reports).toHaveLength(ALL_TASKS.length * Object.keys(payloads).length);
    const failures = reports.filter((r) => r.error !== undefined).map((r) => `${r.spec} × ${r.payload}: ${r.error}`);
    expect(failures).toEqual([]);
    for (const report of reports) {
      const where = `${report.spec} × ${report.payload}`;
      expect(report.signs, where).toEqual([]);
      expect(Object.keys(report.scores ?? {}).length, where).toBeGreaterThan(0);
      for (const value of Object.values(report.scores ?? {})) expect(Number.isFinite(value), `${where}: ${String(value)}`).toBe(true);
      // Whatever is kept of a parse (prediction and note) is bounded by what the parsers read.
      expect(report.predictionChars, where).toBeLessThan(2_100_000);
    }
    expect(existsSync(pwnedFile)).toBe(false);
  });
});

/** An OpenAI-compatible endpoint that answers with the payloads in order, one per request. */
async function startHostileServer(outputs: readonly string[]): Promise<{ url: string; close(): Promise<void> }> {
  let served = 0;
  const server: Server = createServer((req, res) => {
    // Only chat completions: anything else (e.g. GET /v1/models) is a 404, as on servers without it.
    if (req.method !== 'POST') {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error', param: null, code: null } }));
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const model = (JSON.parse(body) as { model: string }).model;
      const index = served++;
      const content = outputs[index % outputs.length]!;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${index}`,
          object: 'chat.completion',
          created: 1_700_000_000,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('hostile model output: end to end', () => {
  // Every light payload, then one program of a million steps: each task's items get them in order.
  const order = [...LIGHT_PAYLOADS, 'millionSteps'] as const;
  let server: Awaited<ReturnType<typeof startHostileServer>>;
  // The simulator's oracle answers every item right, so the hostile model's wrong answers land in the item diff.
  let oracle: SimulatorHandle;
  beforeAll(async () => {
    server = await startHostileServer(order.map((name) => payloads[name]!));
    const sources = await Promise.all(RUN_TASKS.map(async (spec) => ({ task: getTask(spec), items: (await loadTaskData(getTask(spec))).items })));
    oracle = await startSimulator({ models: [{ name: 'oracle', accuracy: 1 }], answerKey: buildAnswerKey(sources) });
  });
  afterAll(async () => {
    await server?.close();
    await oracle?.close();
  });

  it('runs every task on the payloads (each item scored, none failed), and compare writes a bounded, escaped report', async () => {
    const out = tempDir();
    const reports = tempDir();
    // One request at a time, so the n-th item of each task gets the n-th payload.
    const args = ['run', '-m', `hostile=openai-compatible:hostile@${server.url}`, '-m', `oracle=openai-compatible:oracle@${oracle.url}`, '-t', RUN_TASKS.join(','), '--limit', String(order.length), '-c', '1', '--no-cache', '-o', out, '--run-id', 'hostile'];
    const run = await runCli(args, { FINHARNESS_CACHE: tempDir() });
    expect(run.code, run.stderr).toBe(0);

    const samples = readFileSync(join(out, 'hostile', 'hostile', 'samples.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SampleRecord);
    expect(samples).toHaveLength(RUN_TASKS.length * order.length);
    for (const sample of samples) {
      const where = `${sample.task} ${sample.item_id}`;
      expect(sample.error, where).toBeNull();
      expect(Object.keys(sample.scores).length, where).toBeGreaterThan(0);
    }
    // The outputs were stored as sent: the binary payload's lone surrogates and control characters included.
    expect(samples.some((s) => s.raw_output === payloads.binary)).toBe(true);
    const results = JSON.parse(readFileSync(join(out, 'hostile', 'hostile', 'results.json'), 'utf8')) as RunResults;
    for (const task of RUN_TASKS) expect(results.tasks[task], task).toMatchObject({ n_planned: order.length, n_scored: order.length, complete: true });

    const compare = await runCli(['compare', join(out, 'hostile'), '--base', 'oracle', '--resamples', '200', '-o', reports]);
    expect(compare.code, compare.stderr).toBe(0);
    const html = readFileSync(join(reports, 'comparison.html'), 'utf8');
    // (Booleans: a failed match must not print a megabyte of HTML.)
    // The item explorer carries the outputs as JSON that cannot close its script element (rendered as text: test/report/html-chromium.test.ts).
    expect(html.includes("\\u003cscript\\u003eglobalThis.__pwned = 'script'"), 'the HTML payload is in the explorer data, its markup escaped').toBe(true);
    expect(html.includes('<script>globalThis.__pwned'), 'a raw <script> payload').toBe(false);
    expect(/<img src=x|<iframe/i.test(html), 'a raw <img onerror> or <iframe> payload').toBe(false);
    // Reports stay small whatever the model sent (raw outputs and predictions are cut in the item diff).
    const comparison = JSON.parse(readFileSync(join(reports, 'comparison.json'), 'utf8')) as { tasks: { item_diffs: { outputs: Record<string, { raw_output: string | null; prediction: unknown }> }[] }[] };
    const shown = comparison.tasks.flatMap((task) => task.item_diffs.flatMap((diff) => Object.values(diff.outputs)));
    expect(shown.length).toBeGreaterThan(RUN_TASKS.length);
    for (const output of shown) {
      expect(output.raw_output?.length ?? 0).toBeLessThanOrEqual(2_000);
      expect(JSON.stringify(output.prediction).length).toBeLessThan(2_100);
    }
    // (The HTML carries ~1.2 MB of Vega libraries.)
    for (const file of filesUnder(reports)) expect(statSync(file).size, file).toBeLessThan(file.endsWith('.html') ? 2_000_000 : 1_000_000);
    expect(existsSync(pwnedFile)).toBe(false);
  });
});
