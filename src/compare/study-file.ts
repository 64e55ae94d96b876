/**
 * The study file a comparison may be given (`compare --study <file>`, YAML or JSON): the domain
 * tags of tasks (replace with `tags`, extend with `add_tags`) and what each model was fine-tuned
 * on (`trained_on`: task ids or tags), checked with Zod so that a typo is one clear line.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import { InputError } from '../util/errors.js';
import { readInputFile } from '../util/input-file.js';
import { decodeUtf8Strict } from '../util/text-encoding.js';
import { splitTaskSpec, TASK_IDS } from '../tasks/catalog.js';
import type { TagOverride } from '../tasks/tags.js';

const TAG = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'expected a tag of letters, digits, ".", "_", "-" or "/" (e.g. finance/sentiment)');

const studySchema = z
  .object({
    tasks: z.record(z.string().min(1), z.object({ tags: z.array(TAG).min(1).optional(), add_tags: z.array(TAG).min(1).optional() }).strict()).optional(),
    /** Model label → the task ids or tags it was fine-tuned on. */
    trained_on: z.record(z.string().min(1), z.array(TAG).min(1)).optional(),
  })
  .strict();

export interface StudyDesign {
  tags: Record<string, TagOverride>;
  trainedOn: Record<string, string[]>;
}

export const EMPTY_STUDY: StudyDesign = { tags: {}, trainedOn: {} };

export function readStudyFile(file: string): StudyDesign {
  const text = decodeUtf8Strict(file, readInputFile(file, 'study file'));
  let value: unknown;
  try {
    value = parse(text) ?? {};
  } catch (error) {
    throw new InputError({ file }, `invalid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseStudy(value, file);
}

export function parseStudy(value: unknown, file: string): StudyDesign {
  const parsed = studySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError({ file, field: issue.path.join('.') || '(top level)' }, issue.message);
  }
  // A misspelt task would silently keep its built-in tags: name it instead.
  for (const spec of Object.keys(parsed.data.tasks ?? {})) {
    if (!TASK_IDS.includes(splitTaskSpec(spec).id)) throw new InputError({ file, field: `tasks.${spec}` }, `unknown task; available tasks: ${TASK_IDS.join(', ')}`);
  }
  return { tags: parsed.data.tasks ?? {}, trainedOn: parsed.data.trained_on ?? {} };
}
