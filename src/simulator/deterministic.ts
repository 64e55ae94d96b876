import { sha256 } from '../util/hash.js';

/**
 * Pseudo-random numbers derived from SHA-256 of a seed string. The simulator must answer the
 * same prompt the same way on every run (so demo results and tests are reproducible) while
 * still looking random across prompts and models; hashing gives both without any global state.
 */

/** 48 bits: the most a double holds exactly, so every value in [0, 1) is equally likely. */
const BITS = 48;
const SCALE = 2 ** BITS;

/** Uniform number in [0, 1) determined by `seed` alone: the digest's first 48 bits, big-endian. */
export function hashUniform(seed: string): number {
  // Read from the hex digest: a Buffer digest costs twice as much, and this runs several times per request.
  return Number.parseInt(sha256(seed).slice(0, BITS / 4), 16) / SCALE;
}

/** Uniform integer in [0, n) determined by `seed` alone. */
export function hashInt(seed: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`hashInt: n must be a positive integer, got ${n}`);
  return Math.floor(hashUniform(seed) * n);
}

/**
 * A `pick(n)` function for `SimulationHints.wrong`: the k-th call uses its own hash, so a hint
 * that picks twice (e.g. a label, then a phrasing) gets independent draws, identical on every run.
 */
export function seededPicker(seed: string): (n: number) => number {
  let calls = 0;
  return (n) => hashInt(`${seed}\npick\n${calls++}`, n);
}
