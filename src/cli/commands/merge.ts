import { resolve } from 'node:path';
import type { Command } from 'commander';
import { mergeShardRuns } from '../../merge/merge.js';
import { EXIT } from '../exit-codes.js';

interface MergeCommandOptions {
  out: string;
  runId?: string;
  allowIncomplete?: boolean;
}

export function registerMergeCommand(program: Command): void {
  program
    .command('merge')
    .description('combine the shard runs of `run --shard i/N` into one run per model (refuses a mismatched or incomplete set)')
    .argument('<shards...>', 'shard run folders (a run folder <out>/<run-id>, or one model folder in it)')
    .requiredOption('-o, --out <dir>', 'folder for the merged run: writes <out>/<run-id>/<model>/')
    .option('--run-id <id>', "name of the merged run (default: the shards' run id without -shard-i-of-N)")
    .option('--allow-incomplete', 'write the merged run even when shards or items are missing or failed (marked incomplete)')
    .action((paths: string[], options: MergeCommandOptions) => {
      const merged = mergeShardRuns(paths, { outDir: resolve(options.out), ...(options.runId === undefined ? {} : { runId: options.runId }), ...(options.allowIncomplete ? { allowIncomplete: true } : {}) });
      for (const model of merged) {
        for (const warning of model.warnings) process.stderr.write(`merge: warning: model "${model.model}": ${warning}\n`);
        process.stdout.write(`merged ${model.shards} shard(s) of ${model.model} (${model.status}) -> ${model.paths.dir}\n`);
      }
      // Merged with --allow-incomplete: shards or items are missing, the run did not finish.
      if (merged.some((m) => m.status !== 'complete')) process.exitCode = EXIT.incomplete;
    });
}
