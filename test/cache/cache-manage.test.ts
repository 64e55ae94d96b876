import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteResponseCache } from '../../src/cache/response-cache.js';
import type { Completion } from '../../src/providers/provider.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { writeRunFolder } from '../helpers/run-folders.js';

const DAY = 86_400_000;
const answer = (servedModel: string): Completion => ({ text: 'positive', finishReason: 'stop', usage: null, servedModel, systemFingerprint: null });

/** A cache with entries of two served models, some written 40 days ago. */
function seededCache(extraKeys: string[] = []): string {
  const dir = tempDir('fh-cache-');
  const cache = SqliteResponseCache.openInDir(dir);
  const now = Date.now();
  for (let i = 0; i < 6; i++) cache.put(`gpt-${i}`, answer('gpt-4o-2024-08-06'), i < 2 ? now - 40 * DAY : now);
  for (let i = 0; i < 4; i++) cache.put(`llama-${i}`, answer('llama-ft'), now);
  for (const key of extraKeys) cache.put(key, answer('sim'), now);
  cache.close();
  return dir;
}

const cacheCli = (args: string[], dir: string) => runCli(['cache', ...args], { FINHARNESS_CACHE: dir });

describe('finharness cache stats|prune|clear', () => {
  it('stats: entries by served model, age range and size on disk', async () => {
    const dir = seededCache();
    const result = await cacheCli(['stats', '--json'], dir);
    expect(result.code, result.stderr).toBe(0);
    const stats = JSON.parse(result.stdout) as { path: string; entries: number; bytes: number; by_model: Record<string, number>; oldest: string; newest: string };
    expect(stats).toMatchObject({ path: join(dir, 'responses.sqlite'), entries: 10, by_model: { 'gpt-4o-2024-08-06': 6, 'llama-ft': 4 } });
    expect(stats.bytes).toBeGreaterThanOrEqual(statSync(join(dir, 'responses.sqlite')).size);
    expect(Date.parse(stats.newest) - Date.parse(stats.oldest)).toBeGreaterThan(39 * DAY);
    const text = await cacheCli(['stats'], dir);
    expect(text.stdout).toMatch(/10 cached answers/);
    expect(text.stdout).toMatch(/gpt-4o-2024-08-06\s+6/);
  });

  it('prune by age, by model, and by run; each says how many it removed', async () => {
    const byAge = seededCache();
    expect((await cacheCli(['prune', '--older-than', '30d'], byAge)).stdout).toBe('removed 2 of 10 cached answers (written more than 30 days ago)\n');
    const byModel = seededCache();
    expect((await cacheCli(['prune', '--model', 'llama-ft'], byModel)).stdout).toBe('removed 4 of 10 cached answers (served by llama-ft)\n');
    expect(JSON.parse((await cacheCli(['stats', '--json'], byModel)).stdout)).toMatchObject({ entries: 6, by_model: { 'gpt-4o-2024-08-06': 6 } });

    // A run's answers: the cache keys its samples record (run-folders writes k-<model>-<item>-<repeat>).
    const out = tempDir();
    await writeRunFolder({ outDir: out, runId: 'r', model: 'm', tasks: [{ id: 'fpb', limit: 5 }] });
    const keys = Array.from({ length: 5 }, (_, i) => `k-m-fpb-s-00${i + 1}-0`);
    const byRun = seededCache(keys);
    expect((await cacheCli(['prune', '--run', join(out, 'r')], byRun)).stdout).toBe('removed 5 of 15 cached answers (asked by 1 model run under ' + join(out, 'r') + ')\n');
  });

  it('clear needs --yes; prune needs a condition; a bad age is one line; all exit 2', async () => {
    const dir = seededCache();
    const refused = await cacheCli(['clear'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`finharness: cache clear removes all 10 cached answers in ${join(dir, 'responses.sqlite')}; add --yes to do it\n`);
    const cleared = await cacheCli(['clear', '--yes'], dir);
    expect(cleared.stdout).toBe('removed 10 of 10 cached answers\n');
    const nothing = await cacheCli(['prune'], dir);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toBe('finharness: cache prune needs --older-than, --model or --run (cache clear --yes removes everything)\n');
    const badAge = await cacheCli(['prune', '--older-than', 'a week'], dir);
    expect(badAge.code).toBe(2);
    expect(badAge.stderr.trim().split('\n')).toHaveLength(1);
    expect(badAge.stderr).toMatch(/--older-than: expected a number of days, hours or minutes like 30d, 12h or 90m/);
  });

  it('with no cache yet: stats says so, prune removes nothing', async () => {
    const dir = join(tempDir(), 'none');
    expect((await cacheCli(['stats'], dir)).stdout).toBe(`no cache at ${join(dir, 'responses.sqlite')} yet\n`);
    expect((await cacheCli(['prune', '--older-than', '1d'], dir)).stdout).toBe('removed 0 of 0 cached answers (written more than 1 days ago)\n');
  });
});
