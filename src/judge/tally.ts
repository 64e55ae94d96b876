import { CostAccumulator, type CostTotals } from '../cost/totals.js';
import type { ModelPrice } from '../cost/prices.js';
import { agreement } from './agreement.js';
import type { Judgement } from './panel.js';
import { VERDICTS, type Verdict } from './verdict.js';

/** What judging a task took and gave, in results.json (`tasks.<id>.judge`). */
export interface JudgeSummary {
  rubric: string;
  judges: string[];
  /** Answers with a verdict (errors excluded). */
  n_judged: number;
  /** How verdicts were reached: by the rule pre-check (no request), one judge, or a majority. */
  decided_by: Record<Judgement['decided_by'], number>;
  verdicts: Record<Verdict, number>;
  /** Majority votes without a strict majority (resolved to the verdict worth less). */
  n_tied: number;
  /** Requests, tokens and dollars per judge model, like a model's own cost (judging is not billed to the judged model). */
  cost: Record<string, CostTotals>;
  /** With several judges: each pair's agreement on the answers both judged (the pre-check's aside). */
  pairwise?: { judges: [string, string]; n: number; accuracy: number | null; kappa: number | null }[];
}

/** Collects the judgements of one task's samples (resumed ones included) into its `JudgeSummary`. */
export class JudgeTally {
  private readonly judgements: Judgement[] = [];
  private readonly costs: Map<string, CostAccumulator>;

  constructor(
    private readonly rubric: string,
    private readonly judges: readonly string[],
    priceOf: (judge: string) => ModelPrice | null,
  ) {
    this.costs = new Map(judges.map((judge) => [judge, new CostAccumulator(priceOf(judge))]));
  }

  add(judgement: Judgement): void {
    this.judgements.push(judgement);
    for (const opinion of judgement.opinions) {
      if (opinion.cached === undefined) continue; // the rule judge sends no request
      this.costs.get(opinion.judge)?.add({ cached: opinion.cached, usage: opinion.usage ?? null, error: null });
    }
  }

  result(): JudgeSummary {
    const decided_by = { precheck: 0, judge: 0, majority: 0 };
    const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
    let tied = 0;
    for (const j of this.judgements) {
      decided_by[j.decided_by]++;
      verdicts[j.verdict]++;
      if (j.tied) tied++;
    }
    const summary: JudgeSummary = {
      rubric: this.rubric,
      judges: [...this.judges],
      n_judged: this.judgements.length,
      decided_by,
      verdicts,
      n_tied: tied,
      cost: Object.fromEntries([...this.costs].map(([judge, acc]) => [judge, acc.result(null)])),
    };
    if (this.judges.length > 1) summary.pairwise = this.pairwise();
    return summary;
  }

  private pairwise(): NonNullable<JudgeSummary['pairwise']> {
    const pairs: NonNullable<JudgeSummary['pairwise']> = [];
    for (let a = 0; a < this.judges.length; a++) {
      for (let b = a + 1; b < this.judges.length; b++) {
        const [first, second] = [this.judges[a]!, this.judges[b]!];
        const labels: (readonly [Verdict, Verdict])[] = [];
        for (const j of this.judgements) {
          const x = j.opinions.find((o) => o.judge === first)?.verdict;
          const y = j.opinions.find((o) => o.judge === second)?.verdict;
          if (x !== undefined && y !== undefined) labels.push([x, y]);
        }
        const { n, accuracy, kappa } = agreement(labels, VERDICTS);
        pairs.push({ judges: [first, second], n, accuracy, kappa });
      }
    }
    return pairs;
  }
}
