import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { afterEach } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real small file system that fills up, for disk-full tests: a tmpfs of `sizeKb` mounted on a
 * fresh folder. Mounting needs root (CI runs as root); elsewhere `mountTmpfs` returns undefined
 * and the test is skipped, since a mocked ENOSPC cannot reproduce short writes.
 */
export interface Tmpfs {
  dir: string;
  unmount(): void;
}

export const canMountTmpfs: boolean = (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mountTmpfs(64);
  probe?.unmount();
  return probe !== undefined;
})();

export function mountTmpfs(sizeKb: number): Tmpfs | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'fh-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A mount function for the tests of one `describe`: whatever a test mounted is unmounted after it. */
export function tmpfsPerTest(): (sizeKb: number) => Tmpfs {
  const mounted: Tmpfs[] = [];
  afterEach(() => {
    for (const fs of mounted.splice(0)) fs.unmount();
  });
  return (sizeKb) => {
    const fs = mountTmpfs(sizeKb);
    if (!fs) throw new Error('cannot mount a tmpfs (the describe should be skipped unless canMountTmpfs)');
    mounted.push(fs);
    return fs;
  };
}

/** Fill the file system holding `dir` with one filler file, leaving about `freeBytes` free; returns the filler's path. */
export function fillUp(dir: string, freeBytes = 0): string {
  const stats = statfsSync(dir);
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(stats.bsize);
  try {
    for (let left = stats.bavail * stats.bsize - freeBytes; left > 0; left -= chunk.length) writeSync(fd, chunk);
  } catch (error) {
    // Metadata takes a little room too: full is as far as it goes.
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return filler;
}
