import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunManifest } from '../../src/store/manifest.js';
import type { SampleRecord } from '../../src/store/samples.js';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { runCli } from '../helpers/cli.js';
import { fpbSimulator, tempDir } from '../helpers/fixtures.js';

let simulator: SimulatorHandle;
beforeAll(async () => {
  simulator = await fpbSimulator([{ name: 'slow', accuracy: 0.8, latencyMs: 150 }]);
});
afterAll(() => simulator.close());

const args = (out: string, runId: string) => ['run', '-m', `slow=openai-compatible:slow@${simulator.url}`, '-t', 'fpb', '-o', out, '--run-id', runId, '-c', '2', '--no-cache'];
const samplesPath = (out: string, runId: string) => join(out, runId, 'slow', 'samples.jsonl');
const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);

/** Resolves once the run has written at least `n` samples. */
function afterSamples(path: string, n: number, act: () => void): (child: ChildProcess) => void {
  return () => {
    const poll = setInterval(() => {
      if (lines(path).length >= n) {
        clearInterval(poll);
        act();
      }
    }, 5);
  };
}

describe('run safety', () => {
  it('refuses a second process on the same run folder, and takes over a lock left by a killed one', async () => {
    const out = tempDir();
    let second: Awaited<ReturnType<typeof runCli>> | undefined;
    let first: ChildProcess | undefined;
    const firstDone = runCli(args(out, 'locked'), { FINHARNESS_CACHE: tempDir() }, (child) => {
      first = child;
      afterSamples(samplesPath(out, 'locked'), 2, () => {
        // Paused, the first run holds its lock however long the second takes to start (under load it
        // could otherwise finish all 40 items first, and nothing would be refused).
        first!.kill('SIGSTOP');
        void runCli(args(out, 'locked'), { FINHARNESS_CACHE: tempDir() }).then((result) => {
          second = result;
          first!.kill('SIGKILL');
        });
      })(child);
    });
    const killed = await firstDone;
    expect(killed.signal).toBe('SIGKILL');
    expect(second!.code).toBe(2);
    expect(second!.stderr).toMatch(/run folder .*locked is in use by process \d+ on .* use another --run-id/);
    expect(existsSync(join(out, 'locked', '.lock'))).toBe(true); // left behind by the killed process
    const resumed = await runCli(args(out, 'locked'), { FINHARNESS_CACHE: tempDir() });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(existsSync(join(out, 'locked', '.lock'))).toBe(false);
    expect(new Set(lines(samplesPath(out, 'locked')).map((l) => (JSON.parse(l) as SampleRecord).item_id)).size).toBe(40);
  });

  it('on Ctrl-C stops issuing requests, keeps what finished, says how to resume; the resumed run completes', async () => {
    const out = tempDir();
    let child: ChildProcess | undefined;
    const result = await runCli(args(out, 'int2'), {}, (c) => {
      child = c;
      afterSamples(samplesPath(out, 'int2'), 4, () => child!.kill('SIGINT'))(c);
    });
    expect(result.code).toBe(130); // EXIT.interrupted
    expect(result.stderr).toContain('stopping: no new requests');
    expect(result.stderr).toContain('--run-id int2');
    const manifest = JSON.parse(readFileSync(join(out, 'int2', 'slow', 'manifest.json'), 'utf8')) as RunManifest;
    expect(manifest.status).toBe('interrupted');
    const partial = lines(samplesPath(out, 'int2'));
    expect(partial.length).toBeGreaterThanOrEqual(4);
    expect(partial.length).toBeLessThan(40);
    const resumed = await runCli(args(out, 'int2'), {});
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(new Set(lines(samplesPath(out, 'int2')).map((l) => (JSON.parse(l) as SampleRecord).item_id)).size).toBe(40);
    expect(lines(samplesPath(out, 'int2'))).toHaveLength(40);
  });

  it('a second Ctrl-C exits at once without corrupting anything, and the run still resumes', async () => {
    const out = tempDir();
    const result = await runCli(args(out, 'twice'), {}, (child) => {
      // The second signal goes once the first has been handled (the kernel merges signals that are
      // still pending). Shutdown is quick, so the process may already be gone: both outcomes are valid.
      child.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('stopping: no new requests')) child.kill('SIGINT');
      });
      afterSamples(samplesPath(out, 'twice'), 3, () => child.kill('SIGINT'))(child);
    });
    expect([1, 130]).toContain(result.code);
    for (const line of lines(samplesPath(out, 'twice'))) expect(() => JSON.parse(line)).not.toThrow();
    const resumed = await runCli(args(out, 'twice'), {});
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lines(samplesPath(out, 'twice'))).toHaveLength(40);
  });

  it('explains an unwritable run folder or samples file instead of crashing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    const underFile = await runCli(['run', '-m', `slow=openai-compatible:slow@${simulator.url}`, '-t', 'fpb', '--limit', '2', '-o', join(dir, 'not-a-folder', 'runs'), '--no-cache']);
    expect(underFile.code).toBe(2);
    expect(underFile.stderr).toMatch(/cannot create run folder .*not-a-folder.*: a part of the path is a file, not a folder \(ENOTDIR\)/);
    expect(underFile.stderr).not.toMatch(/^\s+at /m);

    mkdirSync(join(dir, 'runs', 'x', 'slow', 'samples.jsonl'), { recursive: true });
    const folderInTheWay = await runCli(['run', '-m', `slow=openai-compatible:slow@${simulator.url}`, '-t', 'fpb', '--limit', '2', '-o', join(dir, 'runs'), '--run-id', 'x', '--no-cache']);
    expect(folderInTheWay.code).toBe(2);
    expect(folderInTheWay.stderr).toMatch(/samples\.jsonl: it is a folder, not a file \(EISDIR\)/);
    expect(folderInTheWay.stderr).not.toMatch(/^\s+at /m);
  });
});
