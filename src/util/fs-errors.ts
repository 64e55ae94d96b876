/** What a file-system error code means to a user; the code itself is kept for searching. */
const MEANINGS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  ENOENT: 'no such file or folder',
  EMFILE: 'too many open files',
  ELOOP: 'it is a symbolic link, and finharness never writes through one (replace the link with a file)',
};

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && MEANINGS[code]) return `${MEANINGS[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
