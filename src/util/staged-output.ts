import { lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from './errors.js';
import { describeFsError } from './fs-errors.js';
import { processExists } from './process-alive.js';

/**
 * Outputs made of several files or folders (a comparison's four reports, a merge's model runs)
 * must never be seen half-written: a kill or a full disk part-way through would leave a mix of new
 * and old files, or a partial run that a rerun then refuses to overwrite.
 *
 * Everything is first written into a staging folder next to the outputs (same file system, so a
 * rename moves it), and only once all of it is on disk is each entry renamed into place, replacing
 * what was there. A failure before that leaves the previous outputs untouched; the staging folder is
 * removed, or — after a kill — cleaned up by the next staging in the same folder. Renaming replaces
 * a symbolic link in the way instead of writing through it.
 */
const PREFIX = '.finharness-staging-';

export function withStagedOutput<T>(parent: string, write: (staging: string) => { result: T; entries: readonly string[] }): T {
  let staging: string | undefined;
  try {
    mkdirSync(parent, { recursive: true });
    removeAbandonedStaging(parent);
    staging = mkdtempSync(join(parent, `${PREFIX}${process.pid}-`));
    const { result, entries } = write(staging);
    publish(staging, parent, entries);
    return result;
  } catch (error) {
    throw asOutputError(error, parent);
  } finally {
    if (staging !== undefined) rmSync(staging, { recursive: true, force: true });
  }
}

/** A file-system failure while staging (disk full, read-only) as one line for the user; anything else as it is. */
function asOutputError(error: unknown, where: string): unknown {
  if (typeof (error as NodeJS.ErrnoException).code !== 'string' || error instanceof UserError) return error;
  return new UserError(`cannot write to ${where}: ${describeFsError(error)}; nothing there was changed — make room or fix the folder, then run the command again`);
}

/** Rename each staged entry (a relative path) into `parent`, replacing the file or folder there. */
function publish(staging: string, parent: string, entries: readonly string[]): void {
  const replaced = join(staging, '.replaced');
  mkdirSync(replaced);
  entries.forEach((entry, index) => {
    const target = join(parent, entry);
    mkdirSync(dirname(target), { recursive: true });
    // A file (or a link) is replaced by the rename itself; a folder cannot be renamed over a
    // non-empty one, so the old one is moved aside first.
    if (isFolder(target)) renameSync(target, join(replaced, String(index)));
    renameSync(join(staging, entry), target);
  });
}

function isFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Staging folders of processes that are gone (killed mid-write). */
function removeAbandonedStaging(parent: string): void {
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !processExists(pid)) rmSync(join(parent, name), { recursive: true, force: true });
  }
}

/**
 * A folder whose entries are all ours (a comparison's four reports) replaced as one: the new set is
 * written into a staging folder beside it, the old folder is moved aside, the staging folder renamed
 * into its place, and the old one removed. Renaming files one by one could be cut between two of them
 * (a kill lands wherever the process was descheduled); here a reader sees the old set, the new set,
 * or — killed between the two renames — no folder at all, with the old set kept aside, which the next
 * run puts back before it writes. A folder that also holds other files is never moved: its entries
 * are replaced one by one (`withStagedOutput`), as before.
 */
export function withStagedFolder<T>(dir: string, ours: ReadonlySet<string>, write: (staging: string) => T): T {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const prefix = `.${basename(dir)}${PREFIX}`;
  restoreAbandonedSwap(dir, prefix);
  if (!onlyOurs(dir, ours)) {
    return withStagedOutput(dir, (staging) => {
      const result = write(staging);
      return { result, entries: readdirSync(staging).filter((name) => ours.has(name)) };
    });
  }
  let staging: string | undefined;
  try {
    staging = mkdtempSync(join(parent, `${prefix}${process.pid}-new-`));
    const result = write(staging);
    const aside = isFolder(dir) ? join(parent, `${prefix}${process.pid}-old-${basename(staging).slice(-6)}`) : undefined;
    if (aside) renameSync(dir, aside);
    renameSync(staging, dir);
    staging = undefined;
    if (aside) rmSync(aside, { recursive: true, force: true });
    return result;
  } catch (error) {
    throw asOutputError(error, dir);
  } finally {
    if (staging !== undefined) rmSync(staging, { recursive: true, force: true });
  }
}

/** True when `dir` is missing, or a folder holding only entries named in `ours`. */
function onlyOurs(dir: string, ours: ReadonlySet<string>): boolean {
  if (!isFolder(dir)) return !existsPath(dir);
  return readdirSync(dir).every((name) => ours.has(name));
}

function existsPath(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * After a kill mid-swap: staging folders of dead processes are removed; an old set moved aside is
 * put back when the folder is missing (killed between the two renames), else removed.
 */
function restoreAbandonedSwap(dir: string, prefix: string): void {
  const parent = dirname(dir);
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const [pidText, kind] = name.slice(prefix.length).split('-');
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid === process.pid || processExists(pid)) continue;
    const path = join(parent, name);
    if (kind === 'old' && !existsPath(dir)) renameSync(path, dir);
    else rmSync(path, { recursive: true, force: true });
  }
}
