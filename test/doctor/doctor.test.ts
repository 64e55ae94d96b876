import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { startSimulator } from '../../src/simulator/server.js';
import { serverRoot } from '../../src/providers/huggingface.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { freePort } from '../engines/llama-server.js';

/** `finharness doctor` against the simulator's vLLM, TGI and OpenAI personalities (llama.cpp: test/engines/doctor.test.ts). */
let vllm: SimulatorHandle;
let tgi: SimulatorHandle;
beforeAll(async () => {
  vllm = await startSimulator({ models: [{ name: 'fin-7b', accuracy: 1, root: '/models/fin-7b-step-600' }] });
  tgi = await startSimulator({ models: [{ name: 'org/fin-7b', accuracy: 1 }], tgi: { modelSha: 'abc123' }, strictModels: false });
});
afterAll(async () => {
  await vllm.close();
  await tgi.close();
});

const row = (stdout: string, check: string) => stdout.split('\n').find((line) => line.startsWith(`| ${check} |`)) ?? `(no row "${check}")`;

describe('finharness doctor', () => {
  it('vLLM: identity from /v1/models root, both routes, prompt log-probabilities', async () => {
    const result = await runCli(['doctor', `openai-compatible:fin-7b@${vllm.url}`]);
    expect(result.code).toBe(0);
    expect(row(result.stdout, 'engine')).toMatch(/\| vLLM \|/);
    expect(row(result.stdout, 'listing / identity')).toMatch(/\| ok \| fin-7b @ \/models\/fin-7b-step-600 \(vllm \/v1\/models\)/);
    expect(row(result.stdout, 'context size')).toMatch(/8192 tokens per request/);
    expect(row(result.stdout, 'chat route')).toMatch(/\| ok \|/);
    expect(row(result.stdout, 'completions route')).toMatch(/\| ok \|/);
    expect(row(result.stdout, 'prompt log-probabilities (--scoring loglik)')).toMatch(/\| ok \| log-probabilities/);
  });

  it('TGI: identity from /info', async () => {
    const result = await runCli(['doctor', `huggingface:org/fin-7b@${serverRoot(tgi.url)}`]);
    expect(result.code).toBe(0);
    expect(row(result.stdout, 'listing / identity')).toMatch(/\| ok \| org\/fin-7b @ abc123 \(tgi \/info\)/);
    expect(row(result.stdout, 'chat route')).toMatch(/\| ok \|/);
    expect(row(result.stdout, 'completions route')).toMatch(/\| ok \|/);
  });

  it('OpenAI: a hosted API names its snapshot per answer; no prompt log-probabilities on the chat API', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'finharness.config.yaml'), `endpoints:\n  gpt:\n    provider: openai\n    model: fin-7b\n    base_url: ${vllm.url}\n    api_key_env: SIM_KEY\n`);
    const result = await runCli(['doctor', 'gpt', '--config', join(dir, 'finharness.config.yaml')], { SIM_KEY: 'sk-sim' });
    expect(result.code).toBe(0);
    expect(row(result.stdout, 'listing / identity')).toMatch(/hosted API/);
    expect(row(result.stdout, 'prompt log-probabilities (--scoring loglik)')).toMatch(/\| NO \|/);
    expect(result.stdout).not.toContain('sk-sim');
  });

  it('a server that answers nothing: both routes NO, exit 3', async () => {
    const result = await runCli(['doctor', `openai-compatible:x@http://127.0.0.1:${await freePort()}/v1`]);
    expect(row(result.stdout, 'chat route')).toMatch(/\| NO \| connection/);
    expect(result.code).toBe(3);
  });
});
