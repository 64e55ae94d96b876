import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { fpbSimulator, tempDir } from '../helpers/fixtures.js';
import { canMountTmpfs, fillUp, tmpfsPerTest } from '../helpers/tmpfs.js';

/**
 * Outputs of several files appear all at once or not at all: a merge or a comparison that runs out
 * of disk part-way leaves the previous outputs as they were (no partial run folder, no mix of old
 * and new reports), and the rerun, once there is space, succeeds. Real tmpfs, so the disk really fills.
 */
let simulator: SimulatorHandle;
let root: string;
let shards: string[];
let runs: string;
const env = () => ({ FINHARNESS_CACHE: join(root, 'cache') });
const expectOk = (result: CliResult) => expect(result.code, `${result.stderr}\n${result.stdout}`).toBe(0);

beforeAll(async () => {
  simulator = await fpbSimulator([
    { name: 'sim-a', accuracy: 0.8 },
    { name: 'sim-b', accuracy: 0.6 },
  ]);
  root = tempDir('fh-staged-');
  const models = ['-m', `sim-a=openai-compatible:sim-a@${simulator.url}`];
  const results = await Promise.all([
    ...[0, 1].map((i) => runCli(['run', ...models, '-t', 'fpb', '-o', join(root, 'shards'), '--run-id', `s-shard-${i}-of-2`, '--shard', `${i}/2`, '--progress', 'none'], env())),
    runCli(['run', ...models, '-m', `sim-b=openai-compatible:sim-b@${simulator.url}`, '-t', 'fpb', '-o', join(root, 'runs'), '--run-id', 'ab', '--progress', 'none'], env()),
  ]);
  for (const result of results) expectOk(result);
  shards = [0, 1].map((i) => join(root, 'shards', `s-shard-${i}-of-2`));
  runs = join(root, 'runs', 'ab');
}, 120_000);
afterAll(() => simulator.close());

const pageRound = (bytes: number) => Math.ceil(bytes / 4096) * 4096;

describe.skipIf(!canMountTmpfs)('outputs on a disk that fills up (real tmpfs)', () => {
  const mountTmpfs = tmpfsPerTest();

  it('merge: no partial run folder is left, the error is one line, and the rerun succeeds once there is space', async () => {
    // How big the merged run is, merged where there is room.
    const roomy = join(tempDir(), 'out');
    expectOk(await runCli(['merge', ...shards, '--out', roomy], env()));
    const samplesBytes = statSync(join(roomy, 's', 'sim-a', 'samples.jsonl')).size;

    const fs = mountTmpfs(2048);
    // Room for the samples, not for results and manifest as well.
    const filler = fillUp(fs.dir, pageRound(samplesBytes) + 4096);
    const failed = await runCli(['merge', ...shards, '--out', fs.dir], env());
    expect(failed.code, failed.stderr).toBe(2);
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
    expect(failed.stderr).toMatch(/no space left on the device \(ENOSPC\)/);
    expect(existsSync(join(fs.dir, 's', 'sim-a'))).toBe(false);

    rmSync(filler);
    const rerun = await runCli(['merge', ...shards, '--out', fs.dir], env());
    expectOk(rerun);
    expect(readFileSync(join(fs.dir, 's', 'sim-a', 'results.json'), 'utf8')).toBe(readFileSync(join(roomy, 's', 'sim-a', 'results.json'), 'utf8').replace(roomy, fs.dir));
    expect(readdirSync(fs.dir).filter((name) => name !== 's')).toEqual([]);
  });

  it('compare: the previous four reports stay together when the new ones do not fit', async () => {
    const fs = mountTmpfs(16384);
    const reports = join(fs.dir, 'reports');
    // Size of a new set, written where there is room.
    const roomy = tempDir();
    expectOk(await runCli(['compare', runs, '--resamples', '200', '-o', roomy], env()));
    const names = ['comparison.json', 'comparison.md', 'comparison.html', 'comparison.csv'];
    const size = (name: string) => pageRound(statSync(join(roomy, name)).size);
    // The previous set: small files, so that the new ones need more room than they free.
    mkdirSync(reports);
    const before = new Map(names.map((name) => [name, `previous ${name}\n`]));
    for (const [name, content] of before) writeFileSync(join(reports, name), content);
    // Room for the new JSON and Markdown, not for the HTML report as well.
    fillUp(fs.dir, size('comparison.json') + size('comparison.md') + 4096);
    const failed = await runCli(['compare', runs, '--resamples', '200', '--seed', '2', '-o', reports], env());
    expect(failed.code, failed.stderr).toBe(2);
    expect(failed.stderr).toMatch(/ENOSPC/);
    for (const name of names) expect(readFileSync(join(reports, name), 'utf8'), name).toBe(before.get(name));
    expect(readdirSync(reports).sort()).toEqual([...names].sort());
  });
});

