import type { Command } from 'commander';
import { loadRuns } from '../../compare/runs.js';
import { collectItemViews } from '../../inspect/item-views.js';
import { renderItemDetail, renderItemList } from '../../report/show-text.js';
import { UserError } from '../../util/errors.js';

interface ShowOptions {
  task?: string;
  item?: string;
}

export function registerShowCommand(program: Command): void {
  program
    .command('show')
    .description("print a run's items: with --item, the full prompt, each model's output, prediction, gold and scores")
    .argument('<run>', 'a run folder (all its models) or one model run folder')
    .option('-t, --task <task>', 'only this task')
    .option('--item <id>', 'one item: print its prompt and every answer in full')
    .action((run: string, options: ShowOptions) => {
      const runs = loadRuns([run]);
      const known = [...new Set(runs.flatMap((r) => r.manifest.tasks.map((t) => t.id)))];
      if (options.task !== undefined && !known.includes(options.task)) {
        throw new UserError(`--task ${options.task}: not in this run; it ran ${known.join(', ')}`);
      }
      const views = collectItemViews(runs, options);
      if (options.item === undefined) {
        process.stdout.write(renderItemList(views));
        return;
      }
      if (views.length === 0) throw new UserError(`--item ${options.item}: no such item in ${options.task ?? known.join(', ')}; \`finharness show ${run}${options.task ? ` --task ${options.task}` : ''}\` lists them`);
      process.stdout.write(views.map(renderItemDetail).join('\n'));
    });
}
