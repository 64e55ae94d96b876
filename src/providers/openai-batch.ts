import OpenAI, { APIError, toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { registerSecret } from '../util/secrets.js';
import { UserError } from '../util/errors.js';
import { ProviderError } from './errors.js';
import { classifyError, readCompletion, resolveApiKey } from './openai-compatible.js';
import type { Completion, EndpointSpec } from './provider.js';
import { httpTransport } from './http-transport.js';
import { redactingLogger } from './redacting-logger.js';

export type { Batch } from 'openai/resources/batches';

/** OpenAI's documented limits for one batch input file. */
export interface BatchLimits {
  maxRequests: number;
  maxBytes: number;
}

/** 50,000 requests or 200 MB per file; bytes counted in decimal megabytes to stay on the safe side. */
export const OPENAI_BATCH_LIMITS: BatchLimits = { maxRequests: 50_000, maxBytes: 200_000_000 };

/** The route every line targets: the same chat completions a direct run calls. */
export const BATCH_ENDPOINT = '/v1/chat/completions';

export interface BatchRequest {
  customId: string;
  body: ChatCompletionCreateParamsNonStreaming;
}

/** What one line of the output or error file says about its request. */
export type BatchLineResult = { kind: 'answer'; completion: Completion } | { kind: 'error'; error: ProviderError };

/** Statuses after which a batch changes no more. */
export const TERMINAL_BATCH_STATUSES: ReadonlySet<Batch['status']> = new Set(['completed', 'failed', 'expired', 'cancelled']);

/**
 * Per-line error codes meaning "never attempted" rather than "attempted and failed": requests the
 * batch did not reach before it expired or was cancelled. Their items are asked again.
 */
const NOT_ATTEMPTED_CODES = new Set(['batch_expired', 'batch_cancelled']);

export function batchLine(request: BatchRequest): string {
  return JSON.stringify({ custom_id: request.customId, method: 'POST', url: BATCH_ENDPOINT, body: request.body });
}

/**
 * Split requests into input files that each respect the per-file limits, in order. A single line
 * over the byte limit cannot be sent at all: that is a clear error rather than a rejected upload.
 */
export function splitIntoFiles(requests: readonly BatchRequest[], limits: BatchLimits = OPENAI_BATCH_LIMITS): BatchRequest[][] {
  const files: BatchRequest[][] = [];
  let current: BatchRequest[] = [];
  let bytes = 0;
  for (const request of requests) {
    const size = Buffer.byteLength(batchLine(request)) + 1;
    if (size > limits.maxBytes) throw new UserError(`batch request ${request.customId} is ${size} bytes, over the ${limits.maxBytes}-byte limit of a batch input file`);
    if (current.length > 0 && (current.length >= limits.maxRequests || bytes + size > limits.maxBytes)) {
      files.push(current);
      current = [];
      bytes = 0;
    }
    current.push(request);
    bytes += size;
  }
  if (current.length > 0) files.push(current);
  return files;
}

/**
 * The OpenAI Batch API through the official `openai` package: upload a JSONL file of chat
 * requests (purpose `batch`), create a batch over it, read its status, download its output and
 * error files. Protocol only: waiting, retries and bookkeeping belong to the runner. Every
 * failure is a classified `ProviderError`, like a direct request's.
 */
export class OpenAIBatchClient {
  private readonly client: OpenAI;

  constructor(
    readonly endpoint: EndpointSpec,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const apiKey = resolveApiKey(endpoint, env);
    registerSecret(apiKey);
    this.client = new OpenAI({ apiKey, baseURL: endpoint.baseURL, maxRetries: 0, timeout: endpoint.timeoutMs ?? 120_000, fetch: httpTransport, logger: redactingLogger });
  }

  /** Upload one input file of requests (purpose `batch`). Safe to retry: an unused file costs nothing. */
  async upload(requests: readonly BatchRequest[], signal?: AbortSignal): Promise<{ id: string }> {
    const jsonl = `${requests.map(batchLine).join('\n')}\n`;
    const upload = await toFile(Buffer.from(jsonl), 'finharness-batch.jsonl', { type: 'application/jsonl' });
    return this.call(signal, (options) => this.client.files.create({ file: upload, purpose: 'batch' }, options));
  }

  /**
   * The batch whose metadata carries `key: value`, looking back no further than batches created at
   * or after `since` (epoch seconds): listing is newest first, so the search stops there.
   */
  async findBatchByMetadata(key: string, value: string, since: number, signal?: AbortSignal): Promise<Batch | undefined> {
    return this.call(signal, async (options) => {
      for await (const batch of this.client.batches.list({ limit: 100 }, options)) {
        if (batch.metadata?.[key] === value) return batch as Batch;
        if (batch.created_at < since) return undefined;
      }
      return undefined;
    });
  }

  /** Start a batch over an uploaded file. `metadata` lets a person find it in the dashboard. */
  createBatch(inputFileId: string, metadata: Record<string, string>, signal?: AbortSignal): Promise<Batch> {
    return this.call(signal, (options) => this.client.batches.create({ input_file_id: inputFileId, endpoint: BATCH_ENDPOINT, completion_window: '24h', metadata }, options));
  }

  /** List at most one batch: whether the server has the Batch API at all (vLLM and TGI answer 404). */
  async probe(signal?: AbortSignal): Promise<void> {
    await this.call(signal, (options) => this.client.batches.list({ limit: 1 }, options));
  }

  retrieve(batchId: string, signal?: AbortSignal): Promise<Batch> {
    return this.call(signal, (options) => this.client.batches.retrieve(batchId, options));
  }

  cancel(batchId: string, signal?: AbortSignal): Promise<Batch> {
    return this.call(signal, (options) => this.client.batches.cancel(batchId, options));
  }

  /**
   * Every line of a finished batch's output and error files, by custom_id. Requests the batch
   * never attempted (expired, cancelled, failed validation) are absent: the caller asks them again.
   */
  async results(batch: Batch, signal?: AbortSignal): Promise<Map<string, BatchLineResult>> {
    const results = new Map<string, BatchLineResult>();
    for (const fileId of [batch.output_file_id, batch.error_file_id]) {
      if (!fileId) continue;
      const text = await this.call(signal, async (options) => (await this.client.files.content(fileId, options)).text());
      for (const line of text.split('\n')) {
        const parsed = parseOutputLine(line);
        if (parsed) results.set(parsed.customId, parsed.result);
      }
    }
    return results;
  }

  private async call<T>(signal: AbortSignal | undefined, request: (options: { signal?: AbortSignal }) => Promise<T>): Promise<T> {
    try {
      return await request(signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted) throw error;
      throw classifyError(error, false, this.endpoint.timeoutMs ?? 120_000);
    }
  }
}

/**
 * One output/error file line: `{id, custom_id, response: {status_code, request_id, body}, error}`.
 * Undefined for blank lines, lines without a custom_id, and requests never attempted.
 */
export function parseOutputLine(line: string): { customId: string; result: BatchLineResult } | undefined {
  if (line.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || typeof parsed.custom_id !== 'string') return undefined;
  const customId = parsed.custom_id;
  const { response, error } = parsed;
  if (isObject(error)) {
    const code = typeof error.code === 'string' ? error.code : '';
    if (NOT_ATTEMPTED_CODES.has(code)) return undefined;
    return { customId, result: { kind: 'error', error: statusError(code === 'server_error' ? 500 : code === 'rate_limit_exceeded' ? 429 : 400, { error }) } };
  }
  if (!isObject(response)) return { customId, result: { kind: 'error', error: new ProviderError('malformed_response', 'batch output line has neither a response nor an error') } };
  const status = typeof response.status_code === 'number' ? response.status_code : 0;
  if (status !== 200) return { customId, result: { kind: 'error', error: statusError(status, response.body) } };
  try {
    return { customId, result: { kind: 'answer', completion: readCompletion(response.body) } };
  } catch (caught) {
    return { customId, result: { kind: 'error', error: classifyError(caught, false, 0) } };
  }
}

/** A line's HTTP status and error body, classified exactly as the same reply to a direct request would be. */
function statusError(status: number, body: unknown): ProviderError {
  const errorBody = isObject(body) ? body : undefined;
  const message = isObject(errorBody?.error) && typeof errorBody.error.message === 'string' ? errorBody.error.message : undefined;
  return classifyError(APIError.generate(status || 500, errorBody, message, new Headers()), false, 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
