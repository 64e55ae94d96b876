/**
 * A sum of floating-point numbers that does not depend on the order they are added in: the
 * correctly rounded value of their exact sum (Shewchuk's partials, as Python's `math.fsum`).
 * Plain `+=` rounds after every addition, so the same amounts arriving in a different order (items
 * finishing in a different order) give a different last digit in results.json.
 * Finite inputs only: infinities and NaN make the partials meaningless.
 */
export class ExactSum {
  /** Non-overlapping partial sums, increasing in magnitude; their exact sum is the total. */
  private readonly partials: number[] = [];

  add(value: number): this {
    let x = value;
    let kept = 0;
    for (let i = 0; i < this.partials.length; i++) {
      let y = this.partials[i]!;
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const high = x + y;
      const low = y - (high - x);
      if (low !== 0) this.partials[kept++] = low;
      x = high;
    }
    this.partials.length = kept;
    this.partials.push(x);
    return this;
  }

  /** The exact sum rounded once to the nearest double (ties to even). */
  value(): number {
    const partials = this.partials;
    let n = partials.length;
    if (n === 0) return 0;
    let high = partials[--n]!;
    let low = 0;
    while (n > 0) {
      const x = high;
      const y = partials[--n]!;
      high = x + y;
      low = y - (high - x);
      if (low !== 0) break;
    }
    // Half-way cases: the rest of the partials decide which way `high + low` rounds.
    if (n > 0 && ((low < 0 && partials[n - 1]! < 0) || (low > 0 && partials[n - 1]! > 0))) {
      const doubled = low * 2;
      const candidate = high + doubled;
      if (doubled === candidate - high) high = candidate;
    }
    return high;
  }
}

/** `ExactSum` of a list. */
export function exactSum(values: Iterable<number>): number {
  const sum = new ExactSum();
  for (const value of values) sum.add(value);
  return sum.value();
}
