import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withStagedFolder } from '../../src/util/staged-output.js';
import { tempDir } from '../helpers/fixtures.js';

const OURS = new Set(['a.txt', 'b.txt']);
/** A pid no process has (above Linux's pid_max default): what a killed process leaves behind. */
const DEAD_PID = 4_194_304 + 17;

function writeBoth(dir: string, text: string): string[] {
  return withStagedFolder(dir, OURS, (staging) => {
    for (const name of OURS) writeFileSync(join(staging, name), text);
    return [...OURS];
  });
}

describe('withStagedFolder', () => {
  it('replaces a folder of our files as one, leaving nothing beside it', () => {
    const dir = join(tempDir(), 'reports');
    writeBoth(dir, 'one');
    writeBoth(dir, 'two');
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt']);
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('two');
    expect(readdirSync(dirname(dir))).toEqual(['reports']);
  });

  it('after a kill between the two renames, puts the old set back, then writes the new one', () => {
    const dir = join(tempDir(), 'reports');
    const aside = join(dirname(dir), `.${basename(dir)}.finharness-staging-${DEAD_PID}-old-abc123`);
    const half = join(dirname(dir), `.${basename(dir)}.finharness-staging-${DEAD_PID}-new-abc123`);
    mkdirSync(aside);
    mkdirSync(half);
    for (const name of OURS) writeFileSync(join(aside, name), 'old');
    writeBoth(dir, 'new');
    expect(readdirSync(dirname(dir))).toEqual(['reports']);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('new');
  });

  it('never moves a folder that holds other files: ours are replaced one by one, theirs stay', () => {
    const dir = join(tempDir(), 'mixed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.md'), 'mine');
    writeBoth(dir, 'x');
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt', 'notes.md']);
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'a.txt'))).toBe(true);
  });
});
