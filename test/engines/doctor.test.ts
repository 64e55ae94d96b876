import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { checkpoint, HAVE_LLAMA_SERVER, startLlamaServer } from './llama-server.js';

const row = (stdout: string, check: string) => stdout.split('\n').find((line) => line.startsWith(`| ${check} |`)) ?? `(no row "${check}")`;

describe.skipIf(!HAVE_LLAMA_SERVER)('finharness doctor against the real llama-server', { timeout: 60_000 }, () => {
  it('prints what the harness can do with it', async () => {
    const server = await startLlamaServer({ model: checkpoint(600), alias: 'fin', context: 512, parallel: 2 });
    try {
      const result = await runCli(['doctor', `openai-compatible:fin@${server.url}`]);
      expect(result.code).toBe(0);
      expect(row(result.stdout, 'engine')).toMatch(/\| llama\.cpp \|/);
      expect(row(result.stdout, 'listing / identity')).toMatch(/\| ok \| fin @ .*ckpt-600\.gguf \(build .*\) \(llama\.cpp \/props\)/);
      expect(row(result.stdout, 'context size')).toMatch(/256 tokens per request/);
      expect(row(result.stdout, 'chat route')).toMatch(/\| ok \|/);
      expect(row(result.stdout, 'completions route')).toMatch(/\| ok \|/);
      expect(row(result.stdout, 'prompt log-probabilities (--scoring loglik)')).toMatch(/\| NO \| llama\.cpp .*Only no echo is supported/);
      expect(row(result.stdout, 'seed determinism')).toMatch(/\| ok \|/);
      expect(row(result.stdout, 'prompt token count')).toMatch(/\| ok \| \d+ tokens, equal to the server's usage/);
      expect(row(result.stdout, 'prompt longer than the context')).toMatch(/silently truncated to \d+ of \d+ tokens/);
    } finally {
      await server.stop();
    }
  });
});
