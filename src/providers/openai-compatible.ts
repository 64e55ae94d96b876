import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { registerSecret } from '../util/secrets.js';
import { UserError } from '../util/errors.js';
import { ProviderError, parseRetryAfter } from './errors.js';
import { completionLogLikelihood } from './completion-loglikelihood.js';
import { withDeadline } from './deadline.js';
import { plainCompletion, readUsage, samplingParams } from './plain-completion.js';
import type { Completion, CompletionRequest, EndpointIdentity, EndpointSpec, LogLikelihoodRequest, LogLikelihoodResult, Provider } from './provider.js';
import { ReplicaPool } from './replica-pool.js';
import { agreedIdentity, servedModel } from './served-model.js';

/** vLLM, TGI and llama.cpp accept any bearer token when none is configured; the SDK insists on one. */
const PLACEHOLDER_KEY = 'EMPTY';

/**
 * OpenAI chat completions through the official `openai` package: OpenAI itself (GPT-4o) and any
 * server that speaks the same protocol (vLLM, TGI's Messages API, llama.cpp) via `baseURL`.
 * Also the plain completions route (`route: completions`), replicas of one checkpoint
 * (`baseURLs`, see ReplicaPool), vLLM's /v1/models identity and log-likelihood scoring.
 * The SDK's own retries are off: the runner is the one retry layer.
 */
export class OpenAICompatibleProvider implements Provider {
  readonly endpoint: EndpointSpec;
  private readonly replicas: ReplicaPool<OpenAI>;

  constructor(endpoint: EndpointSpec, env: NodeJS.ProcessEnv = process.env) {
    this.endpoint = endpoint;
    const apiKey = resolveApiKey(endpoint, env);
    registerSecret(apiKey);
    const urls = endpoint.baseURLs && endpoint.baseURLs.length > 0 ? endpoint.baseURLs : [endpoint.baseURL];
    this.replicas = new ReplicaPool(urls.map((url) => ({ url, target: new OpenAI({ apiKey, baseURL: url, maxRetries: 0, timeout: endpoint.timeoutMs ?? 120_000 }) })));
  }

  complete(request: CompletionRequest): Promise<Completion> {
    const model = this.endpoint.model;
    return this.send(request.timeoutMs, request.signal, (client, signal) =>
      this.endpoint.route === 'completions' ? plainCompletion(client, model, request, signal) : this.chat(client, request, signal),
    );
  }

  /** vLLM /v1/models; OpenAI's own API names no checkpoint revision, so it is not asked. */
  async probe(signal?: AbortSignal): Promise<EndpointIdentity | null> {
    if (this.endpoint.provider !== 'openai-compatible') return null;
    const timeoutMs = this.endpoint.timeoutMs ?? 30_000;
    const targets = this.replicas.targets;
    return agreedIdentity(targets, (index) =>
      withDeadline(timeoutMs, signal, (s) => servedModel(targets[index]!.target, this.endpoint.model, s, timeoutMs), (e, timedOut) => classifyError(e, timedOut, timeoutMs)),
    );
  }

  async logLikelihood(request: LogLikelihoodRequest): Promise<LogLikelihoodResult> {
    if (this.endpoint.route !== 'completions') {
      throw new UserError(`model "${this.endpoint.name}": log-likelihood scoring needs route: completions (echo + logprobs on /v1/completions)`);
    }
    return this.send(request.timeoutMs, request.signal, (client, signal) => completionLogLikelihood(client, this.endpoint.model, request, signal));
  }

