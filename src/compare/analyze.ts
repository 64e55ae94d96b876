import { holmAdjust, retentionVerdict, superiorityVerdict, type RetentionVerdict, type SuperiorityVerdict } from '../stats/index.js';
import { harnessInfo, scoringOf, type ScoringMode } from '../store/manifest.js';
import { getTask } from '../tasks/registry.js';
import type { AnyTask, ScoredItem } from '../tasks/task.js';
import type { SampleRecord } from '../store/samples.js';
import { alignTasks, type AlignedTask, type TaskMismatch } from './align.js';
import { compareModels, estimateMetric, type MetricEstimate, type PairedDifference, type StatisticsSettings } from './estimates.js';
import { taskCost, type TaskCost } from './cost.js';
import { collectItemDiffs, type ItemDiff } from './item-diff.js';
import { describeInputs, modelsWithoutScoredItems, unscoredNote, type ComparisonInputs } from './inputs.js';
import type { ModelRun } from './runs.js';
import { buildSweep, type Sweep } from './sweep.js';

export type Role = 'base' | 'reference' | 'candidate';

export interface CompareSettings extends StatisticsSettings {
  /** Non-inferiority / superiority margin on the metric's scale (fractions: 0.01 = 1 point). */
  margin: number;
  /** Significance level for the marks in tables (after Holm correction). */
  alpha: number;
  /** Item-diff rows kept per task. */
  maxDiffItems: number;
}

export const DEFAULT_COMPARE_SETTINGS: CompareSettings = { level: 0.95, resamples: 10_000, seed: 1234, margin: 0.01, alpha: 0.05, maxDiffItems: 100 };

export interface ComparedModel {
  label: string;
  role: Role;
  dir: string;
  run_id: string;
  provider: string;
  model: string;
  base_url: string;
  fingerprint: string | null;
  simulated: boolean;
}

export interface PairedComparison extends PairedDifference {
  candidate: string;
  against: string;
  against_role: 'base' | 'reference';
  /** Holm-adjusted across the tasks of this report, within this (candidate, against) pair. */
  p_holm: number | null;
  significant: boolean;
  retention: RetentionVerdict | null;
  superiority: SuperiorityVerdict | null;
}

export interface TaskComparison {
  task: string;
  title: string;
  domain: 'finance' | 'general';
  headline_metric: string;
  metric_names: string[];
  n_shared: number;
  mismatches: TaskMismatch[];
  excluded: Record<string, number>;
  /** model → how its numbers were scored (generate, or loglik: marked in every report). */
  scoring: Record<string, ScoringMode>;
  /** model → metric → estimate with CI, on the shared items. */
  metrics: Record<string, Record<string, MetricEstimate>>;
  /** model → how often answers could not be parsed, and errored items. */
  format: Record<string, { missing_rate: number | null; n_errors: number }>;
  comparisons: PairedComparison[];
  /** model → the task's own breakdowns (confusion matrices, per-label or per-type scores). */
  details: Record<string, Record<string, unknown> | undefined>;
  usage: Record<string, { prompt_tokens: number; completion_tokens: number }>;
  /** model → cost of the task and cost per correct answer, from the run's results.json; null when unknown. */
  cost: Record<string, TaskCost | null>;
  item_diffs: ItemDiff[];
  /** Set when the task could not be analysed (e.g. unknown to this harness version). */
  note?: string;
}

export interface Comparison {
  schema: 1;
  generated_at: string;
  harness: { version: string; git_commit: string | null };
  settings: CompareSettings;
  models: ComparedModel[];
  /** Each run's status and checkpoint, each task's data and prompt: what the numbers rest on. */
  inputs: ComparisonInputs;
  tasks: TaskComparison[];
  summary: {
    /** Per candidate: tasks where it is better / worse than the reference (superiority verdicts). */
    versus_reference: Record<string, { better: string[]; worse: string[]; inconclusive: string[] }>;
    /** Per candidate and general task: did it keep its base model's ability? */
    general_ability: { candidate: string; task: string; verdict: RetentionVerdict; difference: number | null; lower: number | null; upper: number | null }[];
    /** Per candidate: tasks (any domain) whose headline metric regressed against the base model. */
    regressions: Record<string, string[]>;
    simulated: boolean;
  };
  sweep: Sweep | null;
}

