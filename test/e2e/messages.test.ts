import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { writeRunFolder } from '../helpers/run-folders.js';

/** An OpenAI-compatible server with chat completions and /models only, as vLLM is: everything else is a 404. */
async function chatOnlyServer() {
  let chats = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url?.endsWith('/chat/completions')) {
        chats++;
        return reply(200, { id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'neutral' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });
      }
      if (req.url?.endsWith('/models')) return reply(200, { object: 'list', data: [{ id: 'm', object: 'model' }] });
      return reply(404, { detail: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    chats: () => chats,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// Everyday mistakes each get one line that says what to do, and exit code 2 (bad input).
describe('one-line messages for everyday mistakes', () => {
  it('a flag typo: one line with the suggestion, not the whole help', async () => {
    const result = await runCli(['run', '-m', 'x', '--limt', '5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("finharness: unknown option '--limt' (did you mean --limit?); see `finharness run --help`\n");
    const command = await runCli(['compaer']);
    expect(command.code).toBe(2);
    expect(command.stderr).toBe("finharness: unknown command 'compaer' (did you mean compare?); see `finharness --help`\n");
    const value = await runCli(['run', '-m', 'x', '-c', 'many']);
    expect(value.code).toBe(2);
    expect(value.stderr.trim().split('\n')).toEqual(["finharness: option '-c, --concurrency <n>' argument 'many' is invalid. --concurrency must be a whole number from 1 to 4096; see `finharness run --help`"]);
  });

  it('help and --version still print in full and exit 0', async () => {
    const help = await runCli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n').length).toBeGreaterThan(20);
    expect((await runCli(['--version'])).code).toBe(0);
  });

  it('--shots on MMLU test data without its dev split: says to add --shots-data <the release>/dev', async () => {
    const release = tempDir();
    mkdirSync(join(release, 'test'));
    mkdirSync(join(release, 'dev'));
    // A subject the bundled demonstration sample does not cover.
    writeFileSync(join(release, 'test', 'econometrics_test.csv'), 'What is a residual?,a,b,c,d,A\n');
    const result = await runCli(['run', '-m', 'sim=openai-compatible:x@http://127.0.0.1:9/v1', '-t', 'mmlu', '--data', join(release, 'test'), '--shots', '5', '--dry-run'], { FINHARNESS_CACHE: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `finharness: --shots 5 needs at least 5 demonstrations of group "econometrics" outside the evaluated set; the pool has 0 (the default pool, the task's bundled sample, does not cover your data): add --shots-data ${join(release, 'dev')}\n`,
    );
  });

  it('--batch against a server without the Batch API (vLLM, TGI): refused in one line before any request, even when every answer is cached', async () => {
    const server = await chatOnlyServer();
    try {
      const env = { FINHARNESS_CACHE: tempDir() };
      const out = tempDir();
      const model = `vllm=openai-compatible:m@${server.url}`;
      const direct = await runCli(['run', '-m', model, '-t', 'fpb', '--limit', '3', '-o', out, '--run-id', 'd'], env);
      expect(direct.code, direct.stderr).toBe(0);
      const chats = server.chats();
      for (const runId of ['b1', 'b2']) {
        const batch = await runCli(['run', '-m', model, '-t', 'fpb', '--limit', '3', '-o', out, '--run-id', runId, '--batch'], env);
        expect(batch.code).toBe(2);
        // The run's own notes (bundled sample, run folder) come first; the refusal is one line.
        expect(batch.stderr.trim().split('\n').at(-1)).toBe(`finharness: --batch: ${server.url} has no Batch API (HTTP 404 on GET /batches; vLLM, TGI and llama.cpp offer none): run model "vllm" without --batch`);
        expect(batch.stderr.match(/^finharness:/gm)).toHaveLength(1);
      }
      expect(server.chats()).toBe(chats);
    } finally {
      await server.close();
    }
  });

  it('compare --step-summary outside GitHub Actions warns in one line instead of doing nothing', async () => {
    const out = tempDir();
    for (const model of ['a', 'b']) await writeRunFolder({ outDir: out, runId: 'r', model, tasks: [{ id: 'fpb' }] });
    const env = { GITHUB_STEP_SUMMARY: '' };
    const result = await runCli(['compare', join(out, 'r'), '-o', join(out, 'report'), '--resamples', '200', '--step-summary'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('compare: --step-summary: GITHUB_STEP_SUMMARY is not set (it is set inside GitHub Actions jobs); no step summary written, the Markdown is in ' + join(out, 'report', 'comparison.md') + '\n');
  });
});
