import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpTransport } from '../../src/providers/http-transport.js';

/** Redirects must not carry the API key to another origin, nor take a request off TLS. */
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(handler: Handler): Promise<{ server: Server; origin: string; seen: IncomingMessage['headers'][] }> {
  const seen: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const ok = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
};
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** Both clients: this transport, and the built-in fetch it hands uploads (and FINHARNESS_HTTP_CLIENT=fetch) to. */
describe.each(['transport', 'fetch'] as const)('redirects and credentials (%s)', (client) => {
  beforeEach(() => {
    if (client === 'fetch') process.env.FINHARNESS_HTTP_CLIENT = 'fetch';
  });
  afterEach(() => {
    delete process.env.FINHARNESS_HTTP_CLIENT;
  });
  let target: Awaited<ReturnType<typeof listen>>;
  let redirector: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    target = await listen(ok);
    redirector = await listen((req, res) => {
      const location = req.url === '/same' ? '/landed' : `${target.origin}/landed`;
      res.writeHead(307, { location });
      res.end();
    });
  });
  afterAll(async () => {
    await close(target.server);
    await close(redirector.server);
  });

  const credentials = { authorization: 'Bearer sk-secret-1', 'api-key': 'azure-secret-2', 'x-api-key': 'other-secret-3', cookie: 'session=secret-4', 'x-trace': 'kept' };

  it('drops Authorization, api-key and other credential headers when a redirect leaves the origin (another port)', async () => {
    const response = await httpTransport(`${redirector.origin}/away`, { method: 'POST', headers: credentials, body: '{}' });
    expect(await response.json()).toEqual({ ok: true });
    const arrived = target.seen.at(-1)!;
    expect(arrived.authorization).toBeUndefined();
    expect(arrived['api-key']).toBeUndefined();
    expect(arrived['x-api-key']).toBeUndefined();
    expect(arrived.cookie).toBeUndefined();
    expect(arrived['x-trace']).toBe('kept');
  });

  it('keeps them on a redirect within the same origin', async () => {
    await (await httpTransport(`${redirector.origin}/same`, { method: 'POST', headers: credentials, body: '{}' })).text();
    const arrived = redirector.seen.at(-1)!;
    expect(arrived.authorization).toBe('Bearer sk-secret-1');
    expect(arrived['api-key']).toBe('azure-secret-2');
  });

  it('refuses a redirect from https to http, sending nothing there', async () => {
    const tls = (name: string) => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url));
    const secure = createTlsServer({ key: readFileSync(tls('localhost-key.pem')), cert: readFileSync(tls('localhost-cert.pem')) }, (_req, res) => {
      res.writeHead(307, { location: `${target.origin}/downgraded` });
      res.end();
    });
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(secure.address() as AddressInfo).port}/v1/chat/completions`;
    const before = target.seen.length;
    try {
      // Node reads extra CAs at start-up only, so the trusting client is a process of its own (the built transport).
      const transportModule = fileURLToPath(new URL('../../dist/src/providers/http-transport.js', import.meta.url));
      const script = `import { httpTransport } from ${JSON.stringify(transportModule)};
        const outcome = await httpTransport(${JSON.stringify(url)}, { method: 'POST', headers: { authorization: 'Bearer sk-secret-1' }, body: '{}' }).then((r) => 'status ' + r.status, (e) => e.name + ': ' + String(e.cause?.message));
        process.stdout.write(outcome);`;
      const output = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: tls('localhost-cert.pem'), ...(client === 'fetch' ? { FINHARNESS_HTTP_CLIENT: 'fetch' } : {}) } }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        ),
      );
      expect(output).toMatch(/^TypeError: .*https.*http/);
      expect(target.seen.length).toBe(before);
    } finally {
      await close(secure);
    }
  });
});
