import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The real llama.cpp server and its three tiny FPB checkpoints, beside the clone
 * (`../shared/engines/llama.cpp/`, README there). Tests that need it skip when it is absent;
 * CI has it. `FINHARNESS_ENGINE_URL` points the URL-only part of the suite at any other server.
 */
export const ENGINE_DIR = fileURLToPath(new URL('../../../shared/engines/llama.cpp/', import.meta.url));
export const LLAMA_SERVER = `${ENGINE_DIR}llama-server`;
export const HAVE_LLAMA_SERVER = existsSync(LLAMA_SERVER);
export const checkpoint = (step: 0 | 150 | 600): string => `${ENGINE_DIR}ckpt-${step}.gguf`;

export interface LlamaServer {
  port: number;
  /** Server root, e.g. http://127.0.0.1:41234 (the OpenAI routes are under /v1). */
  root: string;
  /** The OpenAI-compatible base URL: root + /v1. */
  url: string;
  process: ChildProcess;
  /** Server log (stderr + stdout), for assertions on "input truncated" and for failure messages. */
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface LlamaServerOptions {
  model: string;
  alias?: string;
  /** Total context (`-c`), divided among `parallel` slots. */
  context?: number;
  parallel?: number;
  port?: number;
}

/** A free 127.0.0.1 port (llama-server does not accept --port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Start llama-server and wait until /health says ok (bounded: 20 s). */
export async function startLlamaServer(options: LlamaServerOptions): Promise<LlamaServer> {
  const port = options.port ?? (await freePort());
  const args = ['-m', options.model, '--host', '127.0.0.1', '--port', String(port), '-c', String(options.context ?? 2048), '--parallel', String(options.parallel ?? 2), '-t', '1'];
  if (options.alias !== undefined) args.push('--alias', options.alias);
  const child = spawn(LLAMA_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const root = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}:\n${log}`);
    try {
      const response = await fetch(`${root}/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(`llama-server did not become healthy within 20 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, root, url: `${root}/v1`, process: child, log: () => log, stop };
}
