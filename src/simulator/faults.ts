import { hashUniform } from './deterministic.js';

/**
 * Failures the simulator can inject, one per chat-completions request, covering what real
 * endpoints do to clients: error statuses with OpenAI's bodies, broken transports, and 200
 * responses that are not usable completions.
 */
export type FaultSpec =
  /** 429 `rate_limit_exceeded`; `retry-after` / `retry-after-ms` headers only when given. */
  | { kind: 'rate_limit'; retryAfterSeconds?: number; retryAfterMs?: number }
  /** 429 `insufficient_quota`: billing exhausted, retrying cannot help. */
  | { kind: 'quota' }
  | { kind: 'server_error'; status?: 500 | 502 | 503 }
  /** Accept the request and never answer. */
  | { kind: 'timeout' }
  /** 200 headers and half a body, then the socket is destroyed. */
  | { kind: 'drop' }
  /** 200 `application/json` with truncated, invalid JSON. */
  | { kind: 'malformed' }
  /** 200 with valid JSON lacking `choices`. */
  | { kind: 'missing_fields' }
  /** A valid completion whose content is "". */
  | { kind: 'empty_content' }
  /** A valid completion with content null and finish_reason "content_filter". */
  | { kind: 'content_filter' }
  /** 400 `content_filter`: Azure OpenAI's prompt filter refused the request (Azure's body). */
  | { kind: 'prompt_filter' }
  /**
   * 401 `invalid_api_key`. Like OpenAI, the message shows a masked key; `echoAuthorization`
   * makes it quote the Authorization header verbatim instead, to test that clients redact it.
   */
  | { kind: 'auth'; echoAuthorization?: boolean }
  /** 404 `model_not_found`. */
  | { kind: 'not_found' }
  | { kind: 'bad_request'; message?: string }
  /** 400 `context_length_exceeded` (TGI routes: 422 validation error on input + new tokens). */
  | { kind: 'context_length' }
  /**
   * 503 "Model ... is currently loading" with `estimated_time` (seconds, default 20), as Hugging
   * Face Inference Endpoints answer while a model loads or scales up from zero.
   */
  | { kind: 'loading'; estimatedTimeSeconds?: number };

export type FaultKind = FaultSpec['kind'];

interface FaultRate {
  rate: number;
  fault: FaultSpec;
}

/**
 * Which fault, if any, the next request gets: first the FIFO queue filled by tests, then the
 * per-model random rates used by the demo.
 */
export class FaultSchedule {
  private readonly queue: FaultSpec[] = [];
  private readonly ratesByModel = new Map<string, Map<FaultKind, FaultRate>>();
  /** Requests seen per model and prompt, so each retry of a prompt gets a fresh draw. */
  private readonly attempts = new Map<string, number>();

  enqueue(faults: readonly FaultSpec[]): void {
    this.queue.push(...faults);
  }

  takeQueued(): FaultSpec | undefined {
    return this.queue.shift();
  }

  /** One rate per model and fault kind; setting a kind again replaces it, rate 0 removes it. */
  setRate(model: string, rate: number, fault: FaultSpec): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate must be in [0, 1], got ${rate}`);
    const rates = this.ratesByModel.get(model) ?? new Map<FaultKind, FaultRate>();
    if (rate === 0) rates.delete(fault.kind);
    else rates.set(fault.kind, { rate, fault });
    if (rates.size === 0) this.ratesByModel.delete(model);
    else this.ratesByModel.set(model, rates);
  }

  /**
   * Random fault for a request, decided by hashing model, prompt, fault kind and attempt number:
   * a rerun of the same workload meets the same faults regardless of request interleaving,
   * while a retried prompt is not doomed to fail forever.
   */
  drawRandom(model: string, messagesHash: string): FaultSpec | undefined {
    const rates = this.ratesByModel.get(model);
    if (!rates) return undefined;
    const promptKey = `${model}\n${messagesHash}`;
    const attempt = this.attempts.get(promptKey) ?? 0;
    this.attempts.set(promptKey, attempt + 1);
    for (const [kind, { rate, fault }] of rates) {
      if (hashUniform(`${promptKey}\nfault:${kind}\n${attempt}`) < rate) return fault;
    }
    return undefined;
  }

  clear(): void {
    this.queue.length = 0;
    this.ratesByModel.clear();
    this.attempts.clear();
  }
}
