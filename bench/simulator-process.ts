import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIMULATOR = join(fileURLToPath(new URL('..', import.meta.url)), 'src/simulator/main.js');

export interface SimulatorProcess {
  url: string;
  /** For reading the process's CPU time (bench/simulator-cpu.ts). */
  pid: number;
  stats(): Promise<{ chatCompletions: number; firstChatCompletionAt: number | null; lastChatCompletionAt: number | null; byStatus: Record<string, number>; rateLimitedAt: number[] }>;
  stop(): Promise<void>;
}

/**
 * The simulator in its own process (`dist/src/simulator/main.js` with `args`), so that the
 * measured client does not share an event loop with the server it talks to.
 */
export function startSimulatorProcess(args: readonly string[]): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, [SIMULATOR, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (chunk: Buffer) => {
      const url = /listening (\S+)/.exec(chunk.toString())?.[1];
      if (!url) return reject(new Error(`simulator said: ${chunk.toString()}`));
      const root = url.replace(/\/v1$/, '');
      resolve({
        url,
        pid: child.pid!,
        stats: async () => (await fetch(`${root}/_simulator/stats`)).json() as ReturnType<SimulatorProcess['stats']>,
        stop: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
