/**
 * Per-domain aggregates: for each domain tag, every model's macro average of the headline metrics
 * of the domain's tasks, with a joint-bootstrap interval (./joint-bootstrap.ts), and paired
 * differences of the macro averages between the report's model pairs under the report's one
 * decision rule — each pair of models is a family over the domains both were compared on, every
 * difference shown with a simultaneous interval at 1 − alpha/m (Bonferroni) that alone decides.
 */
import { percentileDualPValue, summarizeReplicates } from '../stats/index.js';
import { differenceReplicates, meanReplicates, type TaskReplicates } from './joint-bootstrap.js';
import { verdictFor, type AgainstRole, type Verdict } from './verdict.js';

export interface DomainModelEstimate {
  /** Macro average of the headline metrics of the domain's tasks this model was compared on. */
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  n_tasks: number;
}

export interface DomainAggregate {
  domain: string;
  /** `general` when every task in it is a general-ability probe: differences to the base then ask "retained?". */
  kind: 'finance' | 'general';
  tasks: string[];
  /** Tasks of the domain left out of the average: their headline metric has no resampling kernel. */
  left_out: string[];
  models: Record<string, DomainModelEstimate>;
}

export interface DomainDelta {
  domain: string;
  /** a − b on the macro average over the tasks both were compared on. */
  a: string;
  b: string;
  against_role: AgainstRole;
  tasks: string[];
  difference: number | null;
  lower: number | null;
  upper: number | null;
  /** Simultaneous level 1 − alpha/family_size. */
  level: number;
  p_value: number | null;
  p_adjusted: number | null;
  /** Domains in this pair's family. */
  family_size: number;
  significant: boolean;
  verdict: Verdict | null;
}

export interface DomainTask {
  task: string;
  tags: readonly string[];
  general: boolean;
  /** Undefined when the headline metric cannot be resampled jointly. */
  replicates: TaskReplicates | undefined;
}

export interface DomainSettings {
  level: number;
  alpha: number;
  margin: number;
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

function interval(replicates: Float64Array, level: number): { lower: number | null; upper: number | null; p: number | null } {
  const summary = summarizeReplicates(replicates, level);
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return { lower: finite(summary.lower), upper: finite(summary.upper), p: summary.sorted.length === 0 ? null : percentileDualPValue(summary.sorted) };
}

/** Every tag of the analysed tasks, in first-seen order. */
function domainsOf(tasks: readonly DomainTask[]): string[] {
  return [...new Set(tasks.flatMap((t) => t.tags))];
}

export function domainAggregates(tasks: readonly DomainTask[], models: readonly string[], settings: DomainSettings): DomainAggregate[] {
  return domainsOf(tasks).map((domain) => {
    const members = tasks.filter((t) => t.tags.includes(domain));
    const usable = members.filter((t) => t.replicates !== undefined);
    const estimates: Record<string, DomainModelEstimate> = {};
    for (const model of models) {
      const mine = usable.filter((t) => t.replicates!.replicates.has(model));
      if (mine.length === 0) continue;
      const ci = interval(meanReplicates(mine.map((t) => t.replicates!.replicates.get(model)!)), settings.level);
      estimates[model] = { estimate: mean(mine.map((t) => t.replicates!.observed.get(model)!)), lower: ci.lower, upper: ci.upper, n_tasks: mine.length };
    }
    return {
      domain,
      kind: members.every((t) => t.general) ? 'general' : 'finance',
      tasks: usable.map((t) => t.task),
      left_out: members.filter((t) => t.replicates === undefined).map((t) => t.task),
      models: estimates,
    };
  });
}

/** Paired macro-average differences for each (a, b) pair: a family over the domains both were compared on. */
export function domainDeltas(tasks: readonly DomainTask[], pairs: readonly { a: string; b: string; role: AgainstRole }[], settings: DomainSettings): DomainDelta[] {
  const domains = domainsOf(tasks);
  return pairs.flatMap(({ a, b, role }) => {
    const perDomain = domains
      .map((domain) => {
        const members = tasks.filter((t) => t.tags.includes(domain));
        const shared = members.filter((t) => t.replicates?.replicates.has(a) && t.replicates.replicates.has(b));
        return { domain, general: members.every((t) => t.general), shared };
      })
      .filter((d) => d.shared.length > 0);
    const familySize = perDomain.length;
    const level = 1 - settings.alpha / familySize;
    return perDomain.map(({ domain, general, shared }): DomainDelta => {
      const replicates = meanReplicates(shared.map((t) => differenceReplicates(t.replicates!.replicates.get(a)!, t.replicates!.replicates.get(b)!)));
      const difference = mean(shared.map((t) => t.replicates!.observed.get(a)! - t.replicates!.observed.get(b)!));
      const ci = interval(replicates, level);
      const bounds = ci.lower !== null && ci.upper !== null && Number.isFinite(difference) ? { lower: ci.lower, upper: ci.upper, level } : null;
      return {
        domain,
        a,
        b,
        against_role: role,
        tasks: shared.map((t) => t.task),
        difference: Number.isFinite(difference) ? difference : null,
        lower: ci.lower,
        upper: ci.upper,
        level,
        p_value: ci.p,
        p_adjusted: ci.p === null ? null : Math.min(1, ci.p * familySize),
        family_size: familySize,
        significant: bounds !== null && (bounds.lower > 0 || bounds.upper < 0),
        verdict: bounds ? verdictFor(role, general ? 'general' : 'finance', bounds, settings.margin) : null,
      };
    });
  });
}
