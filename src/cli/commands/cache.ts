import { InvalidArgumentError, type Command } from 'commander';
import { cacheFile, cacheStats, clearCache, parseAge, pruneCache, type PruneConditions } from '../../cache/cache-admin.js';
import { loadRuns } from '../../compare/runs.js';
import { formatCount } from '../../report/format.js';
import { UserError } from '../../util/errors.js';
import { cacheDir } from '../../util/paths.js';

interface PruneOptions {
  olderThan?: { text: string; ms: number };
  model?: string;
  run?: string;
}

export function registerCacheCommand(program: Command): void {
  const cache = program.command('cache').description(`inspect and trim the shared response cache (${cacheFile('$FINHARNESS_CACHE')})`);
  cache
    .command('stats')
    .description('entries by served model, age range and size on disk')
    .option('--json', 'print the numbers as JSON')
    .action((options: { json?: boolean }) => {
      const stats = cacheStats(cacheDir());
      if (options.json) {
        process.stdout.write(`${JSON.stringify(stats ?? { path: cacheFile(cacheDir()), entries: 0, bytes: 0, by_model: {}, oldest: null, newest: null })}\n`);
        return;
      }
      if (!stats) {
        process.stdout.write(`no cache at ${cacheFile(cacheDir())} yet\n`);
        return;
      }
      const lines = [
        `${stats.path}: ${formatCount(stats.entries)} cached answers, ${(stats.bytes / 1e6).toFixed(1)} MB, written ${stats.oldest ?? '–'} … ${stats.newest ?? '–'}`,
        ...Object.entries(stats.by_model).map(([model, n]) => `  ${model.padEnd(32)} ${formatCount(n)}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  cache
    .command('prune')
    .description('remove cached answers older than an age, of a served model, or asked by a run (any that match)')
    .option('--older-than <age>', 'written more than this long ago: 30d, 12h, 90m', (text: string) => {
      const ms = parseAge(text);
      if (ms === undefined) throw new InvalidArgumentError('--older-than: expected a number of days, hours or minutes like 30d, 12h or 90m');
      return { text, ms };
    })
    .option('--model <id>', 'answered by this model id, as the server reported it (see cache stats)')
    .option('--run <dir>', "the answers a run's samples came from (a run folder or one model's)")
    .action((options: PruneOptions) => {
      const conditions: PruneConditions = {};
      const said: string[] = [];
      if (options.olderThan) {
        conditions.writtenBefore = Date.now() - options.olderThan.ms;
        said.push(`written more than ${describeAge(options.olderThan.text)} ago`);
      }
      if (options.model !== undefined) {
        conditions.servedModel = options.model;
        said.push(`served by ${options.model}`);
      }
      if (options.run !== undefined) {
        const runs = loadRuns([options.run]);
        conditions.keys = runs.flatMap((run) => [...run.samples.values()].flatMap((byItem) => [...byItem.values()].flat().map((sample) => sample.cache_key)));
        said.push(`asked by ${runs.length} model run${runs.length === 1 ? '' : 's'} under ${options.run}`);
      }
      if (said.length === 0) throw new UserError('cache prune needs --older-than, --model or --run (cache clear --yes removes everything)');
      const { removed, total } = pruneCache(cacheDir(), conditions);
      process.stdout.write(`removed ${formatCount(removed)} of ${formatCount(total)} cached answers (${said.join('; ')})\n`);
    });
  cache
    .command('clear')
    .description('remove every cached answer (needs --yes)')
    .option('--yes', 'really remove them all')
    .action((options: { yes?: boolean }) => {
      if (!options.yes) {
        const stats = cacheStats(cacheDir());
        throw new UserError(`cache clear removes all ${formatCount(stats?.entries ?? 0)} cached answers in ${cacheFile(cacheDir())}; add --yes to do it`);
      }
      const { removed, total } = clearCache(cacheDir());
      process.stdout.write(`removed ${formatCount(removed)} of ${formatCount(total)} cached answers\n`);
    });
}

/** "30d" → "30 days" for the summary line. */
function describeAge(text: string): string {
  const match = /^(\d+(?:\.\d+)?)\s*([dhm])$/.exec(text.trim())!;
  return `${match[1]} ${{ d: 'days', h: 'hours', m: 'minutes' }[match[2] as 'd' | 'h' | 'm']}`;
}
