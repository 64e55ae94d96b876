import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { writeFileAtomic } from '../../src/util/fs.js';
import { runCli } from '../helpers/cli.js';
import { fpbSimulator, tempDir } from '../helpers/fixtures.js';

/** Files the harness writes are never written through a symbolic link to somewhere else. */
let simulator: SimulatorHandle;
beforeAll(async () => {
  simulator = await fpbSimulator([{ name: 'sim', accuracy: 1 }]);
});
afterAll(() => simulator.close());

describe('symbolic links', () => {
  it('a samples.jsonl that links elsewhere is refused on resume in one line (exit 2); the file elsewhere is untouched', async () => {
    const out = tempDir();
    const args = ['run', '-m', `sim=openai-compatible:sim@${simulator.url}`, '-t', 'fpb', '--limit', '4', '--no-cache', '-o', out, '--run-id', 'r', '--progress', 'none'];
    expect((await runCli(args)).code).toBe(0);
    const samples = join(out, 'r', 'sim', 'samples.jsonl');
    const outside = join(tempDir(), 'elsewhere.jsonl');
    // Two of the four samples: the resumed run has items left to append.
    writeFileSync(outside, readFileSync(samples, 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
    rmSync(samples);
    symlinkSync(outside, samples);
    const before = readFileSync(outside, 'utf8');

    const resumed = await runCli(args);
    expect(resumed.code, resumed.stderr).toBe(2);
    expect(resumed.stderr).toMatch(/samples\.jsonl.*symbolic link/);
    expect(resumed.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(outside, 'utf8')).toBe(before);
  });

  it('writeFileAtomic replaces a link at its path, and never writes through a link planted at its temp path', () => {
    const dir = tempDir();
    const outside = join(tempDir(), 'precious');
    writeFileSync(outside, 'keep');
    const target = join(dir, 'results.json');
    symlinkSync(outside, `${target}.${process.pid}.tmp`);
    expect(() => writeFileAtomic(target, '{}')).toThrow(/ELOOP|symbolic link/);
    expect(readFileSync(outside, 'utf8')).toBe('keep');
    rmSync(`${target}.${process.pid}.tmp`);
    symlinkSync(outside, target);
    writeFileAtomic(target, '{}');
    expect(readFileSync(outside, 'utf8')).toBe('keep');
    expect(readFileSync(target, 'utf8')).toBe('{}');
  });
});
