import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isRecord } from './is-record.js';
import { invalidJsonBody, invalidRequest, openAIError } from './openai-errors.js';
import { BodyTooLargeError, readBody, type Reply } from './reply.js';

/**
 * OpenAI's Files and Batch APIs as the `openai` client sees them: multipart uploads with
 * `purpose`, batch objects whose status moves validating → in_progress → finalizing → completed
 * (or failed / expired / cancelled) as they are polled, and output and error files in OpenAI's
 * line format. Each line is answered by the same logic as a direct chat completion.
 */

/** How fast a batch moves on: one status step per `pollsPerStep` polls of it, or per `msPerStep`, whichever comes first. */
export interface BatchSchedule {
  pollsPerStep?: number;
  msPerStep?: number;
}

/** Failures of the Batch API, each applying to the next upload (upload_rejected) or the next batch created (the rest). */
export type BatchFault =
  /** 400 on the next upload, as for a file the API will not accept. */
  | { kind: 'upload_rejected' }
  /** The next batch fails validation: status `failed` with `errors.data`, no output. */
  | { kind: 'validation_failed' }
  /** The next batch expires having answered only its first `answered` lines; the rest are `batch_expired` in the error file. */
  | { kind: 'expire'; answered: number }
  /** In the next batch, the lines at these 0-based positions get this HTTP status in the error file. */
  | { kind: 'line_errors'; status: 400 | 429 | 500; lines: readonly number[] };

export interface BatchStats {
  filesUploaded: number;
  batchesCreated: number;
  /** Request lines across all batches created. */
  batchRequests: number;
  batchPolls: number;
  batchesCancelled: number;
}

/** Answers one request line's body (a chat-completions request) with the reply a direct call would get. */
export type LineAnswerer = (bodyText: string) => Reply;

interface StoredFile {
  object: { id: string; object: 'file'; bytes: number; created_at: number; filename: string; purpose: string; status: 'processed'; expires_at: number | null; status_details: null };
  content: string;
}

interface StoredBatch {
  id: string;
  inputFileId: string;
  endpoint: string;
  metadata: Record<string, string> | null;
  createdAt: number;
  createdMs: number;
  polls: number;
  fault: BatchFault | undefined;
  cancelRequested: boolean;
  /** Parsed lines, or the validation errors that fail the batch. */
  lines: { customId: string; body: unknown }[];
  validationErrors: { code: string; message: string; line: number | null; param: string | null }[];
  timestamps: Partial<Record<'in_progress_at' | 'finalizing_at' | 'completed_at' | 'failed_at' | 'expired_at' | 'cancelling_at' | 'cancelled_at', number>>;
  terminal: { status: 'completed' | 'failed' | 'expired' | 'cancelled'; outputFileId: string | null; errorFileId: string | null; completed: number; failed: number } | null;
}

const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
const ENDPOINTS = new Set(['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/responses']);
const PURPOSES = new Set(['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals']);

export class BatchEmulator {
  private readonly files = new Map<string, StoredFile>();
  private readonly batches = new Map<string, StoredBatch>();
  private readonly uploadFaults: BatchFault[] = [];
  private readonly batchFaults: BatchFault[] = [];
  private counters: BatchStats = emptyBatchStats();

  constructor(
    private readonly answerLine: LineAnswerer,
    private schedule: BatchSchedule = { pollsPerStep: 1 },
  ) {}

  /** Applies to batches already created too: a test can hold a batch in progress, then let it finish. */
  setSchedule(schedule: BatchSchedule): void {
    this.schedule = schedule;
  }

  injectFaults(faults: readonly BatchFault[]): void {
    for (const fault of faults) (fault.kind === 'upload_rejected' ? this.uploadFaults : this.batchFaults).push(fault);
  }

  clearFaults(): void {
    this.uploadFaults.length = 0;
    this.batchFaults.length = 0;
  }

