import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Call `onLine` with each complete line of a file (without its "\n") and its 1-based number, reading
 * a megabyte at a time: a file larger than the longest string V8 can hold (about 512 MB) is read as
 * easily as a small one. Returns the bytes after the last newline (a line torn by a crash).
 */
export function forEachLine(path: string, onLine: (line: string, lineNumber: number) => void): { tornTailBytes: number } {
  const fd = openSync(path, 'r');
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let pending: Buffer[] = [];
  let lineNumber = 0;
  try {
    for (let read = readSync(fd, chunk, 0, CHUNK_BYTES, null); read > 0; read = readSync(fd, chunk, 0, CHUNK_BYTES, null)) {
      const view = chunk.subarray(0, read);
      let start = 0;
      for (let newline = view.indexOf(NEWLINE); newline !== -1; newline = view.indexOf(NEWLINE, start)) {
        const piece = view.subarray(start, newline);
        const line = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
        pending = [];
        onLine(line.toString('utf8'), ++lineNumber);
        start = newline + 1;
      }
      // The start of a line continued in the next chunk: copied, since the chunk buffer is reused.
      if (start < read) pending.push(Buffer.from(view.subarray(start)));
    }
  } finally {
    closeSync(fd);
  }
  return { tornTailBytes: pending.reduce((sum, part) => sum + part.length, 0) };
}
