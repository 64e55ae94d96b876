import { describe, expect, it } from 'vitest';
import { formatCount, formatUsd } from '../../src/report/format.js';

describe('formatCount', () => {
  it('groups digits exactly as en-US toLocaleString does', () => {
    const values = [0, 7, 99, 999, 1_000, 1_001, 12_345, 999_999, 1_000_000, 1_234_567, 2 ** 53 - 1, -1, -1_000, -987_654_321, 1.5, 1_234.5678, -0.25, NaN, Infinity];
    for (let digits = 1; digits <= 16; digits++) values.push(Number('9'.repeat(digits)), Number(`1${'0'.repeat(digits - 1)}`));
    for (const value of values) expect(formatCount(value), String(value)).toBe(value.toLocaleString('en-US'));
  });
});

describe('formatUsd', () => {
  it('shows a tiny cost with two significant digits instead of "$0.0000"', () => {
    expect(formatUsd(0.0000042)).toBe('$0.0000042');
    expect(formatUsd(0.00003)).toBe('$0.000030');
    expect(formatUsd(0.000000012)).toBe('$0.000000012');
  });

  it('keeps four decimals below a dollar (an exact zero too), cents above, and says when there is no price', () => {
    expect(formatUsd(0.0123)).toBe('$0.0123');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(0)).toBe('$0.0000');
    expect(formatUsd(null)).toBe('no price');
  });
});
