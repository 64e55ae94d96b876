import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { lazyRequire } from '../util/lazy-require.js';

const loadSqlite = lazyRequire<typeof Database>('better-sqlite3');

/** `finharness cache stats`: what the shared response cache holds. */
export interface CacheStats {
  path: string;
  entries: number;
  /** The database file with its write-ahead log. */
  bytes: number;
  /** Entries by the model id the server said answered (`servedModel`); "(unknown)" when it did not say. */
  by_model: Record<string, number>;
  oldest: string | null;
  newest: string | null;
}

/** Which entries `cache prune` removes; entries matching any given condition go. */
export interface PruneConditions {
  /** Written before this time (ms since the epoch). */
  writtenBefore?: number;
  /** Answered by this served model id. */
  servedModel?: string;
  /** These cache keys (a run's samples record the key of each answer). */
  keys?: readonly string[];
}

export const cacheFile = (dir: string): string => join(dir, 'responses.sqlite');

/**
 * Maintenance of the response cache (src/cache/response-cache.ts) in its own module: runs only
 * ever read and add entries; this removes them. An absent cache is an empty one, never created here.
 */
export function cacheStats(dir: string): CacheStats | null {
  const path = cacheFile(dir);
  if (!existsSync(path)) return null;
  const db = new (loadSqlite())(path, { readonly: true, fileMustExist: true });
  try {
    const summary = db.prepare('SELECT COUNT(*) AS n, MIN(created_at) AS oldest, MAX(created_at) AS newest FROM responses').get() as { n: number; oldest: number | null; newest: number | null };
    const models = db.prepare("SELECT COALESCE(json_extract(value, '$.servedModel'), '(unknown)') AS model, COUNT(*) AS n FROM responses GROUP BY model ORDER BY n DESC, model").all() as { model: string; n: number }[];
    const bytes = [path, `${path}-wal`].filter(existsSync).reduce((sum, file) => sum + statSync(file).size, 0);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return { path, entries: summary.n, bytes, by_model: Object.fromEntries(models.map((m) => [m.model, m.n])), oldest: iso(summary.oldest), newest: iso(summary.newest) };
  } finally {
    db.close();
  }
}

/** Remove the entries matching any condition; returns how many went and how many there were. */
export function pruneCache(dir: string, conditions: PruneConditions): { removed: number; total: number } {
  const path = cacheFile(dir);
  if (!existsSync(path)) return { removed: 0, total: 0 };
  const db = new (loadSqlite())(path);
  try {
    db.pragma('busy_timeout = 10000');
    const total = (db.prepare('SELECT COUNT(*) AS n FROM responses').get() as { n: number }).n;
    let removed = 0;
    // One transaction: a run reading the cache at the same time sees all of the prune or none of it.
    db.transaction(() => {
      if (conditions.writtenBefore !== undefined) removed += db.prepare('DELETE FROM responses WHERE created_at < ?').run(conditions.writtenBefore).changes;
      if (conditions.servedModel !== undefined) removed += db.prepare("DELETE FROM responses WHERE json_extract(value, '$.servedModel') = ?").run(conditions.servedModel).changes;
      if (conditions.keys !== undefined) {
        const remove = db.prepare('DELETE FROM responses WHERE key = ?');
        for (const key of conditions.keys) removed += remove.run(key).changes;
      }
    })();
    return { removed, total };
  } finally {
    db.close();
  }
}

/** Remove every entry (`cache clear --yes`). */
export function clearCache(dir: string): { removed: number; total: number } {
  return pruneCache(dir, { writtenBefore: Number.MAX_SAFE_INTEGER });
}

/** `30d`, `12h`, `90m` → milliseconds; undefined when the text is none of these. */
export function parseAge(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([dhm])$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
}
