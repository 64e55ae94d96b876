import type Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Completion } from '../providers/provider.js';
import { lazyRequire } from '../util/lazy-require.js';

/** better-sqlite3 and its native addon, loaded when a cache is first opened: `--no-cache` runs never open one. */
const loadSqlite = lazyRequire<typeof Database>('better-sqlite3');

/**
 * Successful completions keyed by `responseCacheKey`, in an embedded SQLite file shared by all
 * runs (and by concurrent processes: WAL mode plus a busy timeout). Failures are never cached.
 */
export interface ResponseCache {
  get(key: string): Completion | undefined;
  put(key: string, completion: Completion): void;
  close(): void;
}

export class SqliteResponseCache implements ResponseCache {
  private readonly db: Database.Database;
  private readonly selectStatement: Database.Statement<[string], { value: string }>;

  private readonly insertStatement: Database.Statement<[string, string, number]> | undefined;

  constructor(
    readonly path: string,
    options: { readonly?: boolean } = {},
  ) {
    const Sqlite = loadSqlite();
    this.db = new Sqlite(path, options.readonly ? { readonly: true, fileMustExist: true } : {});
    if (!options.readonly) {
      this.db.pragma('journal_mode = WAL');
      // NORMAL is durable across process crashes in WAL mode (only an OS crash may lose the tail).
      this.db.pragma('synchronous = NORMAL');
    }
    this.db.pragma('busy_timeout = 10000');
    if (!options.readonly) this.db.exec('CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID');
    this.selectStatement = this.db.prepare('SELECT value FROM responses WHERE key = ?');
    this.insertStatement = options.readonly ? undefined : this.db.prepare('INSERT OR REPLACE INTO responses (key, value, created_at) VALUES (?, ?, ?)');
  }

  static openInDir(dir: string): SqliteResponseCache {
    mkdirSync(dir, { recursive: true });
    return new SqliteResponseCache(join(dir, 'responses.sqlite'));
  }

  /** For `--dry-run`: lookups only, and no cache file or folder created when there is none yet. */
  static openReadOnlyInDir(dir: string): ResponseCache {
    const path = join(dir, 'responses.sqlite');
    return existsSync(path) ? new SqliteResponseCache(path, { readonly: true }) : NO_CACHE;
  }

  get(key: string): Completion | undefined {
    const row = this.selectStatement.get(key);
    if (!row) return undefined;
    try {
      return JSON.parse(row.value) as Completion;
    } catch {
      return undefined; // a damaged entry is a miss, not a crash
    }
  }

  /** `writtenAt`: when the answer was received (default now; tests of age-based pruning set it). */
  put(key: string, completion: Completion, writtenAt = Date.now()): void {
    this.insertStatement?.run(key, JSON.stringify(completion), writtenAt);
  }

  close(): void {
    this.db.close();
  }
}

/** `--no-cache`: every request goes to the endpoint. */
export const NO_CACHE: ResponseCache = {
  get: () => undefined,
  put: () => undefined,
  close: () => undefined,
};
