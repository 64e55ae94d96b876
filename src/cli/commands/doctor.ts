import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { formatDoctor, runDoctor } from '../../doctor/checks.js';
import { MODEL_SPEC_HELP, resolveEndpoint } from '../../providers/endpoints.js';
import { createProvider } from '../../providers/registry.js';
import { EXIT } from '../exit-codes.js';

interface DoctorOptions {
  config?: string;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('probe a server and print what finharness can do with it (listing, identity, routes, log-probabilities, seeds, context, truncation, rate-limit headers, reasoning)')
    .argument('<endpoint>', `the model to check: ${MODEL_SPEC_HELP}`)
    .option('--config <file>', 'config file (default ./finharness.config.yaml if present)')
    .action(async (spec: string, options: DoctorOptions) => {
      const config = await loadConfig(options.config);
      const endpoint = resolveEndpoint(spec, config);
      const rows = await runDoctor({ endpoint, provider: (route) => createProvider({ ...endpoint, route }) });
      process.stdout.write(formatDoctor(endpoint, rows));
      // Neither route answered: a run against this endpoint would not get a single answer.
      if (!rows.some((row) => row.check.endsWith('route') && row.verdict === 'ok')) process.exitCode = EXIT.incomplete;
    });
}