describe('symbolic links in output folders are replaced, never written through', () => {
  it('a comparison.csv linking to a file elsewhere: the file elsewhere is untouched', async () => {
    const reports = tempDir();
    const outside = join(tempDir(), 'precious.txt');
    writeFileSync(outside, 'do not overwrite');
    symlinkSync(outside, join(reports, 'comparison.csv'));
    expectOk(await runCli(['compare', runs, '--resamples', '200', '-o', reports], env()));
    expect(readFileSync(outside, 'utf8')).toBe('do not overwrite');
    expect(lstatSync(join(reports, 'comparison.csv')).isSymbolicLink()).toBe(false);
  });
});

describe('merge killed at any moment', () => {
  it('leaves either no model folder or a complete one; the rerun completes or finds the merge already done', { timeout: 120_000 }, async () => {
    const delays = [0, 60, 120, 180, 240, 300, 360, 420, 480, 540];
    for (const delayMs of delays) {
      const out = tempDir();
      const killed = await runCli(['merge', ...shards, '--out', out], env(), (child) => void setTimeout(() => child.kill('SIGKILL'), delayMs));
      const model = join(out, 's', 'sim-a');
      if (existsSync(model)) {
        expect(readdirSync(model).sort(), `killed after ${delayMs} ms (${String(killed.signal)})`).toEqual(['manifest.json', 'prompts.jsonl', 'results.json', 'samples.jsonl']);
        JSON.parse(readFileSync(join(model, 'results.json'), 'utf8'));
      } else {
        expectOk(await runCli(['merge', ...shards, '--out', out], env()));
      }
    }
  });

  it('a model folder an interrupted older merge left without a manifest is replaced, not refused', async () => {
    const out = tempDir();
    const model = join(out, 's', 'sim-a');
    mkdirSync(model, { recursive: true });
    writeFileSync(join(model, 'samples.jsonl'), '{"task":"fpb","item_id":"x","repeat":0,"error":null}\n');
    expectOk(await runCli(['merge', ...shards, '--out', out], env()));
    expect(readdirSync(model).sort()).toEqual(['manifest.json', 'prompts.jsonl', 'results.json', 'samples.jsonl']);
  });
});

describe('compare killed at any moment', () => {
  it('leaves the four reports all from the previous comparison or all from the new one', { timeout: 120_000 }, async () => {
    const names = ['comparison.json', 'comparison.md', 'comparison.html', 'comparison.csv'];
    for (const delayMs of [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]) {
      const reports = tempDir();
      expectOk(await runCli(['compare', runs, '--resamples', '200', '--seed', '1', '-o', reports], env()));
      const previous = new Map(names.map((name) => [name, readFileSync(join(reports, name), 'utf8')]));
      // A different seed: every report differs from the previous one.
      await runCli(['compare', runs, '--resamples', '200', '--seed', '2', '-o', reports], env(), (child) => void setTimeout(() => child.kill('SIGKILL'), delayMs));
      // Killed between the swap's two renames: no folder, the previous set whole beside it; the next run puts it back.
      const folder = existsSync(reports) ? reports : join(dirname(reports), readdirSync(dirname(reports)).find((n) => n.startsWith(`.${basename(reports)}.finharness-staging-`) && n.includes('-old-'))!);
      const kept = names.map((name) => readFileSync(join(folder, name), 'utf8') === previous.get(name));
      expect(new Set(kept).size, `killed after ${delayMs} ms: ${names.map((n, i) => `${n} ${kept[i] ? 'previous' : 'new'}`).join(', ')}`).toBe(1);
      if (folder !== reports) expect(kept[0]).toBe(true);
      expectOk(await runCli(['compare', runs, '--resamples', '200', '--seed', '2', '-o', reports], env()));
      expect(readdirSync(reports).sort()).toEqual([...names].sort());
      expect(readdirSync(dirname(reports)).filter((n) => n.startsWith(`.${basename(reports)}.finharness-staging-`))).toEqual([]);
    }
  });
});
