import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, type ExpectStatic, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';

/**
 * Hostile and malformed inputs (test/fixtures/bad/cases.json): every case runs through the built
 * CLI and must end with exit code 2 and one error line naming the file, line or record, field and
 * expected shape, with no stack trace; or, for inputs that are tolerated (BOM, CRLF), load. A case
 * still running after HANG_GUARD_MS is killed and fails: this bounds hangs, it measures nothing.
 */

interface BadInputCase {
  /** File or folder under test/fixtures/bad (`.` for the folder itself); null when only arguments are wrong. */
  fixture: string | null;
  covers: string;
  /** The task/format or option that reads the input. */
  reads: string;
  args: string[];
  exit: 0 | 2;
  stderr?: string[];
  stdout?: string[];
}

const FIXTURES = fileURLToPath(new URL('../fixtures/bad/', import.meta.url));
const CASES = (JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as { cases: BadInputCase[] }).cases;
/** Nothing listens there: a case that wrongly got as far as a request fails fast instead of waiting. */
const UNREACHABLE_MODEL = 'bad-inputs=openai-compatible:never-called@http://127.0.0.1:9/v1';
const HANG_GUARD_MS = 20_000;
const MB50 = 50 * 1024 * 1024;

const scratch = mkdtempSync(join(tmpdir(), 'fh-bad-inputs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let caseCount = 0;

/** A fresh working folder per case: the CLI reads no config and writes no cache or run outside it. */
function caseDir(): string {
  caseCount += 1;
  const dir = join(scratch, `case-${caseCount}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `run` commands get a model that is never reached, no cache and a bounded attempt count. */
function withRunDefaults(args: readonly string[], dir: string): string[] {
  if (args[0] !== 'run') return [...args];
  const model = args.includes('-m') ? [] : ['-m', UNREACHABLE_MODEL];
  return [...args, ...model, '--no-cache', '--max-attempts', '1', '-o', join(dir, 'runs')];
}

function cli(args: readonly string[], dir: string): Promise<CliResult> {
  return runCli(withRunDefaults(args, dir), { FINHARNESS_CACHE: join(dir, 'cache') }, undefined, { cwd: dir, timeoutMs: HANG_GUARD_MS });
}

/** Exit 2, one `finharness: ...` line holding every fragment, no stack trace, nothing on stdout. */
function expectOneClearError(expect: ExpectStatic, result: CliResult, fragments: readonly string[]): void {
  expect(result.signal, `killed after ${HANG_GUARD_MS} ms: the input made the CLI hang`).toBeNull();
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('internal error');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^finharness: /);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
  expect(result.stdout).toBe('');
}

/** Exit 0, every `stdout` fragment printed; warnings, when the case lists them, on stderr. */
function expectLoaded(expect: ExpectStatic, result: CliResult, fragments: readonly string[], warnings: readonly string[] = []): void {
  expect(result.signal).toBeNull();
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).not.toContain('internal error');
  for (const fragment of fragments) expect(result.stdout).toContain(fragment);
  for (const warning of warnings) expect(result.stderr).toContain(warning);
}

describe.concurrent('malformed inputs in test/fixtures/bad give one clear error', () => {
  it('the corpus holds at least 30 malformed files, and tolerated ones that must load', ({ expect }) => {
    const malformed = new Set(CASES.filter((c) => c.exit === 2 && c.fixture !== null && c.fixture !== '.').map((c) => c.fixture));
    expect(malformed.size).toBeGreaterThanOrEqual(30);
    expect(CASES.filter((c) => c.exit === 0).length).toBeGreaterThanOrEqual(5);
  });

  for (const testCase of CASES) {
    const name = `${testCase.fixture ?? '(arguments)'}: ${testCase.covers} [${testCase.reads}]`;
    it(name, async ({ expect }) => {
      const fixture = testCase.fixture === null ? '' : join(FIXTURES, testCase.fixture);
      const args = testCase.args.map((arg) => arg.replaceAll('{fixtures}', FIXTURES).replaceAll('{fixture}', fixture));
      const result = await cli(args, caseDir());
      if (testCase.exit === 0) expectLoaded(expect, result, testCase.stdout ?? [], testCase.stderr);
      else expectOneClearError(expect, result, testCase.stderr ?? []);
    });
  }
});

describe.concurrent('inputs made at test time', () => {
  /**
   * All records of a JSONL file on one 50 MB line (an export that lost its newlines). The loader
   * reads the file whole and stops at the first record's end; the message quotes none of it.
   */
  it('a 50 MB single-line dataset is refused at its first record, without echoing it', async ({ expect }) => {
    const dir = caseDir();
    const record = JSON.stringify({ id: 'x', text: 'Volumes rose at Korvala Foods.', answer: 'positive' });
    const path = join(dir, 'one-line.jsonl');
    writeFileSync(path, record.repeat(Math.ceil(MB50 / record.length)));
    const result = await cli(['run', '-t', 'fpb', '--data', path], dir);
    expectOneClearError(expect, result, ['one-line.jsonl:1: ', `not valid JSON at column ${record.length + 1}`, "expected the end of the JSON text, got '{'", 'expected one JSON object per line']);
    expect(result.stderr.length).toBeLessThan(1000);
  });

  it('a 50 MB single-line predictions file that is not JSON is refused, without echoing it', async ({ expect }) => {
    const dir = caseDir();
    const path = join(dir, 'garbage.jsonl');
    writeFileSync(path, Buffer.alloc(MB50, 'x'));
    const result = await cli(['score', '-t', 'fpb', '--predictions', path], dir);
    expectOneClearError(expect, result, ['garbage.jsonl:1: ', 'not valid JSON at column 1', 'expected one JSON object per line']);
    expect(result.stderr.length).toBeLessThan(1000);
  });

  /** A prediction's raw output may be any length: a 50 MB one is parsed (no label found) and scored, not refused. */
  it('a 50 MB model output in a predictions file is accepted and scored', async ({ expect }) => {
    const dir = caseDir();
    const path = join(dir, 'long-output.jsonl');
    writeFileSync(path, `${JSON.stringify({ id: 'fpb-s-001', output: `The outlook: ${'very '.repeat(MB50 / 5)}unclear.` })}\n`);
    expectLoaded(expect, await cli(['score', '-t', 'fpb', '--predictions', path, '--json'], dir), ['"n":1', '"missing_rate":1']);
  });

  it('an empty folder as --data', async ({ expect }) => {
    const dir = caseDir();
    mkdirSync(join(dir, 'empty'));
    expectOneClearError(expect, await cli(['run', '-t', 'fpb', '--data', join(dir, 'empty')], dir), ['cannot read dataset', 'the folder holds no data files']);
  });

  const canMakeFifo = spawnSync('mkfifo', ['--version']).status === 0;
  /** Nothing ever writes to the FIFO: reading it would block forever. */
  for (const [option, args] of [
    ['--data', ['run', '-t', 'fpb', '--data']],
    ['--predictions', ['score', '-t', 'fpb', '--predictions']],
    ['--config', ['run', '-t', 'fpb', '--config']],
    ['--manifest', ['data', 'pull', 'fpb', '--manifest']],
  ] as const) {
    it.skipIf(!canMakeFifo)(`a FIFO with no writer as ${option} is refused instead of blocking`, async ({ expect }) => {
      const dir = caseDir();
      const fifo = join(dir, 'pipe');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      expectOneClearError(expect, await cli([...args, fifo], dir), ['pipe: not a regular file (a pipe, socket or device)']);
    });
  }

  it.skipIf(process.getuid?.() === 0)('an unreadable file as --data', async ({ expect }) => {
    const dir = caseDir();
    const path = join(dir, 'locked.jsonl');
    copyFileSync(join(FIXTURES, 'fpb-bom-crlf.jsonl'), path);
    chmodSync(path, 0o000);
    expectOneClearError(expect, await cli(['run', '-t', 'fpb', '--data', path], dir), ['cannot read dataset', 'locked.jsonl', 'permission denied (EACCES)']);
  });

  /** A run folder whose samples.jsonl was edited by hand: resuming it and comparing it both stop at the damaged line. */
  it('a damaged samples.jsonl in a run folder: resume and compare name its line', async ({ expect }) => {
    const dir = caseDir();
    const modelDir = join(dir, 'runs', 'damaged', 'bad-inputs');
    mkdirSync(modelDir, { recursive: true });
    copyFileSync(join(FIXTURES, 'samples-null-line.jsonl'), join(modelDir, 'samples.jsonl'));
    const fragments = ['samples.jsonl:2: ', 'not a finharness sample record', 'expected an object with "task", "item_id", "repeat" and "error"'];

    const resumed = await cli(['run', '-t', 'fpb', '--run-id', 'damaged'], dir);
    expect(resumed.code, resumed.stderr).toBe(2);
    expect(resumed.stderr).not.toMatch(/^\s+at /m);
    for (const fragment of fragments) expect(resumed.stderr).toContain(fragment);

    writeFileSync(join(modelDir, 'manifest.json'), JSON.stringify({ run_id: 'damaged', model: { name: 'bad-inputs' }, tasks: [] }));
    expectOneClearError(expect, await cli(['compare', modelDir], dir), fragments);
  });
});