  stats(): BatchStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = emptyBatchStats();
  }

  /** The reply for a Files or Batches request, or undefined when the path is not one of theirs. */
  async route(method: string, path: string, req: IncomingMessage): Promise<Reply | undefined> {
    if (method === 'POST' && path === '/v1/files') return this.upload(req);
    if (method === 'POST' && path === '/v1/batches') return this.create(req);
    const file = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
    if (method === 'GET' && file) return file[2] ? this.fileContent(decodeURIComponent(file[1]!)) : this.fileObject(decodeURIComponent(file[1]!));
    const batch = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    if (batch && method === (batch[2] ? 'POST' : 'GET')) return batch[2] ? this.cancel(decodeURIComponent(batch[1]!)) : this.retrieve(decodeURIComponent(batch[1]!));
    if (method === 'GET' && path === '/v1/batches') return this.list(new URL(req.url ?? '/', 'http://x').searchParams);
    return undefined;
  }

  /**
   * GET /v1/batches: newest first, `limit` (default 20, at most 100) after the id `after`, as the Batch API
   * pages. Listing does not move a batch on (only polling it does). A client asking whether the Batch API
   * exists lists with limit 1.
   */
  private list(query: URLSearchParams): Reply {
    const newestFirst = [...this.batches.values()].reverse();
    const after = query.get('after');
    const start = after === null ? 0 : newestFirst.findIndex((b) => b.id === after) + 1;
    const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 20) || 20));
    const page = newestFirst.slice(start, start + limit);
    return json({
      object: 'list',
      data: page.map((batch) => this.batchObject(batch, batch.terminal?.status ?? (this.stepsTaken(batch) === 0 ? 'validating' : 'in_progress'))),
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
      has_more: start + limit < newestFirst.length,
    });
  }

  private async upload(req: IncomingMessage): Promise<Reply> {
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.startsWith('multipart/form-data')) return invalidRequest(`Invalid Content-Type header (${contentType || 'none'}), expected multipart/form-data.`);
    let form: FormData;
    try {
      // undici's multipart parser: the same one fetch uses, so boundaries and escaping are handled as on the wire.
      form = await new Response(await readBody(req, MAX_UPLOAD_BYTES), { headers: { 'content-type': contentType } }).formData();
    } catch (error) {
      if (error instanceof BodyTooLargeError) return invalidRequest(error.message, 'file', null, 413);
      return invalidRequest(`Could not parse multipart form: ${error instanceof Error ? error.message : String(error)}`);
    }
    const purpose = form.get('purpose');
    const file = form.get('file');
    if (typeof purpose !== 'string') return invalidRequest("Missing required parameter: 'purpose'.", 'purpose', 'missing_required_parameter');
    if (!PURPOSES.has(purpose)) return invalidRequest(`Invalid value for 'purpose': '${purpose}'.`, 'purpose', 'invalid_value');
    if (file === null || typeof file === 'string') return invalidRequest("Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
    if (this.uploadFaults.shift()) return invalidRequest('Invalid file format for Batch API. Must be .jsonl', 'file', 'invalid_file_format');
    const content = await file.text();
    this.counters.filesUploaded++;
    return json(this.storeFile(content, file.name || 'upload.jsonl', purpose));
  }

  private storeFile(content: string, filename: string, purpose: string): StoredFile['object'] {
    const id = `file-${randomBytes(12).toString('hex')}`;
    const createdAt = nowSeconds();
    const object = { id, object: 'file' as const, bytes: Buffer.byteLength(content), created_at: createdAt, filename, purpose, status: 'processed' as const, expires_at: purpose === 'batch' ? createdAt + 30 * 86_400 : null, status_details: null };
    this.files.set(id, { object, content });
    return object;
  }

  private fileObject(id: string): Reply {
    const file = this.files.get(id);
    return file ? json(file.object) : noSuchFile(id);
  }

  private fileContent(id: string): Reply {
    const file = this.files.get(id);
    return file ? { kind: 'raw', status: 200, contentType: 'application/octet-stream', body: file.content } : noSuchFile(id);
  }

  private async create(req: IncomingMessage): Promise<Reply> {
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req, 1024 * 1024));
    } catch {
      return invalidJsonBody();
    }
    if (!isRecord(body)) return invalidRequest('Invalid body: expected a JSON object.');
    const { input_file_id: inputFileId, endpoint, completion_window: window, metadata } = body;
    if (typeof inputFileId !== 'string') return invalidRequest("Missing required parameter: 'input_file_id'.", 'input_file_id', 'missing_required_parameter');
    if (typeof endpoint !== 'string' || !ENDPOINTS.has(endpoint)) return invalidRequest(`Invalid value for 'endpoint': '${String(endpoint)}'.`, 'endpoint', 'invalid_value');
    if (window !== '24h') return invalidRequest(`Invalid value for 'completion_window': '${String(window)}'. Supported values are: '24h'.`, 'completion_window', 'invalid_value');
    const file = this.files.get(inputFileId);
    if (!file) return noSuchFile(inputFileId);
    if (file.object.purpose !== 'batch') return invalidRequest(`File ${inputFileId} has purpose '${file.object.purpose}', expected 'batch'.`, 'input_file_id', 'invalid_value');
    const { lines, errors } = parseInputFile(file.content, endpoint);
    const fault = this.batchFaults.shift();
    if (fault?.kind === 'validation_failed') errors.push({ code: 'invalid_request', message: 'The batch input file failed validation (simulated).', line: 1, param: null });
    const createdMs = Date.now();
    const batch: StoredBatch = {
      id: `batch_${randomBytes(12).toString('hex')}`,
      inputFileId,
      endpoint,
      metadata: isRecord(metadata) ? (metadata as Record<string, string>) : null,
      createdAt: Math.floor(createdMs / 1000),
      createdMs,
      polls: 0,
      fault,
      cancelRequested: false,
      lines,
      validationErrors: errors,
      timestamps: {},
      terminal: null,
    };
    this.batches.set(batch.id, batch);
    this.counters.batchesCreated++;
    this.counters.batchRequests += lines.length;
    return json(this.batchObject(batch, 'validating'));
  }

  private retrieve(id: string): Reply {
    const batch = this.batches.get(id);
    if (!batch) return noSuchBatch(id);
    this.counters.batchPolls++;
    batch.polls++;
    return json(this.batchObject(batch, this.advance(batch)));
  }

  private cancel(id: string): Reply {
    const batch = this.batches.get(id);
    if (!batch) return noSuchBatch(id);
    if (batch.terminal) return invalidRequest(`Cannot cancel a batch with status '${batch.terminal.status}'.`, null, null, 409);
    if (!batch.cancelRequested) this.counters.batchesCancelled++;
    batch.cancelRequested = true;
    batch.timestamps.cancelling_at ??= nowSeconds();
    return json(this.batchObject(batch, 'cancelling'));
  }

  /** The batch's status now, finishing it (answers, output files) the first time it reaches its end. */
  private advance(batch: StoredBatch): string {
    if (batch.terminal) return batch.terminal.status;
    const step = this.stepsTaken(batch);
    const stamp = (key: keyof StoredBatch['timestamps']) => (batch.timestamps[key] ??= nowSeconds());
    if (batch.cancelRequested) {
      stamp('cancelled_at');
      return this.finish(batch, 'cancelled', 0).status;
    }
    if (step === 0) return 'validating';
    if (batch.validationErrors.length > 0) {
      stamp('failed_at');
      return this.finish(batch, 'failed', 0).status;
    }
    stamp('in_progress_at');
    if (step === 1) return 'in_progress';
    if (batch.fault?.kind === 'expire') {
      stamp('expired_at');
      return this.finish(batch, 'expired', batch.fault.answered).status;
    }
    stamp('finalizing_at');
    if (step === 2) return 'finalizing';
    stamp('completed_at');
    return this.finish(batch, 'completed', batch.lines.length).status;
  }

  private stepsTaken(batch: StoredBatch): number {
    const { pollsPerStep, msPerStep } = this.schedule;
    const byPolls = pollsPerStep === undefined ? 0 : pollsPerStep <= 0 ? Infinity : Math.floor(batch.polls / pollsPerStep);
    const byTime = msPerStep === undefined ? 0 : msPerStep <= 0 ? Infinity : Math.floor((Date.now() - batch.createdMs) / msPerStep);
    return Math.max(byPolls, byTime);
  }

  /** Answer the first `answered` lines; the others are reported as never attempted, with the code OpenAI uses. */
  private finish(batch: StoredBatch, status: NonNullable<StoredBatch['terminal']>['status'], answered: number): NonNullable<StoredBatch['terminal']> {
    const outputs: string[] = [];
    const errors: string[] = [];
    const lineFaults = batch.fault?.kind === 'line_errors' ? batch.fault : undefined;
    const failedLines = new Set(lineFaults?.lines ?? []);
    if (status !== 'failed') {
      batch.lines.forEach((line, index) => {
        const id = `batch_req_${randomBytes(12).toString('hex')}`;
        if (index >= answered) {
          const code = status === 'expired' ? 'batch_expired' : 'batch_cancelled';
          const message = status === 'expired' ? 'This request could not be executed before the completion window expired.' : 'This request was not executed because the batch was cancelled.';
          errors.push(JSON.stringify({ id, custom_id: line.customId, response: null, error: { code, message } }));
          return;
        }
        const reply = lineFaults && failedLines.has(index) ? lineFault(lineFaults.status) : this.answerLine(JSON.stringify(line.body));
        const statusCode = reply.kind === 'json' || reply.kind === 'raw' ? reply.status : 500;
        const body = reply.kind === 'json' ? reply.body : null;
        const text = JSON.stringify({ id, custom_id: line.customId, response: { status_code: statusCode, request_id: randomBytes(16).toString('hex'), body }, error: null });
        (statusCode === 200 ? outputs : errors).push(text);
      });
    }
    const file = (lines: string[]) => (lines.length === 0 ? null : this.storeFile(`${lines.join('\n')}\n`, 'batch_output.jsonl', 'batch_output').id);
    const completed = outputs.length;
    batch.terminal = { status, outputFileId: file(outputs), errorFileId: file(errors), completed, failed: status === 'failed' ? 0 : Math.min(answered, batch.lines.length) - completed };
    return batch.terminal;
  }

  private batchObject(batch: StoredBatch, status: string) {
    const total = batch.validationErrors.length > 0 ? 0 : batch.lines.length;
    const terminal = batch.terminal;
    // Mid-run counts grow as a real batch's do; the test of a client is that it only reports them.
    const partial = status === 'in_progress' ? Math.floor(total / 2) : status === 'finalizing' ? total : 0;
    return {
      id: batch.id,
      object: 'batch',
      endpoint: batch.endpoint,
      errors: batch.validationErrors.length > 0 && status === 'failed' ? { object: 'list', data: batch.validationErrors } : null,
      input_file_id: batch.inputFileId,
      completion_window: '24h',
      status,
      output_file_id: terminal?.outputFileId ?? null,
      error_file_id: terminal?.errorFileId ?? null,
      created_at: batch.createdAt,
      in_progress_at: batch.timestamps.in_progress_at ?? null,
      expires_at: batch.createdAt + 86_400,
      finalizing_at: batch.timestamps.finalizing_at ?? null,
      completed_at: batch.timestamps.completed_at ?? null,
      failed_at: batch.timestamps.failed_at ?? null,
      expired_at: batch.timestamps.expired_at ?? null,
      cancelling_at: batch.timestamps.cancelling_at ?? null,
      cancelled_at: batch.timestamps.cancelled_at ?? null,
      request_counts: terminal ? { total, completed: terminal.completed, failed: terminal.failed } : { total, completed: partial, failed: 0 },
      metadata: batch.metadata,
    };
  }
}

