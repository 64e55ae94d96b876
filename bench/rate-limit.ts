/**
 * `npm run bench:rate-limit`: the harness against the simulator (separate process) enforcing a
 * requests-per-minute limit, to see that adaptive concurrency finds the limit from the server's
 * headers and 429s and then stays just under it. Prints figures; asserts nothing.
 * Environment: BENCH_RL_N (default 2000 items), BENCH_RL_RPM (600), BENCH_RL_CONCURRENCY (64),
 * BENCH_LATENCY_MS (50). Takes about N / RPM minutes (~3.5 at the defaults).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResults } from '../src/store/results.js';
import { startSimulatorProcess } from './simulator-process.js';
import { writeSyntheticFpb } from './synthetic.js';

const CLI = join(fileURLToPath(new URL('..', import.meta.url)), 'src/cli/main.js');
const MODEL = 'sim-bench';
const N = Number(process.env.BENCH_RL_N ?? 2_000);
const RPM = Number(process.env.BENCH_RL_RPM ?? 600);
const CONCURRENCY = Number(process.env.BENCH_RL_CONCURRENCY ?? 64);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);

const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'fh-bench-rl-'));
  try {
    const { data, answerKey } = await writeSyntheticFpb(work, N);
    const simulator = await startSimulatorProcess(['--latency-ms', String(LATENCY_MS), '--rpm', String(RPM), '--model', `${MODEL}:0.85:0.02:0.3`, '--answer-key', answerKey!]);
    process.stderr.write(`bench rate-limit: ${N} FPB-style items, simulator limit ${RPM} requests/minute, latency ${LATENCY_MS} ms, harness concurrency ${CONCURRENCY}\n`);
    const out = join(work, 'runs');
    const args = ['run', '-m', `${MODEL}=openai-compatible:${MODEL}@${simulator.url}`, '-t', 'fpb', '--data', data, '-c', String(CONCURRENCY), '-o', out, '--run-id', 'rl', '--progress', 'none', '--no-cache'];
    const started = Date.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, FINHARNESS_CACHE: join(work, 'cache') } });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    const ended = Date.now();
    const stats = await simulator.stats();
    await simulator.stop();
    const results = JSON.parse(readFileSync(join(out, 'rl', MODEL, 'results.json'), 'utf8')) as RunResults;
    const first = stats.firstChatCompletionAt ?? started;
    // Chat completions the simulator let through (the /v1/models probe is not one).
    const answered = stats.chatCompletions - stats.rateLimitedAt.length;
    const perMinute = answered / ((ended - first) / 60_000);
    const firstMinute = stats.rateLimitedAt.filter((t) => t < first + 60_000).length;
    const failed = Object.values(results.errors_by_kind ?? {}).reduce((a, b) => a + b, 0);
    const limiter = results.rate_limiting;
    process.stdout.write(
      [
        `exit code ${code}; wall ${fmt((ended - started) / 1000, 1)} s (first request to exit ${fmt((ended - first) / 1000, 1)} s)`,
        `throughput ${fmt(perMinute, 1)} requests/minute = ${fmt(perMinute / RPM, 3)} of the limit (${answered} answered, ${stats.chatCompletions} HTTP requests)`,
        `429s: ${firstMinute} in the first minute, ${stats.rateLimitedAt.length - firstMinute} after`,
        `failed items: ${failed}; retried attempts: ${JSON.stringify(results.retries_by_kind ?? {})}`,
        limiter
          ? `limiter: concurrency ${limiter.ceiling} → min ${limiter.min_concurrency}, max ${limiter.max_concurrency}, final ${limiter.final_concurrency}; ${limiter.decreases} decreases, ${limiter.increases} increases, ${limiter.pauses} Retry-After pauses (${fmt(limiter.paused_ms)} ms)`
          : 'limiter: no stats in results.json',
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
