/**
 * One comparison family under the report's decision rule: model A against model B over m tasks,
 * every difference with a simultaneous interval at 1 − alpha/m (Bonferroni) that alone decides the
 * mark (`significant`) and the verdict; p-values adjusted to agree. Used by candidate pairs
 * (`--pairs`) and factor comparisons (the same model under two conditions), exactly as the base and
 * reference comparisons are made in ./analyze.ts.
 */
import type { AnyTask } from '../tasks/task.js';
import { compareModels, type ModelAnswers, type PairedDifference, type StatisticsSettings } from './estimates.js';
import { verdictFor, type AgainstRole, type Verdict } from './verdict.js';

export interface FamilyMember {
  task: string;
  definition: AnyTask;
  metric: string;
  /** The same items, in the same order, for both. */
  a: ModelAnswers;
  b: ModelAnswers;
}

export interface FamilyDifference extends PairedDifference {
  task: string;
  family_size: number;
  p_adjusted: number | null;
  significant: boolean;
  verdict: Verdict | null;
}

export interface FamilySettings extends StatisticsSettings {
  alpha: number;
  margin: number;
}

export function compareFamily(members: readonly FamilyMember[], role: AgainstRole, settings: FamilySettings): FamilyDifference[] {
  const familySize = members.length;
  const level = 1 - settings.alpha / familySize;
  return members.map(({ task, definition, metric, a, b }) => {
    const difference = compareModels(definition, a, b, metric, { ...settings, level });
    const bounds = difference.lower !== null && difference.upper !== null ? { lower: difference.lower, upper: difference.upper, level } : null;
    return {
      ...difference,
      task,
      family_size: familySize,
      p_adjusted: difference.p_value === null ? null : Math.min(1, difference.p_value * familySize),
      significant: bounds !== null && (bounds.lower > 0 || bounds.upper < 0),
      verdict: bounds ? verdictFor(role, definition.domain ?? 'finance', bounds, settings.margin) : null,
    };
  });
}
