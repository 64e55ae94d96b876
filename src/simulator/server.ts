import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashMessages } from '../tasks/messages.js';
import type { AnswerKey } from './answer-key.js';
import { simulateAnswer } from './answers.js';
import { answerReply, limitAnswer } from './completion.js';
import { countPromptTokens, loadSimulatorTokenizer } from './tokens.js';
import { faultOutcome } from './fault-replies.js';
import { FaultSchedule, type FaultSpec } from './faults.js';
import { validateModels, oracleModel, type SimulatedModel } from './models.js';
import { internalError, invalidRequest, modelNotFound, unknownUrl } from './openai-errors.js';
import { BodyTooLargeError, readBody, replyStatus, sendReply, type Reply } from './reply.js';
import { parseChatRequest, type ChatRequest, type PartialChatRequest } from './request.js';

export type { AnswerKey } from './answer-key.js';
export type { FaultSpec } from './faults.js';
export type { SimulatedModel } from './models.js';

export interface SimulatorOptions {
  /** Default 127.0.0.1: the simulator is a local test double, never a network service. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  models: SimulatedModel[];
  answerKey?: AnswerKey;
  /** Delay before every chat-completions response, unless the model sets its own. */
  latencyMs?: number;
  /** If true, unknown model names get 404 model_not_found; if false they are served by an oracle. Default true. */
  strictModels?: boolean;
}

export interface SimulatorStats {
  /** Every HTTP request, any path. */
  requests: number;
  chatCompletions: number;
  /** Responses by HTTP status ("200", "429", ...); hung requests have none. */
  byStatus: Record<string, number>;
  /** When the first chat completion arrived (epoch ms): benchmarks measure a client's start-up with it. */
  firstChatCompletionAt: number | null;
}

