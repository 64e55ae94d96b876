import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { writeRunFolder } from '../helpers/run-folders.js';

// Everyday mistakes each get one line that says what to do, and exit code 2 (bad input).
describe('one-line messages for everyday mistakes', () => {
  it('a flag typo: one line with the suggestion, not the whole help', async () => {
    const result = await runCli(['run', '-m', 'x', '--limt', '5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("finharness: unknown option '--limt' (did you mean --limit?); see `finharness run --help`\n");
    const command = await runCli(['compaer']);
    expect(command.code).toBe(2);
    expect(command.stderr).toBe("finharness: unknown command 'compaer' (did you mean compare?); see `finharness --help`\n");
    const value = await runCli(['run', '-m', 'x', '-c', 'many']);
    expect(value.code).toBe(2);
    expect(value.stderr.trim().split('\n')).toEqual(["finharness: option '-c, --concurrency <n>' argument 'many' is invalid. --concurrency must be a whole number from 1 to 4096; see `finharness run --help`"]);
  });

  it('help and --version still print in full and exit 0', async () => {
    const help = await runCli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n').length).toBeGreaterThan(20);
    expect((await runCli(['--version'])).code).toBe(0);
  });

  it('--shots on MMLU test data without its dev split: says to add --shots-data <the release>/dev', async () => {
    const release = tempDir();
    mkdirSync(join(release, 'test'));
    mkdirSync(join(release, 'dev'));
    // A subject the bundled demonstration sample does not cover.
    writeFileSync(join(release, 'test', 'econometrics_test.csv'), 'What is a residual?,a,b,c,d,A\n');
    const result = await runCli(['run', '-m', 'sim=openai-compatible:x@http://127.0.0.1:9/v1', '-t', 'mmlu', '--data', join(release, 'test'), '--shots', '5', '--dry-run'], { FINHARNESS_CACHE: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `finharness: --shots 5 needs at least 5 demonstrations of group "econometrics" outside the evaluated set; the pool has 0 (the default pool, the task's bundled sample, does not cover your data): add --shots-data ${join(release, 'dev')}\n`,
    );
  });

  it('compare --step-summary outside GitHub Actions warns in one line instead of doing nothing', async () => {
    const out = tempDir();
    for (const model of ['a', 'b']) await writeRunFolder({ outDir: out, runId: 'r', model, tasks: [{ id: 'fpb' }] });
    const env = { GITHUB_STEP_SUMMARY: '' };
    const result = await runCli(['compare', join(out, 'r'), '-o', join(out, 'report'), '--resamples', '200', '--step-summary'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('compare: --step-summary: GITHUB_STEP_SUMMARY is not set (it is set inside GitHub Actions jobs); no step summary written, the Markdown is in ' + join(out, 'report', 'comparison.md') + '\n');
  });
});
