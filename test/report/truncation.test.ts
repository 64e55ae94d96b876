import { describe, expect, it } from 'vitest';
import { analyzeRuns, DEFAULT_COMPARE_SETTINGS } from '../../src/compare/analyze.js';
import { loadRuns, pickRun } from '../../src/compare/runs.js';
import { renderComparisonHtml } from '../../src/report/compare-html.js';
import { renderComparisonMarkdown } from '../../src/report/compare-markdown.js';
import { getTask } from '../../src/tasks/registry.js';
import { fpbItems, writeSyntheticRun } from '../../bench/synthetic-runs.js';
import { tempDir } from '../helpers/fixtures.js';

describe('truncated prompts in a comparison', () => {
  it('are counted per task and model and announced at the top of the Markdown and HTML', () => {
    const root = tempDir();
    const fpb = getTask('fpb');
    const items = fpbItems(30);
    writeSyntheticRun(root, { model: 'base', tasks: [{ task: fpb, items, answer: (item) => item.gold as string }] });
    writeSyntheticRun(root, { model: 'ft', tasks: [{ task: fpb, items, answer: (item) => item.gold as string, truncated: (item) => Number(item.id.split('-')[1]) <= 4 }] });
    const runs = loadRuns([root]);
    const comparison = analyzeRuns(runs, { base: pickRun(runs, 'base', 'base') }, { ...DEFAULT_COMPARE_SETTINGS, resamples: 200 });
    expect(comparison.tasks[0]!.format['ft']!.n_truncated).toBe(4);
    expect(comparison.tasks[0]!.format['base']!.n_truncated).toBe(0);
    const markdown = renderComparisonMarkdown(comparison);
    expect(markdown.split('\n## ')[0]).toContain('TRUNCATED PROMPTS: ft: fpb 4 of 30 answers');
    expect(markdown).toMatch(/\| fpb \| 0\.000 missing \| 0\.000 missing, 4 truncated \|/);
    expect(renderComparisonHtml(comparison)).toContain('TRUNCATED PROMPTS: ft: fpb 4 of 30 answers');
  });
});
