/**
 * Additive sufficient statistics: what every resampling kernel is built from.
 *
 * A corpus metric that can be computed from sums over items (a confusion matrix, entity
 * tp/fp/fn totals, a sum of scores and a count) only needs, per item, the vector the item adds
 * to those sums. Resampling then never touches item objects: a resample is a vector of counts
 * per unit, the totals are a weighted sum of these vectors, and the metric is a function of the
 * totals. The vectors are stored sparse, row by row (CSR): most items add to one confusion
 * cell or a few counters out of many.
 */

export interface SufficientStatistics {
  /** Number of rows: items, or resampling units after `aggregateRows`. */
  readonly rows: number;
  /** Length of the totals vector. */
  readonly dimension: number;
  /** Row r owns entries offsets[r] .. offsets[r + 1] - 1; length rows + 1. */
  readonly offsets: Int32Array;
  /** Position in the totals vector of each entry. */
  readonly indices: Int32Array;
  /** Amount each entry adds. */
  readonly values: Float64Array;
}

/** Each item adds 1 to a single cell (a confusion-matrix cell, a category). */
export function oneHotStatistics(cells: ArrayLike<number>, dimension: number): SufficientStatistics {
  assertDimension(dimension);
  const rows = cells.length;
  const offsets = new Int32Array(rows + 1);
  const indices = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    const cell = cells[row]!;
    if (!Number.isInteger(cell) || cell < 0 || cell >= dimension) {
      throw new RangeError(`item ${row}: cell ${cell} is outside 0..${dimension - 1}`);
    }
    indices[row] = cell;
    offsets[row + 1] = row + 1;
  }
  return { rows, dimension, offsets, indices, values: new Float64Array(rows).fill(1) };
}

/**
 * One column per statistic, one value per item (e.g. tp, fp, fn per sentence). Zeros are not
 * stored. Values must be finite.
 */
export function columnStatistics(columns: readonly ArrayLike<number>[]): SufficientStatistics {
  assertDimension(columns.length);
  const rows = columns[0]!.length;
  columns.forEach((column, index) => {
    if (column.length !== rows) throw new RangeError(`statistic column ${index} has ${column.length} values, expected ${rows}`);
  });
  const offsets = new Int32Array(rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let row = 0; row < rows; row++) {
    columns.forEach((column, index) => {
      const value = column[row]!;
      if (!Number.isFinite(value)) throw new RangeError(`item ${row}: statistic ${index} is ${value}`);
      if (value !== 0) {
        indices.push(index);
        values.push(value);
      }
    });
    offsets[row + 1] = indices.length;
  }
  return { rows, dimension: columns.length, offsets, indices: Int32Array.from(indices), values: Float64Array.from(values) };
}

/**
 * Side by side: row r adds the first part's row r to positions 0 .. first.dimension - 1, the
 * second part's row r after them, and so on. How a paired comparison resamples both models with
 * the same draws, and how all metrics of one model share one resample.
 */
export function concatStatistics(...parts: SufficientStatistics[]): SufficientStatistics {
  const rows = parts[0]?.rows ?? 0;
  for (const part of parts) {
    if (part.rows !== rows) throw new RangeError(`paired statistics must cover the same items: ${rows} vs ${part.rows}`);
  }
  const entries = parts.reduce((sum, part) => sum + part.indices.length, 0);
  const offsets = new Int32Array(rows + 1);
  const indices = new Int32Array(entries);
  const values = new Float64Array(entries);
  let next = 0;
  for (let row = 0; row < rows; row++) {
    let shift = 0;
    for (const part of parts) {
      for (let entry = part.offsets[row]!; entry < part.offsets[row + 1]!; entry++) {
        indices[next] = part.indices[entry]! + shift;
        values[next++] = part.values[entry]!;
      }
      shift += part.dimension;
    }
    offsets[row + 1] = next;
  }
  return { rows, dimension: parts.reduce((sum, part) => sum + part.dimension, 0), offsets, indices, values };
}

/** Σ_r weight_r · row_r (every weight 1 when `weights` is omitted). */
export function sumStatistics(statistics: SufficientStatistics, weights?: ArrayLike<number>): Float64Array {
  if (weights !== undefined && weights.length !== statistics.rows) {
    throw new RangeError(`expected ${statistics.rows} weights, got ${weights.length}`);
  }
  const totals = new Float64Array(statistics.dimension);
  const { offsets, indices, values } = statistics;
  for (let row = 0; row < statistics.rows; row++) {
    const weight = weights === undefined ? 1 : weights[row]!;
    if (weight === 0) continue;
    for (let entry = offsets[row]!; entry < offsets[row + 1]!; entry++) {
      totals[indices[entry]!]! += weight * values[entry]!;
    }
  }
  return totals;
}

/**
 * Merges rows into groups: group g's row is the sum of the rows r with groupOf[r] = g (the
 * statistics of a resampling unit are the sums over its items). Entries come out sorted by
 * position, so equal groups have identical rows.
 */
export function aggregateRows(statistics: SufficientStatistics, groupOf: Int32Array, groupCount: number): SufficientStatistics {
  if (groupOf.length !== statistics.rows) {
    throw new RangeError(`expected a group for each of ${statistics.rows} rows, got ${groupOf.length}`);
  }
  // Counting sort of rows by group, then one pass per group through a dense scratch vector.
  const groupStarts = new Int32Array(groupCount + 1);
  for (const group of groupOf) {
    if (!(group >= 0 && group < groupCount)) throw new RangeError(`group ${group} is outside 0..${groupCount - 1}`);
    groupStarts[group + 1]!++;
  }
  for (let group = 0; group < groupCount; group++) groupStarts[group + 1]! += groupStarts[group]!;
  const rowsByGroup = new Int32Array(statistics.rows);
  const fill = groupStarts.slice(0, groupCount);
  groupOf.forEach((group, row) => {
    rowsByGroup[fill[group]!++] = row;
  });

  const scratch = new Float64Array(statistics.dimension);
  const touched = new Uint8Array(statistics.dimension);
  const offsets = new Int32Array(groupCount + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let group = 0; group < groupCount; group++) {
    const positions: number[] = [];
    for (let slot = groupStarts[group]!; slot < groupStarts[group + 1]!; slot++) {
      const row = rowsByGroup[slot]!;
      for (let entry = statistics.offsets[row]!; entry < statistics.offsets[row + 1]!; entry++) {
        const position = statistics.indices[entry]!;
        if (touched[position] === 0) {
          touched[position] = 1;
          positions.push(position);
        }
        scratch[position]! += statistics.values[entry]!;
      }
    }
    positions.sort((a, b) => a - b);
    for (const position of positions) {
      if (scratch[position] !== 0) {
        indices.push(position);
        values.push(scratch[position]!);
      }
      scratch[position] = 0;
      touched[position] = 0;
    }
    offsets[group + 1] = indices.length;
  }
  return {
    rows: groupCount,
    dimension: statistics.dimension,
    offsets,
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
  };
}

function assertDimension(dimension: number): void {
  if (!Number.isSafeInteger(dimension) || dimension < 1) throw new RangeError(`statistics need at least one dimension, got ${dimension}`);
}
