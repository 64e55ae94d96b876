import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tabulateAnswerKey } from '../../src/simulator/answer-key.js';
import { fakeItems, fakeSentimentTask } from './fixtures.js';

// The standalone entry point only exists compiled; `npm test` builds before running vitest.
const MAIN = fileURLToPath(new URL('../../dist/src/simulator/main.js', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Start main.js and resolve with the URL from its one stdout line. */
function launch(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (data) => (stderr += String(data)));
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const match = /^listening (http:\/\/127\.0\.0\.1:\d+\/v1)$/.exec(line);
      if (match) resolve({ child, url: match[1]! });
      else reject(new Error(`unexpected first line: ${line}`));
    });
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

describe.skipIf(!existsSync(MAIN))('simulator main (separate process)', () => {
  it('serves the demo models, answers after the configured latency, and exits cleanly on SIGTERM', async () => {
    const { child, url } = await launch(['--port', '0', '--latency-ms', '50']);
    const models: any = await (await fetch(`${url}/models`)).json();
    expect(models.data.map((m: any) => m.id)).toEqual(['sim-base', 'sim-finetuned', 'sim-gpt-4o-like']);
    const started = Date.now();
    const response = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'sim-base', messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('reports --root and --parent in /v1/models, and refuses them for a model it does not serve', async () => {
    const { child, url } = await launch(['--model', 'base:1', '--model', 'lora:1', '--root', 'base=/w/base', '--root', 'lora=/w/lora', '--parent', 'lora=base']);
    const models: any = await (await fetch(`${url}/models`)).json();
    expect(models.data.map((m: any) => [m.id, m.root, m.parent])).toEqual([
      ['base', '/w/base', null],
      ['lora', '/w/lora', 'base'],
    ]);
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
    await expect(launch(['--model', 'base:1', '--parent', 'other=base'])).rejects.toThrow(/--parent "other=base": expected NAME=VALUE/);
  });

  it('takes models and a tabulated answer key from the command line', async () => {
    const task = fakeSentimentTask();
    const items = fakeItems(3);
    const dir = await mkdtemp(join(tmpdir(), 'finharness-sim-'));
    try {
      const keyFile = join(dir, 'key.json');
      await writeFile(keyFile, JSON.stringify(tabulateAnswerKey([{ task, items }])));
      const { child, url } = await launch(['--model', 'sim-x:1', '--answer-key', keyFile]);
      const response = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'sim-x', messages: task.buildMessages(items[2]!) }),
      });
      expect(((await response.json()) as any).choices[0].message.content).toBe(items[2]!.gold);
      child.kill('SIGINT');
      expect(await exitCode(child)).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad arguments with a usage message and exit code 2', async () => {
    const child = spawn(process.execPath, [MAIN, '--model', 'sim-x:1.5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (data) => (stderr += String(data)));
    expect(await exitCode(child)).toBe(2);
    expect(stderr).toMatch(/not a probability/);
    expect(stderr).toMatch(/usage:/);
  });
});
