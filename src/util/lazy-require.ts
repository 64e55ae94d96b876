import { createRequire } from 'node:module';

const requireFromPackage = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on first call, then kept: for dependencies only some commands or
 * inputs need (SQLite, the CSV parser, mathjs), whose loading would otherwise delay every run's
 * first request. Required rather than imported so that callers stay synchronous; for a CommonJS
 * package both give the same module.
 */
export function lazyRequire<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireFromPackage(specifier) as T);
}
