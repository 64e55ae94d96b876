import type { DatasetFile } from '../dataset.js';
import { InputError } from '../../util/errors.js';

/** The 4-byte magic number that starts (and ends) every Parquet file. */
const PARQUET_MAGIC = 'PAR1';

/** One Parquet row: column name to decoded value (strings, numbers, bigints, arrays, ...). */
export type ParquetRow = Record<string, unknown>;

/** A Parquet file by name or by its magic number. */
export function looksLikeParquet(file: DatasetFile): boolean {
  return file.extension === 'parquet' || file.head.startsWith(PARQUET_MAGIC);
}

/**
 * hyparquet, imported when a Parquet file is first read: only MMLU's Hub data comes as Parquet,
 * and loading the decoder's ~30 modules would otherwise delay every run's first request.
 */
function loadHyparquet(): Promise<typeof import('hyparquet')> {
  return import('hyparquet');
}

/**
 * Every row of a Parquet file as an object, read with hyparquet (pure JS; snappy-compressed and
 * uncompressed pages, which is what the Hugging Face Hub serves). A file that is not Parquet, is
 * truncated, or uses a codec hyparquet cannot decode becomes an `InputError` naming the file.
 */
export async function readParquetRows(file: DatasetFile): Promise<ParquetRow[]> {
  if (!file.head.startsWith(PARQUET_MAGIC)) {
    throw new InputError({ file: file.path }, 'not a Parquet file (it does not start with "PAR1")');
  }
  const bytes = file.bytes;
  // hyparquet reads from an ArrayBuffer; copy out exactly this file's bytes (a Buffer may share a larger pool).
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { parquetReadObjects } = await loadHyparquet();
  try {
    return await parquetReadObjects({ file: buffer });
  } catch (error) {
    throw new InputError({ file: file.path }, `cannot read the Parquet file: ${(error as Error).message}`);
  }
}