export interface SimulatorHandle {
  /** Base URL including /v1, e.g. http://127.0.0.1:43123/v1. */
  url: string;
  stats(): SimulatorStats;
  resetStats(): void;
  /** FIFO: each queued fault applies to the next incoming chat-completions request, valid or not. */
  injectFaults(...faults: FaultSpec[]): void;
  /** Random faults for one model, deterministic per prompt and attempt (see FaultSchedule.drawRandom). */
  setFaultRate(model: string, rate: number, fault: FaultSpec): void;
  /** Forget queued faults and fault rates. */
  clearFaults(): void;
  /** Close the server and every socket, hung or idle keep-alive ones included. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
/**
 * Longer than clients' idle timeout (undici: 4 s), so the client is the one to close idle
 * connections: a server closing first races with request reuse and causes spurious resets.
 */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

export async function startSimulator(options: SimulatorOptions): Promise<SimulatorHandle> {
  validateModels(options.models);
  await loadSimulatorTokenizer();
  const models = new Map(options.models.map((model) => [model.name, model]));
  const strictModels = options.strictModels ?? true;
  const defaultLatencyMs = options.latencyMs ?? 0;
  const startedAt = Math.floor(Date.now() / 1000);
  const faults = new FaultSchedule();
  const closing = new AbortController();
  // Every delayed request listens for close(); hundreds in flight is normal for a load test.
  setMaxListeners(0, closing.signal);
  const sockets = new Set<Socket>();
  let stats = emptyStats();

  const resolveModel = (name: string): SimulatedModel | undefined => models.get(name) ?? (strictModels ? undefined : oracleModel(name));

  async function chatCompletions(req: IncomingMessage): Promise<{ reply: Reply; latencyMs: number }> {
    stats.chatCompletions++;
    stats.firstChatCompletionAt ??= Date.now();
    // Taken on arrival, before the body is read, so concurrent requests consume faults in the
    // order they reached the server.
    const queuedFault = faults.takeQueued();
    let bodyText: string;
    try {
      bodyText = await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      return { reply: invalidRequest(error.message, null, null, 413), latencyMs: 0 };
    }
    const parsed = parseChatRequest(bodyText);
    const format: PartialChatRequest = parsed.ok ? parsed.request : parsed.partial;
    const modelName = format.model;
    const model = modelName === undefined ? undefined : resolveModel(modelName);
    const latencyMs = model?.latencyMs ?? defaultLatencyMs;
    const promptTokens = parsed.ok ? countPromptTokens(parsed.request.messages) : 0;

    const faulted = (fault: FaultSpec): Reply => {
      const outcome = faultOutcome(fault, { model: modelName ?? 'unknown', authorization: req.headers.authorization, promptTokens });
      return outcome.kind === 'reply' ? outcome.reply : answerReply(modelName ?? 'unknown', promptTokens, outcome.answer, format);
    };
    // Injected faults stand for conditions upstream of request validation (rate limiter, proxy,
    // network), so they win even over a 400 the request deserves.
    if (queuedFault) return { reply: faulted(queuedFault), latencyMs };
    if (!parsed.ok) return { reply: parsed.error, latencyMs };
    if (!model) return { reply: modelNotFound(parsed.request.model), latencyMs };
    const randomFault = faults.drawRandom(model.name, hashMessages(parsed.request.messages));
    if (randomFault) return { reply: faulted(randomFault), latencyMs };
    return { reply: answer(model, parsed.request, promptTokens), latencyMs };
  }

  function answer(model: SimulatedModel, request: ChatRequest, promptTokens: number): Reply {
    const text = simulateAnswer(model, request.messages, options.answerKey);
    return answerReply(request.model, promptTokens, limitAnswer(text, request.maxTokens), request);
  }

  function listModels(): Reply {
    return { kind: 'json', status: 200, body: { object: 'list', data: options.models.map((model) => modelObject(model.name, startedAt)) } };
  }

  async function route(req: IncomingMessage): Promise<{ reply: Reply; latencyMs: number }> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const normalized = path.replace(/\/+$/, '');
    if (method === 'POST' && normalized === '/v1/chat/completions') return chatCompletions(req);
    if (method === 'GET' && normalized === '/v1/models') return { reply: listModels(), latencyMs: 0 };
    // For a driver in another process (benchmarks); not part of any provider's protocol.
    if (method === 'GET' && normalized === '/_simulator/stats') return { reply: { kind: 'json', status: 200, body: { ...stats } }, latencyMs: 0 };
    if (method === 'GET' && normalized.startsWith('/v1/models/')) {
      const name = decodeURIComponent(normalized.slice('/v1/models/'.length));
      const reply = models.has(name) ? { kind: 'json' as const, status: 200, body: modelObject(name, startedAt) } : modelNotFound(name);
      return { reply, latencyMs: 0 };
    }
    return { reply: unknownUrl(method, path), latencyMs: 0 };
  }

  const server = createServer((req, res) => {
    stats.requests++;
    void (async () => {
      let reply: Reply;
      try {
        const routed = await route(req);
        if (routed.latencyMs > 0 && routed.reply.kind !== 'hang') await sleep(routed.latencyMs, undefined, { signal: closing.signal });
        reply = routed.reply;
      } catch (error) {
        // Shutting down or the client went away: nobody is left to answer.
        if (closing.signal.aborted || req.destroyed) return;
        reply = internalError(`simulator failure: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (res.destroyed) return;
      const status = replyStatus(reply);
      if (status !== undefined) stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      sendReply(res, reply);
    })();
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}/v1`,
    stats: () => ({ ...stats, byStatus: { ...stats.byStatus } }),
    resetStats: () => {
      stats = emptyStats();
    },
    injectFaults: (...specs) => faults.enqueue(specs),
    setFaultRate: (model, rate, fault) => faults.setRate(model, rate, fault),
    clearFaults: () => faults.clear(),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        // server.close only stops accepting: hung requests and idle keep-alive connections would
        // hold it open until they time out.
        for (const socket of sockets) socket.destroy();
      })),
  };
}

function emptyStats(): SimulatorStats {
  return { requests: 0, chatCompletions: 0, byStatus: {}, firstChatCompletionAt: null };
}

function modelObject(id: string, created: number) {
  return { id, object: 'model', created, owned_by: 'finharness-simulator' };
}
