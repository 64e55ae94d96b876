/** Number formatting shared by the report renderers: metrics are fractions shown with 3 decimals. */
export function formatValue(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

export function formatSigned(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
}

export function formatInterval(lower: number | null | undefined, upper: number | null | undefined, digits = 3): string {
  if (lower === null || lower === undefined || upper === null || upper === undefined) return '';
  return `[${formatValue(lower, digits)}, ${formatValue(upper, digits)}]`;
}

export function formatPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/**
 * Dollars: cents for amounts of a dollar or more, four decimals below (one evaluation item costs
 * fractions of a cent), and two significant digits below $0.0001, where four decimals would print
 * a priced run as "$0.0000" — which now means exactly nothing (cached answers). `null` is a model
 * nobody priced: "no price", never "$0".
 */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'no price';
  if (Math.abs(value) >= 1) return `$${value.toFixed(2)}`;
  if (value === 0 || Math.abs(value) >= 0.0001) return `$${value.toFixed(4)}`;
  const decimals = Math.min(20, 1 - Math.floor(Math.log10(Math.abs(value))));
  return `$${value.toFixed(decimals)}`;
}

/**
 * 1234567 → "1,234,567". Integers are grouped here rather than by `toLocaleString`, whose first
 * call loads ICU's number formatting (≈20 ms of every run's summary).
 */
export function formatCount(value: number): string {
  if (!Number.isSafeInteger(value)) return value.toLocaleString('en-US');
  return String(value).replace(/\B(?=(\d{3})+$)/g, ',');
}
