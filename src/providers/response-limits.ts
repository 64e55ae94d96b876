import { UserError } from '../util/errors.js';

/**
 * The most bytes one response may take, on the wire (compressed) and once decompressed. A model
 * answer is kilobytes; a server that sends 100 MB answers, a body that never ends or a gzip bomb
 * would otherwise fill the memory and then samples.jsonl. Set with FINHARNESS_MAX_RESPONSE_MB.
 */
export const RESPONSE_LIMIT_VARIABLE = 'FINHARNESS_MAX_RESPONSE_MB';
const DEFAULT_LIMIT_MB = 32;
const MB = 1024 * 1024;

let parsed: { raw: string | undefined; bytes: number } | undefined;

/** The cap in bytes; throws a UserError naming the variable when it is not a positive number. */
export function responseLimitBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[RESPONSE_LIMIT_VARIABLE];
  if (parsed !== undefined && parsed.raw === raw) return parsed.bytes;
  const megabytes = raw === undefined || raw.trim() === '' ? DEFAULT_LIMIT_MB : Number(raw);
  if (!Number.isFinite(megabytes) || megabytes <= 0) {
    throw new UserError(`${RESPONSE_LIMIT_VARIABLE}: expected a positive number of megabytes per response (default ${DEFAULT_LIMIT_MB}), got ${JSON.stringify(raw)}`);
  }
  parsed = { raw, bytes: Math.ceil(megabytes * MB) };
  return parsed.bytes;
}

/** A response over the cap; providers report it as error class `response_too_large`. */
export class ResponseTooLargeError extends Error {
  constructor(
    readonly what: 'body' | 'decompressed body',
    readonly limitBytes: number,
  ) {
    super(`the ${what} is larger than ${formatMegabytes(limitBytes)} (${RESPONSE_LIMIT_VARIABLE} raises the cap)`);
    this.name = 'ResponseTooLargeError';
  }
}

function formatMegabytes(bytes: number): string {
  return `${Number((bytes / MB).toFixed(2))} MB`;
}

/** The ResponseTooLargeError somewhere in an error's cause chain (libraries wrap the transport's errors). */
export function responseTooLargeIn(error: unknown): ResponseTooLargeError | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 6; depth++) {
    if (current instanceof ResponseTooLargeError) return current;
    current = current.cause;
  }
  return undefined;
}
