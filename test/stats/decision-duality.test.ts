import { describe, expect, it } from 'vitest';
import { changeVerdict, exactConditionalInterval, mcnemarExactPValue, percentileDualPValue, summarizeReplicates, Xoshiro128StarStar } from '../../src/stats/index.js';

const LEVELS = [0.9, 0.95, 0.975, 0.99, 0.995, 0.999];

describe('exactConditionalInterval', () => {
  it('excludes 0 exactly when the exact McNemar p-value is below 1 − level', () => {
    for (let onlyA = 0; onlyA <= 25; onlyA++) {
      for (let onlyB = 0; onlyB <= 25; onlyB++) {
        const counts = { bothCorrect: 7, onlyA, onlyB, neither: 5 };
        const p = mcnemarExactPValue(onlyA, onlyB);
        for (const level of LEVELS) {
          const interval = exactConditionalInterval(counts, level);
          expect(interval.lower).toBeLessThanOrEqual(interval.difference + 1e-12);
          expect(interval.upper).toBeGreaterThanOrEqual(interval.difference - 1e-12);
          const excludesZero = interval.lower > 0 || interval.upper < 0;
          // Ties at the boundary (p exactly 1 − level) cannot occur for these p-values.
          expect(excludesZero, `b=${onlyA} c=${onlyB} level=${level} p=${p}`).toBe(p < 1 - level);
        }
      }
    }
  });

  it('matches a hand-computed Clopper–Pearson bound: b = 0 of d = 10 discordant, n = 100', () => {
    // Upper bound for π with 0 successes in 10 at 95%: 1 − 0.025^(1/10).
    const upperPi = 1 - 0.025 ** (1 / 10);
    const interval = exactConditionalInterval({ bothCorrect: 80, onlyA: 0, onlyB: 10, neither: 10 }, 0.95);
    expect(interval.lower).toBeCloseTo(-0.1, 12);
    expect(interval.upper).toBeCloseTo((10 / 100) * (2 * upperPi - 1), 9);
  });
});

describe('percentileDualPValue', () => {
  it('is below 1 − level exactly when the percentile interval excludes 0', () => {
    const rng = Xoshiro128StarStar.fromSeed(99);
    for (let trial = 0; trial < 200; trial++) {
      const shift = (rng.nextBelow(2001) - 1000) / 1000; // centre in [−1, 1]
      const discrete = trial % 4 === 0;
      const replicates = Float64Array.from({ length: 50 + rng.nextBelow(400) }, () => {
        const value = shift + (rng.nextBelow(10_001) - 5_000) / 2_500;
        return discrete ? Math.round(value * 4) / 4 : value;
      });
      const p = percentileDualPValue(Float64Array.from(replicates).sort());
      for (const level of LEVELS) {
        const { lower, upper } = summarizeReplicates(replicates, level);
        expect(lower > 0 || upper < 0, `trial ${trial} level ${level} p ${p} [${lower}, ${upper}]`).toBe(p < 1 - level);
      }
    }
  });

  it('is 0 when every replicate is on one side, 1 when they centre on 0', () => {
    expect(percentileDualPValue([0.1, 0.2, 0.3])).toBe(0);
    expect(percentileDualPValue([-0.3, -0.2, -0.1])).toBe(0);
    expect(percentileDualPValue([-1, 0, 1])).toBeCloseTo(1, 9);
  });
});

describe('changeVerdict', () => {
  it('words a change on a target task as gained / regressed / unchanged / inconclusive', () => {
    expect(changeVerdict({ lower: 0.02, upper: 0.1 }, 0.01).verdict).toBe('gained');
    expect(changeVerdict({ lower: -0.1, upper: -0.02 }, 0.01).verdict).toBe('regressed');
    expect(changeVerdict({ lower: -0.005, upper: 0.005 }, 0.01).verdict).toBe('unchanged');
    expect(changeVerdict({ lower: -0.02, upper: 0.005 }, 0.01).verdict).toBe('inconclusive');
    expect(changeVerdict({ lower: 0.01, upper: 0.05 }, 0.01).verdict).toBe('inconclusive');
  });
});
