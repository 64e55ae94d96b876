import type { JudgeSubject } from './rubric.js';
import { ruleVerdict } from './rules.js';
import type { Verdict } from './verdict.js';

/**
 * One judge's opinion of one answer, as stored in a sample's `judgement` (samples.jsonl): enough
 * to re-score without asking again, and to account for what asking cost.
 */
export interface JudgeOpinion {
  /** The judge's name: an endpoint name, or "rule". */
  judge: string;
  verdict: Verdict;
  credit: number;
  rationale: string;
  /** Model judges: the cache key of the judge's reply, whether it came from the cache, attempts made, tokens. */
  cache_key?: string;
  cached?: boolean;
  attempts?: number;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
}

/** What a judge is, for manifests and reports. Never holds a key. */
export interface JudgeIdentity {
  name: string;
  kind: 'rule' | 'model';
  /** Model judges: provider, model id and base URL as the endpoint is configured. */
  provider?: string;
  model?: string;
  base_url?: string;
  simulated?: boolean;
}

export interface Judge {
  readonly identity: JudgeIdentity;
  /** Model judges: the endpoint asked (for its price). */
  readonly endpoint?: import('../providers/provider.js').EndpointSpec;
  /** Throws `JudgeError` when no verdict could be had (a fatal `ProviderError` stops the run instead). */
  judge(subject: JudgeSubject, signal?: AbortSignal): Promise<JudgeOpinion>;
}

/** A judge that gave no verdict: its reply was unreadable, or its requests failed after retries. */
export class JudgeError extends Error {
  constructor(
    readonly judgeName: string,
    message: string,
  ) {
    super(`judge ${judgeName}: ${message}`);
    this.name = 'JudgeError';
  }
}

/** The rule-only judge (`--judge rule`): tolerant match, refusal phrases, else incorrect. No request. */
export const RULE_JUDGE: Judge = {
  identity: { name: 'rule', kind: 'rule' },
  judge: async (subject) => {
    const decision = ruleVerdict(subject);
    return { judge: 'rule', verdict: decision.verdict, credit: decision.verdict === 'correct' ? 1 : 0, rationale: `${decision.rule}: ${decision.note}` };
  },
};
