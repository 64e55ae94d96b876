import { describe, expect, it } from 'vitest';
import type { DomainAggregate, DomainDelta } from '../../src/compare/domains.js';
import { checkpointProfiles } from '../../src/compare/profiles.js';

const domain = (name: string, tasks: string[], kind: 'finance' | 'general'): DomainAggregate => ({ domain: name, kind, tasks, left_out: [], models: {} });
const DOMAINS = [domain('finance', ['fpb', 'ner'], 'finance'), domain('finance/sentiment', ['fpb'], 'finance'), domain('finance/extraction', ['ner'], 'finance'), domain('general', ['mmlu'], 'general')];
const TAGS = { fpb: ['finance', 'finance/sentiment'], ner: ['finance', 'finance/extraction'], mmlu: ['general'] };

function delta(a: string, name: string, difference: number, verdict: DomainDelta['verdict']): DomainDelta {
  return { domain: name, a, b: 'base', against_role: 'base', tasks: [], difference, lower: difference - 0.05, upper: difference + 0.05, level: 0.9875, p_value: 0.01, p_adjusted: 0.04, family_size: 4, significant: true, verdict };
}

describe('checkpoint profiles', () => {
  const deltas = [
    delta('ck-1', 'finance', 0.05, 'inconclusive'),
    delta('ck-1', 'finance/sentiment', 0.1, 'gained'),
    delta('ck-1', 'finance/extraction', -0.01, 'inconclusive'),
    delta('ck-1', 'general', -0.02, 'inconclusive'),
    delta('ck-2', 'finance/sentiment', 0.2, 'gained'),
    delta('ck-2', 'finance/extraction', -0.12, 'regressed'),
    delta('ck-2', 'general', 0, 'retained'),
    delta('ck-3', 'finance/sentiment', 0.15, 'gained'),
    delta('ck-3', 'general', -0.03, 'inconclusive'),
  ];
  const checkpoints = [
    { model: 'ck-1', step: 100 },
    { model: 'ck-2', step: 200 },
    { model: 'ck-3', step: 300 },
  ];
  const trained = { 'ck-1': ['fpb'], 'ck-2': ['fpb'], 'ck-3': ['finance/sentiment'] };

  it('splits domains by what each checkpoint was trained on (task ids or tags); a domain only partly trained on is neither', () => {
    const result = checkpointProfiles(checkpoints, 'base', DOMAINS, deltas, trained, TAGS);
    const first = result.profiles[0]!;
    expect(first.target.map((d) => d.domain)).toEqual(['finance/sentiment']);
    expect(first.non_target.map((d) => d.domain)).toEqual(['finance/extraction', 'general']);
    expect(first.worst_drop!.domain).toBe('general');
    expect(result.profiles[2]!.target.map((d) => d.domain)).toEqual(['finance/sentiment']);
  });

  it('the best checkpoint per target domain is the largest gain among those with no non-target regression', () => {
    const result = checkpointProfiles(checkpoints, 'base', DOMAINS, deltas, trained, TAGS);
    expect(result.profiles.map((p) => p.within_budget)).toEqual([true, false, true]);
    expect(result.best).toEqual([expect.objectContaining({ domain: 'finance/sentiment', checkpoint: 'ck-3', step: 300, over_budget: ['ck-2'] })]);
    expect(result.best[0]!.gain!.difference).toBe(0.15);
  });

  it('without trained_on, the finance domains are the targets', () => {
    const result = checkpointProfiles(checkpoints, 'base', DOMAINS, deltas, {}, TAGS);
    expect(result.target_from).toBe('finance-domains');
    expect(result.profiles[1]!.non_target.map((d) => d.domain)).toEqual(['general']);
    // ck-2's extraction loss is then a target-domain loss, not forgetting: ck-2 is within budget and gains most on sentiment.
    expect(result.best.find((b) => b.domain === 'finance/sentiment')!.checkpoint).toBe('ck-2');
  });
});