/**
 * Compare model runs task by task on the items they share: metrics with confidence intervals,
 * paired tests of each candidate against the base and the reference, Holm-corrected across tasks,
 * non-inferiority verdicts for general ability and superiority verdicts against the reference.
 */
export function analyzeRuns(runs: readonly ModelRun[], roles: { base?: ModelRun; reference?: ModelRun }, settings: CompareSettings = DEFAULT_COMPARE_SETTINGS): Comparison {
  const roleOf = (run: ModelRun): Role => (run === roles.base ? 'base' : run === roles.reference ? 'reference' : 'candidate');
  const models: ComparedModel[] = runs.map((run) => ({
    label: run.label,
    role: roleOf(run),
    dir: run.dir,
    run_id: run.manifest.run_id,
    provider: run.manifest.model.provider,
    model: run.manifest.model.model,
    base_url: run.manifest.model.base_url,
    fingerprint: run.manifest.model.fingerprint,
    simulated: run.manifest.model.simulated,
  }));
  const candidates = runs.filter((run) => roleOf(run) === 'candidate');
  const tasks = alignTasks(runs).map((aligned) => analyzeTask(aligned, runs, candidates, roles, settings));
  applyHolm(tasks, settings);
  return {
    schema: 1,
    generated_at: new Date().toISOString(),
    harness: { version: harnessInfo().version, git_commit: harnessInfo().git_commit },
    settings,
    models,
    inputs: describeInputs(runs, tasks),
    tasks,
    summary: { ...summarize(tasks, candidates), simulated: models.some((m) => m.simulated) },
    sweep: buildSweep(models, tasks),
  };
}

function scoredItems(aligned: AlignedTask, label: string): ScoredItem[] {
  const byItem = aligned.samples[label]!;
  return aligned.sharedIds.map((id) => {
    const sample = byItem.get(id)!;
    return { itemId: id, ...(sample.group === undefined ? {} : { group: sample.group }), gold: sample.gold, prediction: sample.prediction, scores: sample.scores };
  });
}

function analyzeTask(aligned: AlignedTask, runs: readonly ModelRun[], candidates: readonly ModelRun[], roles: { base?: ModelRun; reference?: ModelRun }, settings: CompareSettings): TaskComparison {
  const present = runs.filter((run) => aligned.models.includes(run.label));
  const empty: TaskComparison = {
    task: aligned.task,
    title: aligned.task,
    domain: 'finance',
    headline_metric: '',
    metric_names: [],
    n_shared: aligned.sharedIds.length,
    mismatches: aligned.mismatches,
    excluded: aligned.excluded,
    scoring: Object.fromEntries(present.map((run) => [run.label, scoringOf(run.manifest)])),
    metrics: {},
    format: {},
    comparisons: [],
    details: {},
    usage: {},
    cost: Object.fromEntries(present.map((run) => [run.label, taskCost(run.results, aligned.task)])),
    item_diffs: [],
  };
  let task: AnyTask;
  try {
    task = getTask(aligned.task);
  } catch {
    return { ...empty, note: `task ${aligned.task} is not known to this version of finharness; not analysed` };
  }
  // No item to compare on (a model scored none): no estimate or verdict can be claimed.
  if (aligned.sharedIds.length === 0) return { ...empty, title: task.title, domain: task.domain ?? 'finance', note: unscoredNote(modelsWithoutScoredItems(aligned.task, present)) };
  const metricNames = task.metrics.info.map((m) => m.name);
  const headline = metricNames[0]!;
  const items = new Map(present.map((run) => [run.label, scoredItems(aligned, run.label)]));
  const metrics: TaskComparison['metrics'] = {};
  const details: TaskComparison['details'] = {};
  const format: TaskComparison['format'] = {};
  const usage: TaskComparison['usage'] = {};
  for (const run of present) {
    const modelItems = items.get(run.label)!;
    metrics[run.label] = Object.fromEntries(metricNames.map((name) => [name, estimateMetric(task, modelItems, name, settings, name === headline)]));
    details[run.label] = task.metrics.compute(modelItems).details;
    const all = [...(run.samples.get(aligned.task)?.values() ?? [])];
    format[run.label] = {
      missing_rate: modelItems.length === 0 ? null : modelItems.filter((item) => item.prediction === null).length / modelItems.length,
      n_errors: all.filter((s) => s.error !== null).length,
    };
    usage[run.label] = sumUsage(all);
  }
  const comparisons: PairedComparison[] = [];
  for (const candidate of candidates.filter((c) => items.has(c.label))) {
    for (const [against, role] of [
      [roles.base, 'base'],
      [roles.reference, 'reference'],
    ] as const) {
      if (!against || !items.has(against.label)) continue;
      const difference = compareModels(task, items.get(candidate.label)!, items.get(against.label)!, headline, settings);
      const bounds = difference.lower !== null && difference.upper !== null ? { lower: difference.lower, upper: difference.upper, level: settings.level } : null;
      comparisons.push({
        ...difference,
        candidate: candidate.label,
        against: against.label,
        against_role: role,
        p_holm: null,
        significant: false,
        retention: bounds ? retentionVerdict(bounds, settings.margin).verdict : null,
        superiority: bounds ? superiorityVerdict(bounds, settings.margin).verdict : null,
      });
    }
  }
  return {
    ...empty,
    title: task.title,
    domain: task.domain ?? 'finance',
    headline_metric: headline,
    metric_names: metricNames,
    metrics,
    format,
    comparisons,
    details,
    usage,
    item_diffs: collectItemDiffs(task, aligned, present, headline, settings.maxDiffItems),
  };
}

