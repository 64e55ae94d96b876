import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { runCli } from '../helpers/cli.js';
import { fpbSimulator, tempDir } from '../helpers/fixtures.js';

/**
 * Model ids listed by a server (GET /v1/models) are input from somewhere else: ids built to inject
 * Markdown into the sweep report (an image fetched from another host, a link, an @mention) are not
 * selected by patterns; the sweep warns about them, naming each as a quoted string.
 */
const HOSTILE = ['ckpt-![t](http://x.test/pixel.png)', 'ckpt-[click](http://x.test/)', 'ckpt-@user', 'ckpt-<img src=x>'];

let simulator: SimulatorHandle;
beforeAll(async () => {
  simulator = await fpbSimulator([{ name: 'ckpt-100', accuracy: 0.6 }, { name: 'ckpt-200', accuracy: 0.8 }, ...HOSTILE.map((name) => ({ name, accuracy: 0.9 }))]);
});
afterAll(() => simulator.close());

describe('served model ids', () => {
  it('a pattern does not pick ids that would inject Markdown; the report holds none of them', async () => {
    const out = tempDir();
    const result = await runCli(['sweep', '--models', 'ckpt-*', '--server', simulator.url, '-t', 'fpb', '--limit', '6', '-o', out, '--run-id', 'sw', '--progress', 'none'], { FINHARNESS_CACHE: tempDir() });
    expect(result.code, result.stderr).toBe(0);
    const markdown = readFileSync(join(out, 'sw', 'report', 'comparison.md'), 'utf8') + result.stdout;
    for (const id of HOSTILE) expect(markdown).not.toContain(id.slice('ckpt-'.length));
    expect(markdown).not.toMatch(/\]\(http/);
    expect(markdown).toContain('ckpt-200');
    for (const id of HOSTILE) expect(result.stderr).toContain(JSON.stringify(id));
  });
});
