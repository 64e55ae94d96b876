import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/util/fs.js';
import { canMountTmpfs, tmpfsPerTest } from '../helpers/tmpfs.js';

describe.skipIf(!canMountTmpfs)('writeFileAtomic on a disk that fills up (real tmpfs)', () => {
  const mountTmpfs = tmpfsPerTest();

  it('never renames a short-written temp file over the good file: the old content stays and no temp file is left', () => {
    const fs = mountTmpfs(256);
    const path = join(fs.dir, 'samples.jsonl');
    const good = 'x'.repeat(100_000);
    writeFileSync(path, good);
    // Larger than the space left: write(2) writes part of it and returns the short count.
    expect(() => writeFileAtomic(path, 'y'.repeat(300_000))).toThrow(/ENOSPC|no space/);
    expect(readFileSync(path, 'utf8')).toBe(good);
    expect(readdirSync(fs.dir)).toEqual(['samples.jsonl']);
  });

  it('writes the whole content when it fits', () => {
    const fs = mountTmpfs(1024);
    const path = join(fs.dir, 'results.json');
    const content = 'é'.repeat(200_000);
    writeFileAtomic(path, content);
    expect(readFileSync(path, 'utf8')).toBe(content);
  });
});