function sumUsage(samples: readonly SampleRecord[]): { prompt_tokens: number; completion_tokens: number } {
  let prompt = 0;
  let completion = 0;
  for (const sample of samples) {
    prompt += sample.usage?.prompt_tokens ?? 0;
    completion += sample.usage?.completion_tokens ?? 0;
  }
  return { prompt_tokens: prompt, completion_tokens: completion };
}

/** Holm across the tasks of the report, separately for each (candidate, against) pair. */
function applyHolm(tasks: readonly TaskComparison[], settings: CompareSettings): void {
  const families = new Map<string, PairedComparison[]>();
  for (const comparison of tasks.flatMap((t) => t.comparisons)) {
    if (comparison.p_value === null) continue;
    const key = `${comparison.candidate}\u0000${comparison.against}`;
    const family = families.get(key) ?? [];
    family.push(comparison);
    families.set(key, family);
  }
  for (const family of families.values()) {
    const adjusted = holmAdjust(family.map((c) => c.p_value!));
    family.forEach((comparison, index) => {
      comparison.p_holm = adjusted[index]!;
      comparison.significant = adjusted[index]! < settings.alpha;
    });
  }
}

function summarize(tasks: readonly TaskComparison[], candidates: readonly ModelRun[]): Omit<Comparison['summary'], 'simulated'> {
  const versusReference: Comparison['summary']['versus_reference'] = {};
  const regressions: Comparison['summary']['regressions'] = {};
  const generalAbility: Comparison['summary']['general_ability'] = [];
  for (const candidate of candidates) {
    const mine = tasks.flatMap((t) => t.comparisons.filter((c) => c.candidate === candidate.label).map((c) => ({ task: t, c })));
    const vsRef = mine.filter(({ c }) => c.against_role === 'reference');
    versusReference[candidate.label] = {
      better: vsRef.filter(({ c }) => c.superiority === 'better').map(({ task }) => task.task),
      worse: vsRef.filter(({ c }) => c.superiority === 'worse').map(({ task }) => task.task),
      inconclusive: vsRef.filter(({ c }) => c.superiority === 'inconclusive' || c.superiority === null).map(({ task }) => task.task),
    };
    const vsBase = mine.filter(({ c }) => c.against_role === 'base');
    regressions[candidate.label] = vsBase.filter(({ c }) => c.retention === 'regressed').map(({ task }) => task.task);
    for (const { task, c } of vsBase.filter(({ task }) => task.domain === 'general')) {
      generalAbility.push({ candidate: candidate.label, task: task.task, verdict: c.retention ?? 'inconclusive', difference: c.difference, lower: c.lower, upper: c.upper });
    }
  }
  return {
    versus_reference: versusReference,
    general_ability: generalAbility,
    regressions,
  };
}
