import { describe, expect, it } from 'vitest';
import { formatCount } from '../../src/report/format.js';

describe('formatCount', () => {
  it('groups digits exactly as en-US toLocaleString does', () => {
    const values = [0, 7, 99, 999, 1_000, 1_001, 12_345, 999_999, 1_000_000, 1_234_567, 2 ** 53 - 1, -1, -1_000, -987_654_321, 1.5, 1_234.5678, -0.25, NaN, Infinity];
    for (let digits = 1; digits <= 16; digits++) values.push(Number('9'.repeat(digits)), Number(`1${'0'.repeat(digits - 1)}`));
    for (const value of values) expect(formatCount(value), String(value)).toBe(value.toLocaleString('en-US'));
  });
});
