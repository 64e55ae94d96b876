import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { ChatMessage } from '../tasks/messages.js';
import { registerSecret } from '../util/secrets.js';
import { UserError } from '../util/errors.js';
import { ProviderError } from './errors.js';
import { classifyHttpFailure, networkCause, withRequestTimeout } from './http-errors.js';
import type { Completion, CompletionRequest, DecodingParams, EndpointSpec, Provider } from './provider.js';
import { parseRateLimitHeaders } from './rate-limit-headers.js';

/** vLLM, TGI and llama.cpp accept any bearer token when none is configured; the SDK insists on one. */
const PLACEHOLDER_KEY = 'EMPTY';

/**
 * OpenAI chat completions through the official `openai` package: OpenAI itself (GPT-4o) and any
 * server that speaks the same protocol (vLLM, TGI's Messages API, llama.cpp) via `baseURL`.
 * The SDK's own retries are off: the runner is the one retry layer.
 */
export class OpenAICompatibleProvider implements Provider {
  readonly endpoint: EndpointSpec;
  private readonly client: OpenAI;

  /**
   * `client`: an already configured SDK client (e.g. `AzureOpenAI`, see ./azure.ts) that speaks the
   * same protocol; requests, responses and errors are then handled here exactly as for OpenAI.
   */
  constructor(endpoint: EndpointSpec, env: NodeJS.ProcessEnv = process.env, client?: OpenAI) {
    this.endpoint = endpoint;
    this.client = client ?? openAIClient(endpoint, env);
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    // withResponse: the same parsed body plus the Response, for its x-ratelimit-* headers
    // (one Promise.all more per request; the headers are read only when present).
    const { data, response } = await withRequestTimeout(
      request.timeoutMs,
      request.signal,
      (signal) => this.client.chat.completions.create(chatRequestBody(this.endpoint, request.messages, request.decoding), { signal, timeout: request.timeoutMs }).withResponse(),
      (error, timedOut) => classifyError(error, timedOut, request.timeoutMs),
    );
    const completion = readCompletion(data as ChatCompletion);
    const rateLimit = parseRateLimitHeaders(response.headers);
    if (rateLimit) completion.rateLimit = rateLimit;
    return completion;
  }
}

/**
 * The chat-completions request body for one prompt. The Batch API sends exactly this body per
 * line, so a batched answer and a direct one are answers to the same request.
 */
export function chatRequestBody(endpoint: EndpointSpec, messages: readonly ChatMessage[], decoding: DecodingParams): ChatCompletionCreateParamsNonStreaming {
  // OpenAI's own API prefers max_completion_tokens (required by reasoning models); servers
  // implementing the older protocol (vLLM, TGI, llama.cpp) know max_tokens.
  const lengthParam = endpoint.provider === 'openai' ? { max_completion_tokens: decoding.maxTokens } : { max_tokens: decoding.maxTokens };
  return {
    model: endpoint.model,
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    temperature: decoding.temperature,
    ...lengthParam,
    ...(decoding.topP === undefined ? {} : { top_p: decoding.topP }),
    ...(decoding.seed === undefined ? {} : { seed: decoding.seed }),
    ...(decoding.stop === undefined ? {} : { stop: decoding.stop }),
  };
}

function openAIClient(endpoint: EndpointSpec, env: NodeJS.ProcessEnv): OpenAI {
  const apiKey = resolveApiKey(endpoint, env);
  registerSecret(apiKey);
  return new OpenAI({ apiKey, baseURL: endpoint.baseURL, maxRetries: 0, timeout: endpoint.timeoutMs ?? 120_000 });
}

export function resolveApiKey(endpoint: EndpointSpec, env: NodeJS.ProcessEnv): string {
  const variable = endpoint.apiKeyEnv ?? (endpoint.provider === 'openai' ? 'OPENAI_API_KEY' : undefined);
  if (variable === undefined) return PLACEHOLDER_KEY;
  const key = env[variable];
  if (!key) throw new UserError(`model "${endpoint.name}" needs an API key: set the environment variable ${variable}`);
  return key;
}

/**
 * Check a chat completion has the shape we rely on; servers and proxies do send partial bodies.
 * Shared by every provider whose server speaks OpenAI's chat protocol (TGI's Messages API too).
 */
export function readCompletion(body: unknown): Completion {
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
  const usage = completion.usage;
  return {
    text: content,
    finishReason: choice.finish_reason ?? null,
    usage:
      usage && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number'
        ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens }
        : null,
    servedModel: typeof completion.model === 'string' ? completion.model : null,
    systemFingerprint: typeof completion.system_fingerprint === 'string' ? completion.system_fingerprint : null,
  };
}

/** Map SDK and network failures onto the provider-independent error classes. */
export function classifyError(error: unknown, timedOut: boolean, timeoutMs: number): ProviderError {
  if (error instanceof ProviderError) return error;
  if (timedOut || error instanceof APIConnectionTimeoutError) {
    return new ProviderError('timeout', `no complete response within ${timeoutMs} ms`);
  }
  if (error instanceof APIUserAbortError) return new ProviderError('connection', 'request aborted');
  if (error instanceof APIConnectionError) return new ProviderError('connection', `connection failed${networkCause(error)}`);
  if (error instanceof APIError && error.status !== undefined) return classifyStatus(error);
  if (error instanceof SyntaxError) return new ProviderError('malformed_response', `response body is not valid JSON (${error.message})`);
  // undici reports a connection dropped while the body was streaming as a TypeError ("terminated").
  if (error instanceof TypeError) return new ProviderError('connection', `connection dropped while reading the response (${error.message})`);
  return new ProviderError('malformed_response', `unexpected failure reading the response: ${error instanceof Error ? error.message : String(error)}`);
}

function classifyStatus(error: APIError): ProviderError {
  return classifyHttpFailure({
    status: error.status as number,
    message: error.message,
    ...(typeof error.code === 'string' ? { code: error.code } : {}),
    ...(typeof error.type === 'string' ? { type: error.type } : {}),
    headers: error.headers,
  });
}
