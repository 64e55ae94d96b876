import { changeVerdict, retentionVerdict, superiorityVerdict, type ChangeVerdict, type RetentionVerdict, type SuperiorityVerdict } from '../stats/index.js';

/** What a paired difference says about a candidate, in the words of its question (see `verdictFor`). */
export type Verdict = ChangeVerdict | RetentionVerdict | SuperiorityVerdict;

/** Who a difference is against: the base, the reference, or another candidate (`--pairs`, factors). */
export type AgainstRole = 'base' | 'reference' | 'pair';

/**
 * The question a difference answers depends on who it is against and what is measured: against
 * the base, a target (finance) task or domain asks "did fine-tuning gain?", a general-ability one
 * "was the ability retained?" (non-inferiority); against the reference or another candidate, "is
 * it better?".
 */
export function verdictFor(role: AgainstRole, domain: 'finance' | 'general', bounds: { lower: number; upper: number; level: number }, margin: number): Verdict {
  if (role !== 'base') return superiorityVerdict(bounds, margin).verdict;
  return domain === 'general' ? retentionVerdict(bounds, margin).verdict : changeVerdict(bounds, margin).verdict;
}
