import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/providers/errors.js';
import { httpTransport } from '../../src/providers/http-transport.js';
import { createProvider } from '../../src/providers/registry.js';

/**
 * A server may send a body of any size: 100 MB answers, a body that never ends, a gzip bomb. Each
 * response is capped (FINHARNESS_MAX_RESPONSE_MB, 1 MB here), compressed bytes and decompressed
 * bytes alike; going over fails that request with error class `response_too_large`, after reading
 * at most the cap.
 */
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let root: string;
let handler: Handler;
/** Bytes the server managed to hand to its socket per request before the client hung up. */
let sentBytes = 0;
const sockets = new Set<Socket>();
const MB = 1024 * 1024;

beforeAll(async () => {
  process.env.FINHARNESS_MAX_RESPONSE_MB = '1';
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  delete process.env.FINHARNESS_MAX_RESPONSE_MB;
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(() => {
  sentBytes = 0;
});

/** Write chunks until the client goes away (or `total` bytes), respecting backpressure. */
function pour(res: ServerResponse, chunk: Buffer, total = Number.POSITIVE_INFINITY): void {
  const next = () => {
    while (sentBytes < total && !res.destroyed) {
      sentBytes += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', next);
    }
    if (!res.destroyed) res.end();
  };
  res.on('close', () => undefined);
  next();
}

const completion = (content: string) => JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });

async function tooLarge(url: string): Promise<unknown> {
  return httpTransport(url).then(
    () => 'answered',
    (error: unknown) => error,
  );
}

describe('response size caps', () => {
  it('refuses a body declared larger than the cap without reading it', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * MB) });
      pour(res, Buffer.alloc(64 * 1024, 0x20), 100 * MB);
    };
    const failure = await tooLarge(`${root}/declared`);
    expect(failure).toBeInstanceOf(TypeError);
    expect(String((failure as TypeError).cause)).toMatch(/response_too_large|larger than/);
    expect(sentBytes).toBeLessThan(20 * MB);
  });

  it('stops reading a body that never ends once it passes the cap', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      pour(res, Buffer.alloc(64 * 1024, 0x61));
    };
    const failure = await tooLarge(`${root}/endless`);
    expect(failure).toBeInstanceOf(TypeError);
    expect(String((failure as TypeError).cause)).toMatch(/larger than 1 MB/);
  });

  it('stops inflating a gzip bomb once the decompressed bytes pass the cap', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * MB, 0x61)); // about 50 KB on the wire
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
    };
    const before = process.memoryUsage().arrayBuffers;
    const failure = await tooLarge(`${root}/bomb`);
    expect(failure).toBeInstanceOf(TypeError);
    expect(String((failure as TypeError).cause)).toMatch(/decompressed.*larger than 1 MB/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(100 * MB);
  });

  it('passes a body under the cap', async () => {
    const body = completion('x'.repeat(MB / 2));
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    };
    expect(await (await httpTransport(`${root}/fine`)).text()).toBe(body);
  });

  it('fails the request with error class response_too_large, not retried', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      pour(res, Buffer.alloc(64 * 1024, 0x61));
    };
    const provider = createProvider({ name: 'm', provider: 'openai-compatible', model: 'm', baseURL: `${root}/v1` });
    const failure = await provider.complete({ messages: [{ role: 'user', content: 'hi' }], decoding: { temperature: 0, maxTokens: 5 }, timeoutMs: 10_000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProviderError);
    expect((failure as ProviderError).kind).toBe('response_too_large');
    expect((failure as ProviderError).retryable).toBe(false);
    expect((failure as ProviderError).fatal).toBe(false);
  });

  it('refuses a cap that is not a positive number, naming the variable', () => {
    process.env.FINHARNESS_MAX_RESPONSE_MB = 'lots';
    try {
      expect(() => createProvider({ name: 'm', provider: 'openai-compatible', model: 'm', baseURL: `${root}/v1` })).toThrow(/FINHARNESS_MAX_RESPONSE_MB.*"lots"/);
    } finally {
      process.env.FINHARNESS_MAX_RESPONSE_MB = '1';
    }
  });
});
