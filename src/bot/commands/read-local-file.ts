import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Patterns and events are small; a larger file is a mistake (or /dev/zero). */
export const MAX_ARGUMENT_FILE_BYTES = 256 * 1024;

/**
 * Reads an @file argument for someone at this machine's keyboard (terminal, CLI): a regular
 * file only, at most MAX_ARGUMENT_FILE_BYTES, as UTF-8. Devices, FIFOs and folders are refused
 * before anything is read (a FIFO is opened non-blocking so it cannot hang the process), and
 * the read stops at the cap even where the size on disk says 0 (/proc files). Errors name the
 * file and what is wrong, never its content.
 */
export function readLocalFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new Error(`cannot read ${path}: ${describeOpenError(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
    if (stat.size > MAX_ARGUMENT_FILE_BYTES) throw tooLarge(path);
    const buffer = Buffer.alloc(MAX_ARGUMENT_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > MAX_ARGUMENT_FILE_BYTES) throw tooLarge(path);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function tooLarge(path: string): Error {
  return new Error(`${path} is larger than ${MAX_ARGUMENT_FILE_BYTES / 1024} KiB`);
}

function describeOpenError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return code ?? 'it cannot be opened';
}
