/**
 * Python's `str()` of a value read with Python's `json` module, for reference scorers that compare
 * the text of whatever a prediction holds (TAT-QA's `get_answer_str` calls `str(answer)` on dicts
 * and lists too). Containers render their items with `repr()`: strings quoted, `None`, `True`.
 * Objects keep JavaScript's key order, which puts integer-like keys first (Python keeps the file's
 * order); callers that compare token sets are unaffected.
 */

import { fromJsonNumber, pyStr } from './python-numbers.js';

/** `str(value)`: a string is itself; everything else as `repr()`. */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

/** `repr(value)` of a JSON value. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyStr(fromJsonNumber(value));
  if (typeof value === 'string') return pythonStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `repr(str)`: single quotes unless the text holds a single quote and no double quote; backslash,
 * the chosen quote and control characters escaped. (Python also escapes other non-printable code
 * points such as U+2028; they do not occur in answers and are kept.)
 */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (ESCAPES[char] !== undefined) out += ESCAPES[char];
    else if (char === quote) out += `\\${quote}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${quote}${out}${quote}`;
}
