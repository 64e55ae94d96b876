import { describe, expect, it } from 'vitest';
import { exactSum } from '../../src/util/exact-sum.js';

describe('exactSum', () => {
  it('is the correctly rounded exact sum, where += is not', () => {
    expect(exactSum(Array.from({ length: 10 }, () => 0.1))).toBe(1);
    expect(Array.from({ length: 10 }, () => 0.1).reduce((a, b) => a + b, 0)).not.toBe(1);
    expect(exactSum([1e100, 1, -1e100, 1e-100])).toBe(1);
    expect(exactSum([])).toBe(0);
    // Half-way case: 1 + 2^-53 is a tie; the tiny positive rest rounds it up.
    expect(exactSum([1, 2 ** -53, 2 ** -80])).toBe(1 + 2 ** -52);
    expect(exactSum([1, 2 ** -53])).toBe(1);
  });

  it('gives the same value in every order', () => {
    const values = [0.1, 1 / 3, 2 / 7, 1e-9, 12345.678, -0.3, 5e-17, 0.7, 1 / 11, -2 / 9];
    const expected = exactSum(values);
    const orders = new Set<number>();
    for (let rotation = 0; rotation < values.length; rotation++) {
      const rotated = [...values.slice(rotation), ...values.slice(0, rotation)];
      expect(exactSum(rotated)).toBe(expected);
      expect(exactSum([...rotated].reverse())).toBe(expected);
      orders.add(rotated.reduce((a, b) => a + b, 0));
    }
    // The values are chosen so that plain addition does depend on the order.
    expect(orders.size).toBeGreaterThan(1);
  });
});
