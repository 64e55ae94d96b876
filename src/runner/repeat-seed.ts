/**
 * The seed sent for one repeat of an item. With the same seed every repeat, an engine that honours
 * `seed` (llama.cpp, vLLM) returns the same answer N times and `--repeats` measures nothing. Repeat
 * 0 keeps `--seed` itself (a run without repeats sends what it always did, so its cache entries
 * stay valid); repeat r > 0 adds r times a large prime, kept within the non-negative int32 range
 * every engine accepts. The seed is recorded in each sample.
 */
const REPEAT_STRIDE = 1_000_003;
const INT32_RANGE = 2 ** 31 - 1;

export function repeatSeed(seed: number | null, repeat: number): number | null {
  if (seed === null || repeat === 0) return seed;
  return (((seed + repeat * REPEAT_STRIDE) % INT32_RANGE) + INT32_RANGE) % INT32_RANGE;
}
