import type { FinharnessConfig } from '../config/config.js';
import { UserError } from '../util/errors.js';
import { TASK_IDS } from './catalog.js';

/**
 * Built-in suites: the finance tasks, and the general-ability probes that show what fine-tuning
 * cost. `all` is every registered task. A suite of the same name in finharness.config.yaml wins.
 */
export const BUILTIN_SUITES: Readonly<Record<string, readonly string[]>> = {
  'finance-core': ['fpb', 'fiqa-sa', 'headlines', 'ner', 'finer-ord', 'finqa', 'convfinqa', 'tatqa'],
  general: ['mmlu', 'gsm8k'],
};

export function suiteNames(config: FinharnessConfig): string[] {
  return [...new Set([...Object.keys(BUILTIN_SUITES), 'all', ...Object.keys(config.suites ?? {})])].sort();
}

/** The task specs of a suite, in its order. */
export function resolveSuite(name: string, config: FinharnessConfig): string[] {
  const own = config.suites?.[name];
  if (own) return [...own];
  if (name === 'all') return [...TASK_IDS];
  const builtin = BUILTIN_SUITES[name];
  if (builtin) return [...builtin];
  throw new UserError(`unknown suite "${name}"; suites: ${suiteNames(config).join(', ')}`);
}