  private send<T>(timeoutMs: number, outer: AbortSignal | undefined, call: (client: OpenAI, signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.replicas.run((client) => withDeadline(timeoutMs, outer, (signal) => call(client, signal), (e, timedOut) => classifyError(e, timedOut, timeoutMs)));
  }

  private async chat(client: OpenAI, request: CompletionRequest, signal: AbortSignal): Promise<Completion> {
    const { decoding } = request;
    // OpenAI's own API prefers max_completion_tokens (required by reasoning models); servers
    // implementing the older protocol (vLLM, TGI, llama.cpp) know max_tokens.
    const lengthParam = this.endpoint.provider === 'openai' ? { max_completion_tokens: decoding.maxTokens } : { max_tokens: decoding.maxTokens };
    const body: ChatCompletion = await client.chat.completions.create(
      {
        model: this.endpoint.model,
        messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
        ...lengthParam,
        ...samplingParams(decoding),
      },
      { signal, timeout: request.timeoutMs },
    );
    return readCompletion(body);
  }
}

function resolveApiKey(endpoint: EndpointSpec, env: NodeJS.ProcessEnv): string {
  const variable = endpoint.apiKeyEnv ?? (endpoint.provider === 'openai' ? 'OPENAI_API_KEY' : undefined);
  if (variable === undefined) return PLACEHOLDER_KEY;
  const key = env[variable];
  if (!key) throw new UserError(`model "${endpoint.name}" needs an API key: set the environment variable ${variable}`);
  return key;
}

/** Check the response has the shape we rely on; servers and proxies do send partial bodies. */
function readCompletion(body: unknown): Completion {
  if (body === null || typeof body !== 'object') {
    throw new ProviderError('malformed_response', `expected a JSON chat completion, got ${typeof body === 'string' ? 'non-JSON text' : String(body)}`);
  }
  const completion = body as Partial<ChatCompletion>;
  const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  if (!choice || typeof choice !== 'object' || !choice.message || typeof choice.message !== 'object') {
    throw new ProviderError('malformed_response', 'response has no choices[0].message');
  }
  const content = choice.message.content;
  if (content === null || content === undefined) {
    if (choice.finish_reason === 'content_filter') throw new ProviderError('content_filter', 'the server withheld the answer (finish_reason content_filter)');
    // A refusal repeats at temperature 0: retrying it would only spend money.
    const refusal = (choice.message as { refusal?: unknown }).refusal;
    if (typeof refusal === 'string' && refusal !== '') throw new ProviderError('content_filter', `the model refused: ${refusal.slice(0, 200)}`);
    throw new ProviderError('malformed_response', 'choices[0].message.content is missing');
  }
  if (typeof content !== 'string') throw new ProviderError('malformed_response', 'choices[0].message.content is not a string');
  return {
    text: content,
    finishReason: choice.finish_reason ?? null,
    usage: readUsage(completion.usage),
    servedModel: typeof completion.model === 'string' ? completion.model : null,
    systemFingerprint: typeof completion.system_fingerprint === 'string' ? completion.system_fingerprint : null,
  };
}

const CONTEXT_LENGTH = /context[ _-]?length|maximum context|too many tokens|prompt is too long|input is too long/i;

/** Map SDK and network failures onto the provider-independent error classes. */
export function classifyError(error: unknown, timedOut: boolean, timeoutMs: number): ProviderError {
  if (error instanceof ProviderError) return error;
  if (timedOut || error instanceof APIConnectionTimeoutError) {
    return new ProviderError('timeout', `no complete response within ${timeoutMs} ms`);
  }
  if (error instanceof APIUserAbortError) return new ProviderError('connection', 'request aborted');
  if (error instanceof APIConnectionError) return new ProviderError('connection', `connection failed${rootCause(error)}`);
  if (error instanceof APIError && error.status !== undefined) return classifyStatus(error);
  if (error instanceof SyntaxError) return new ProviderError('malformed_response', `response body is not valid JSON (${error.message})`);
  // undici reports a connection dropped while the body was streaming as a TypeError ("terminated").
  if (error instanceof TypeError) return new ProviderError('connection', `connection dropped while reading the response (${error.message})`);
  return new ProviderError('malformed_response', `unexpected failure reading the response: ${error instanceof Error ? error.message : String(error)}`);
}

/** fetch wraps the useful part ("connect ECONNREFUSED 127.0.0.1:8000") a level or two deep. */
function rootCause(error: Error): string {
  let cause: unknown = error.cause;
  let deepest: Error | undefined;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    deepest = cause;
    cause = cause.cause;
  }
  return deepest ? `: ${deepest.message}` : '';
}

function classifyStatus(error: APIError): ProviderError {
  const status = error.status as number;
  const code = typeof error.code === 'string' ? error.code : '';
  const type = typeof error.type === 'string' ? error.type : '';
  const message = `HTTP ${status}: ${error.message}`;
  const options = { status, retryAfterMs: parseRetryAfter(error.headers) };
  if (status === 429) {
    if (code === 'insufficient_quota' || type === 'insufficient_quota') {
      return new ProviderError('quota', `${message} (quota exhausted: check the account's billing and limits)`, options);
    }
    return new ProviderError('rate_limit', message, options);
  }
  if (status === 401 || status === 403) return new ProviderError('auth', `${message} (check the API key and its permissions)`, options);
  if (status === 404) return new ProviderError('not_found', `${message} (check the model name and base URL)`, options);
  if (status === 408) return new ProviderError('timeout', message, options);
  if (status === 400 || status === 413 || status === 422) {
    if (code === 'context_length_exceeded' || CONTEXT_LENGTH.test(error.message)) return new ProviderError('context_length', message, options);
    if (code === 'content_filter' || code === 'content_policy_violation') return new ProviderError('content_filter', message, options);
    return new ProviderError('bad_request', message, options);
  }
  if (status === 409 || status >= 500) return new ProviderError('server', message, options);
  return new ProviderError('bad_request', message, options);
}
