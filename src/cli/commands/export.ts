import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadRuns } from '../../compare/runs.js';
import { toLmEvalResults } from '../../export/lm-eval.js';
import { UserError } from '../../util/errors.js';

const FORMATS = ['lm-eval'] as const;

interface ExportOptions {
  format: (typeof FORMATS)[number];
  out?: string;
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description("write a run's results in another tool's layout: --format lm-eval (lm-evaluation-harness results JSON)")
    .argument('<run>', 'a run folder (all its models) or one model run folder')
    .requiredOption('--format <format>', `output layout: ${FORMATS.join(', ')}`, (value: string) => {
      if (!(FORMATS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}`);
      return value;
    })
    .option('-o, --out <dir>', 'folder to write <model>/results_<date>.json into, as lm_eval --output_path does (default: print JSON; required for several models)')
    .action((run: string, options: ExportOptions) => {
      const runs = loadRuns([run]);
      const exported = runs.map(toLmEvalResults);
      if (options.out === undefined) {
        if (exported.length > 1) throw new UserError(`${run} holds ${exported.length} model runs (${runs.map((r) => r.label).join(', ')}): pass -o DIR to write one file per model`);
        process.stdout.write(`${JSON.stringify(exported[0], null, 2)}\n`);
        return;
      }
      for (const results of exported) {
        const dir = join(resolve(options.out), results.model_name_sanitized);
        mkdirSync(dir, { recursive: true });
        // lm-eval's file name: results_<ISO date, ":" replaced>.json
        const file = join(dir, `results_${new Date(results.date * 1000).toISOString().replace(/:/g, '-').replace(/Z$/, '')}.json`);
        writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
        process.stderr.write(`wrote ${file}\n`);
      }
    });
}
