import { createHash, randomBytes } from 'node:crypto';
import { closeSync, linkSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { makeDir, openForWriting, removeAbandonedTempFiles, writeAllSync } from '../util/fs.js';
import { describeFsError } from '../util/fs-errors.js';
import { processExists } from '../util/process-alive.js';

interface LockOwner {
  pid: number;
  host: string;
  started: string;
  /** When the kernel started process `pid` (Linux /proc start time): tells a reused pid from the owner. */
  pid_start?: string;
  /** Unique per lock: two locks with the same pid are still different locks. */
  token?: string;
}

/** Set to 1 to take over a lock whose owner looks alive (a lock on a shared file system, a pid that cannot be checked). */
export const BREAK_LOCK_VARIABLE = 'FINHARNESS_BREAK_LOCK';
/** Contenders retry this often before giving up: each round someone makes progress. */
const MAX_ROUNDS = 200;

/**
 * One process per run folder: two processes appending to the same samples.jsonl would interleave
 * and duplicate items. The lock is a file created exclusively, naming its owner's pid, host and
 * the pid's start time. A lock whose owner is gone (kill -9, power loss), or whose pid now belongs
 * to another process, is stale and taken over.
 *
 * A takeover is atomic among any number of contenders: removing a stale lock first needs a claim
 * file, created exclusively, whose name is derived from that lock's exact content. Only the claim's
 * holder removes the lock, and only while it still holds that content; everyone then races to
 * create a fresh lock exclusively, and exactly one wins. Release removes the lock only while it is
 * still this process's own.
 */
export class RunLock {
  private released = false;

  private constructor(
    readonly path: string,
    private readonly content: string,
  ) {}

  static acquire(runDir: string, env: NodeJS.ProcessEnv = process.env): RunLock {
    try {
      makeDir(runDir);
    } catch (error) {
      throw new UserError(`cannot create run folder ${runDir}: ${describeFsError(error)}`);
    }
    const path = join(runDir, '.lock');
    const content = JSON.stringify(currentOwner());
    const breakLock = env[BREAK_LOCK_VARIABLE] === '1';
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (createExclusive(path, content)) {
        // The folder is ours now: temp files in it were left by processes killed mid-write.
        removeAbandonedTempFiles(runDir);
        return new RunLock(path, content);
      }
      const seen = readText(path);
      if (seen === undefined) continue; // removed meanwhile: try again
      const owner = parseOwner(seen);
      if (owner && isAlive(owner) && !breakLock) {
        throw new UserError(
          `run folder ${runDir} is in use by process ${owner.pid} on ${owner.host} (started ${owner.started}); ` +
            `wait for it to finish or stop it, or use another --run-id; if that process is not running finharness, set ${BREAK_LOCK_VARIABLE}=1 to take the lock over`,
        );
      }
      removeIfUnchanged(path, seen);
    }
    throw new UserError(`could not lock run folder ${runDir}: other processes keep taking the lock; retry, or use another --run-id`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    // Taken over since (FINHARNESS_BREAK_LOCK, or judged stale): the lock is someone else's now.
    if (readText(this.path) === this.content) rmSync(this.path, { force: true });
  }
}

/** Remove the lock only if it still holds `seen`, with at most one process doing so per content. */
function removeIfUnchanged(path: string, seen: string): void {
  const claim = `${path}.takeover-${createHash('sha256').update(seen).digest('hex').slice(0, 16)}`;
  if (!createExclusive(claim, JSON.stringify(currentOwner()))) {
    // Another process is taking over this very lock; its claim is abandoned only if it died.
    const claimant = parseOwner(readText(claim) ?? '');
    if (claimant && !isAlive(claimant)) rmSync(claim, { force: true });
    return;
  }
  try {
    if (readText(path) === seen) unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    rmSync(claim, { force: true });
  }
}

/**
 * Create `path` holding `content` only if it does not exist; false when it does. The file appears
 * with its content in one step (written under a private name, then hard-linked into place): a lock
 * opened empty and written after would be read as "half-written by a killed process", i.e. stale,
 * by a contender looking at that moment, and taken from its live owner.
 */
function createExclusive(path: string, content: string): boolean {
  // Ends in .<pid>.tmp: cleared like any temp file if this process is killed right here.
  const draft = `${path}.${randomBytes(4).toString('hex')}.${process.pid}.tmp`;
  const fd = openForWriting(draft, 'truncate');
  try {
    writeAllSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

function currentOwner(): LockOwner {
  const pidStart = processStartTime(process.pid);
  return { pid: process.pid, host: hostname(), started: new Date().toISOString(), ...(pidStart === undefined ? {} : { pid_start: pidStart }), token: randomBytes(8).toString('hex') };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    return typeof value.pid === 'number' && typeof value.host === 'string' ? (value as LockOwner) : undefined;
  } catch {
    return undefined; // half-written by a process killed while locking: treat as stale
  }
}

function isAlive(owner: LockOwner): boolean {
  // A lock from another host (shared file system) cannot be checked: assume it is held.
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return false;
  if (!processExists(owner.pid)) return false;
  // The pid runs, but is it still the owner? Not if it was started after (pid reuse).
  const started = processStartTime(owner.pid);
  return owner.pid_start === undefined || started === undefined || started === owner.pid_start;
}

/** The kernel's start time of a process (field 22 of /proc/<pid>/stat, in clock ticks since boot); undefined off Linux. */
function processStartTime(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}
