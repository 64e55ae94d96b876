import { pythonFloat } from '../../util/python-numbers.js';
import { arithmetic } from './arithmetic.js';

/**
 * Numbers inside FinQA programs and tables, read as FinQA's evaluator reads them (`str_to_num`,
 * `process_row` in code/evaluate/evaluate.py): commas removed, then Python's float() (so `1_000`,
 * `1e3` and `+5` are numbers); failing that, with "%" removed, divided by 100 in floating point
 * ("2.2%" is 2.2 / 100, exactly as Python computes it, so gold programs reproduce their answers bit
 * for bit). Table cells first lose "$" signs and
 * anything from the first "(" on (footnote marks such as "5.2 ( a )").
 *
 * Deliberate extensions, which only turn what FinQA's evaluator rejects into a value:
 * an accounting negative written wholly in parentheses ("( 123 )", "(12.5%)") is -123 / -0.125
 * (FinQA's evaluator cuts it to an empty string and fails); "$" is allowed in program arguments;
 * the Unicode minus sign reads as "-".
 */

/** A program argument or table cell as a number, or undefined when it is not one. */
export function readProgramNumber(raw: string): number | undefined {
  const text = raw.replace(/−/g, '-').replace(/\$/g, '').trim();
  const accounting = /^\(\s*([^()]*?)\s*\)$/.exec(text);
  if (accounting !== null) {
    const inner = plainNumber(accounting[1] as string);
    return inner === undefined || /^[-+]/.test((accounting[1] as string).trim()) ? inner : arithmetic().multiply(inner, -1);
  }
  return plainNumber(text);
}

/** FinQA's `str_to_num`: commas dropped, then Python's float(); failing that, with every "%" removed, a hundredth of it. */
function plainNumber(text: string): number | undefined {
  const withoutCommas = text.replace(/,/g, '');
  const value = pythonFloat(withoutCommas);
  if (value !== undefined) return value;
  if (!withoutCommas.includes('%')) return undefined;
  const percent = pythonFloat(withoutCommas.replace(/%/g, ''));
  return percent === undefined ? undefined : arithmetic().divide(percent, 100);
}

/** A table cell as FinQA's `process_row` reads it (plus the extensions above). */
export function readTableCell(cell: string): number | undefined {
  const text = cell.replace(/\$/g, '').trim();
  if (/^\([^()]*\)$/.test(text)) return readProgramNumber(text);
  return readProgramNumber(text.split('(')[0] ?? '');
}
