// A namespace import: a named import of `hash` would fail to link on Node before 20.12.
import * as crypto from 'node:crypto';

/**
 * `crypto.hash` (Node 20.12+): a one-shot digest costs about two thirds of a Hash object for the
 * short strings hashed on every request (prompt identity, cache keys, the simulator's draws).
 * Node advises Hash objects for large data, which file contents can be.
 */
const oneShot: typeof crypto.hash | undefined = typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** Hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256(data: string | Uint8Array): string {
  return typeof data === 'string' && oneShot ? oneShot('sha256', data) : crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * JSON with object keys sorted at every level, so that two structurally equal values always
 * serialise (and therefore hash) identically. Used for cache keys and template hashes.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** SHA-256 of the canonical JSON form of a value. */
export function hashJson(value: unknown): string {
  return sha256(canonicalJson(value));
}
