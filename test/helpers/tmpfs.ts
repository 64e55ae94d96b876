import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
