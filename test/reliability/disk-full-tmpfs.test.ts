import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SampleWriter, readSamples, type SampleRecord } from '../../src/store/samples.js';
import { canMountTmpfs, mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';

/** Disk-full cases on a real small tmpfs: short writes and ENOSPC exactly as the kernel returns them. */
function record(itemId: string, rawOutput: string): SampleRecord {
  return {
    task: 'fpb', task_version: '1', item_id: itemId, repeat: 0, model: 'm', messages_hash: 'h', cache_key: 'k',
    raw_output: rawOutput, prediction: 'positive', gold: 'positive', scores: { correct: 1 },
    usage: null, latency_ms: 1, attempts: 1, cached: false, finish_reason: 'stop', served_model: 'm', system_fingerprint: null,
    error: null, finished_at: '2026-01-01T00:00:00Z',
  };
}

describe.skipIf(!canMountTmpfs)('a disk that fills up (real tmpfs)', () => {
  let fs: Tmpfs | undefined;
  afterEach(() => fs?.unmount());

  it('samples.jsonl holds only whole lines after a line that did not fit, and appends cleanly once there is space again', () => {
    fs = mountTmpfs(128)!;
    const filler = join(fs.dir, 'filler');
    writeFileSync(filler, Buffer.alloc(60_000));
    const path = join(fs.dir, 'samples.jsonl');
    const writer = new SampleWriter(path);
    writer.write(record('1', 'small'));
    // Part of this line fits: write(2) returns a short count before ENOSPC.
    expect(() => writer.write(record('2', 'z'.repeat(100_000)))).toThrow(/ENOSPC|no space/);
    rmSync(filler);
    writer.write(record('3', 'small'));
    writer.close();
    const text = readFileSync(path, 'utf8');
    const onDisk = readSamples(path);
    expect(onDisk.tornTailBytes).toBe(0);
    expect([...onDisk.records.values()].map((r) => r.item_id)).toEqual(['1', '3']);
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
  });
});
