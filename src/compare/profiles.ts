/**
 * Checkpoint profiles for sweeps: per checkpoint, its gain on the target domains (what it was
 * fine-tuned on) against its drop on the others, both as paired domain differences to the base
 * under the report's decision rule (./domains.ts); and per target domain, the best checkpoint under
 * the forgetting budget — the largest target gain among checkpoints with no non-target domain
 * `regressed` (the simultaneous interval entirely below −margin).
 */
import type { DomainAggregate, DomainDelta } from './domains.js';
import type { Verdict } from './verdict.js';

export interface DomainChange {
  domain: string;
  difference: number | null;
  lower: number | null;
  upper: number | null;
  significant: boolean;
  verdict: Verdict | null;
}

export interface CheckpointProfile {
  checkpoint: string;
  step: number;
  target: DomainChange[];
  non_target: DomainChange[];
  /** The non-target domain with the largest drop (lowest difference), if any. */
  worst_drop: DomainChange | null;
  /** No non-target domain `regressed` against the base. */
  within_budget: boolean;
}

export interface BestCheckpoint {
  domain: string;
  checkpoint: string | null;
  step: number | null;
  gain: DomainChange | null;
  /** Checkpoints left out because a non-target domain regressed. */
  over_budget: string[];
}

export interface CheckpointProfiles {
  base: string;
  /** How target domains were chosen: from `trained_on`, or finance domains when it is not given. */
  target_from: 'trained_on' | 'finance-domains';
  profiles: CheckpointProfile[];
  best: BestCheckpoint[];
}

const change = (d: DomainDelta): DomainChange => ({ domain: d.domain, difference: d.difference, lower: d.lower, upper: d.upper, significant: d.significant, verdict: d.verdict });

/**
 * How a domain relates to what a checkpoint was trained on (task ids or tags): `target` when every
 * task of the domain was trained on (the task or one of its tags listed), `other` when none was,
 * `mixed` otherwise (counted as neither). Without `trained_on`: finance domains are the target.
 */
function exposureOf(domain: DomainAggregate, trained: readonly string[] | undefined, tags: Readonly<Record<string, readonly string[]>>): 'target' | 'other' | 'mixed' {
  if (!trained) return domain.kind === 'finance' ? 'target' : 'other';
  if (trained.includes(domain.domain)) return 'target';
  const inTraining = domain.tasks.filter((t) => trained.includes(t) || (tags[t] ?? []).some((tag) => trained.includes(tag)));
  return inTraining.length === 0 ? 'other' : inTraining.length === domain.tasks.length ? 'target' : 'mixed';
}

export function checkpointProfiles(
  checkpoints: readonly { model: string; step: number }[],
  base: string,
  domains: readonly DomainAggregate[],
  deltas: readonly DomainDelta[],
  trainedOn: Readonly<Record<string, readonly string[]>>,
  tags: Readonly<Record<string, readonly string[]>>,
): CheckpointProfiles {
  const profiles = checkpoints.map(({ model, step }): CheckpointProfile => {
    const mine = deltas.filter((d) => d.a === model && d.b === base && d.against_role === 'base');
    const trained = trainedOn[model];
    const exposure = (d: DomainDelta) => exposureOf(domains.find((x) => x.domain === d.domain)!, trained, tags);
    const target = mine.filter((d) => exposure(d) === 'target').map(change);
    const nonTarget = mine.filter((d) => exposure(d) === 'other').map(change);
    const worst = nonTarget.filter((d) => d.difference !== null).sort((x, y) => x.difference! - y.difference!)[0] ?? null;
    return { checkpoint: model, step, target, non_target: nonTarget, worst_drop: worst, within_budget: !nonTarget.some((d) => d.verdict === 'regressed') };
  });
  const targetDomains = [...new Set(profiles.flatMap((p) => p.target.map((d) => d.domain)))];
  const overBudget = profiles.filter((p) => !p.within_budget).map((p) => p.checkpoint);
  const best = targetDomains.map((domain): BestCheckpoint => {
    let choice: { profile: CheckpointProfile; gain: DomainChange } | null = null;
    for (const profile of profiles.filter((p) => p.within_budget)) {
      const gain = profile.target.find((d) => d.domain === domain);
      if (gain?.difference === null || gain === undefined) continue;
      if (!choice || gain.difference > choice.gain.difference!) choice = { profile, gain };
    }
    return { domain, checkpoint: choice?.profile.checkpoint ?? null, step: choice?.profile.step ?? null, gain: choice?.gain ?? null, over_budget: overBudget };
  });
  return { base, target_from: Object.keys(trainedOn).length > 0 ? 'trained_on' : 'finance-domains', profiles, best };
}