/**
 * Lines as OpenAI validates them: JSON objects with a unique custom_id, method POST, and the
 * batch's endpoint as url. Problems fail the whole batch, each named with its line.
 */
function parseInputFile(content: string, endpoint: string): { lines: StoredBatch['lines']; errors: StoredBatch['validationErrors'] } {
  const lines: StoredBatch['lines'] = [];
  const errors: StoredBatch['validationErrors'] = [];
  const seen = new Set<string>();
  content.split('\n').forEach((text, index) => {
    if (text.trim() === '') return;
    const line = index + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      errors.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line, param: null });
      return;
    }
    if (!isRecord(parsed) || typeof parsed.custom_id !== 'string') {
      errors.push({ code: 'missing_required_parameter', message: "Missing required parameter: 'custom_id'.", line, param: 'custom_id' });
      return;
    }
    if (seen.has(parsed.custom_id)) errors.push({ code: 'duplicate_custom_id', message: 'The custom_id for this request is a duplicate of another request.', line, param: 'custom_id' });
    else if (parsed.method !== 'POST') errors.push({ code: 'invalid_method', message: "Invalid value for 'method'. Expected 'POST'.", line, param: 'method' });
    else if (parsed.url !== endpoint) errors.push({ code: 'mismatched_endpoint', message: `The url of this request does not match the batch's endpoint (${endpoint}).`, line, param: 'url' });
    seen.add(parsed.custom_id);
    lines.push({ customId: parsed.custom_id, body: parsed.body });
  });
  if (lines.length === 0 && errors.length === 0) errors.push({ code: 'empty_file', message: 'The batch input file is empty.', line: null, param: null });
  return { lines, errors };
}

function lineFault(status: 400 | 429 | 500): Reply {
  if (status === 429) return openAIError(429, { message: 'Rate limit reached for requests (simulated).', type: 'requests', param: null, code: 'rate_limit_exceeded' });
  if (status === 500) return openAIError(500, { message: 'The server had an error while processing your request (simulated).', type: 'server_error', param: null, code: null });
  return invalidRequest('Invalid request (simulated).', null, 'invalid_value');
}

function json(body: unknown): Reply {
  return { kind: 'json', status: 200, body };
}

function noSuchFile(id: string): Reply {
  return invalidRequest(`No such File object: ${id}`, 'id', null, 404);
}

function noSuchBatch(id: string): Reply {
  return invalidRequest(`No batch found with id '${id}'.`, null, null, 404);
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function emptyBatchStats(): BatchStats {
  return { filesUploaded: 0, batchesCreated: 0, batchRequests: 0, batchPolls: 0, batchesCancelled: 0 };
}
