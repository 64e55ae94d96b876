import type { AnyTask } from './task.js';
import { splitTaskSpec } from './catalog.js';

/**
 * Domain tags: what a task measures, as a list of tags a comparison aggregates by (a per-domain
 * macro average per tag). `finance/<area>` tags name finance sub-areas; `general` marks the
 * general-ability probes a fine-tune must not lose (the task's `domain`), `math` arithmetic
 * reasoning. A task plugin may declare its own (`Task.tags`); users extend or replace them with a
 * domains file (src/compare/domain-file.ts) — a tag is any name, not a fixed list.
 */
const BUILTIN_TAGS: Readonly<Record<string, readonly string[]>> = {
  fpb: ['finance', 'finance/sentiment'],
  'fiqa-sa': ['finance', 'finance/sentiment'],
  headlines: ['finance', 'finance/sentiment'],
  ner: ['finance', 'finance/extraction'],
  'finer-ord': ['finance', 'finance/extraction'],
  finqa: ['finance', 'finance/numeric-qa'],
  convfinqa: ['finance', 'finance/numeric-qa'],
  tatqa: ['finance', 'finance/numeric-qa'],
  financebench: ['finance', 'finance/open-qa'],
  mmlu: ['general', 'general/knowledge'],
  gsm8k: ['general', 'math'],
};

/** How a user changes a task's tags: `tags` replaces them, `add_tags` adds to them. */
export interface TagOverride {
  tags?: readonly string[];
  add_tags?: readonly string[];
}

/**
 * The tags of a task spec (`mmlu:economics` is tagged as `mmlu`): the user's override for the
 * spec or its base id, else the plugin's own, else the built-in table, else its domain alone.
 */
export function taskTags(spec: string, task: Pick<AnyTask, 'domain' | 'tags'> | undefined, overrides: Readonly<Record<string, TagOverride>> = {}): string[] {
  const { id } = splitTaskSpec(spec);
  const override = overrides[spec] ?? overrides[id];
  const own = task?.tags ?? BUILTIN_TAGS[id] ?? [task?.domain ?? 'finance'];
  const tags = override?.tags ?? own;
  return [...new Set([...tags, ...(override?.add_tags ?? [])])];
}
