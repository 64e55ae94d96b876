import type { z } from 'zod';

/**
 * The keys an object schema accepts at `path` inside `schema` (through optional, default, record
 * values, arrays and refinements), for suggesting the key a typo meant. Empty when the path does
 * not lead to an object schema.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node = unwrap(schema);
  for (const key of path) {
    const def = node._zod.def as { type: string; shape?: Record<string, z.ZodType>; valueType?: z.ZodType; element?: z.ZodType };
    if (def.type === 'object' && def.shape && typeof key === 'string' && def.shape[key]) node = unwrap(def.shape[key]);
    else if (def.type === 'record' && def.valueType) node = unwrap(def.valueType);
    else if (def.type === 'array' && def.element) node = unwrap(def.element);
    else return [];
  }
  const shape = (node._zod.def as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** Through the wrappers that do not change an object's keys. */
function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema;
  for (;;) {
    const def = node._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) node = def.innerType;
    else if (def.type === 'pipe' && def.in) node = def.in;
    else return node;
  }
}
