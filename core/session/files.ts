/**
 * Reading a session's files without trusting them: only regular files (a symlink, device, FIFO
 * or folder in their place is refused before it is read — /dev/zero would never end), never
 * more bytes than the session declares, and gzip inflated only up to the size its contents must
 * have, so a bomb stops a few KiB past that bound instead of filling memory.
 */
import { constants, fstatSync, lstatSync, openSync, closeSync, readSync, statSync } from 'node:fs'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'

const gunzipP = promisify(gunzip)

/** what a refusal says: the caller puts it in its own error (the session, the file) */
export type Refuse = (why: string) => never

function kindOf(st: { isSymbolicLink(): boolean; isDirectory(): boolean; isFile(): boolean }): string {
  if (st.isSymbolicLink()) return 'a symbolic link'
  if (st.isDirectory()) return 'a folder'
  return st.isFile() ? 'a file' : 'a device, FIFO or socket'
}

/**
 * The bytes of `path`, which must be a regular file itself (not a link to one) of at most
 * `max` bytes. O_NOFOLLOW and O_NONBLOCK make the open itself safe should the entry change
 * between the lstat and the open (a FIFO would otherwise block the open).
 */
export function readRegular(path: string, max: number, bad: Refuse): Buffer {
  let st
  try {
    st = lstatSync(path)
  } catch (e) {
    return bad((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `cannot read it: ${(e as Error).message}`)
  }
  if (!st.isFile()) return bad(`is ${kindOf(st)}, not a regular file: refused`)
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (e) {
    return bad(`cannot read it: ${(e as Error).message}`)
  }
  try {
    const now = fstatSync(fd)
    if (!now.isFile()) return bad(`is ${kindOf(now)}, not a regular file: refused`)
    if (now.size > max) return bad(`is ${now.size} bytes, more than the ${max} it may be`)
    const buf = Buffer.alloc(now.size)
    let at = 0
    while (at < buf.length) {
      const n = readSync(fd, buf, at, buf.length - at, at)
      if (n === 0) break
      at += n
    }
    return at === buf.length ? buf : buf.subarray(0, at)
  } finally {
    closeSync(fd)
  }
}

/** `path` is a regular file (links to one are fine: it is the user's own file) of at most `max` bytes */
export function checkSourceFile(path: string, max: number, bad: Refuse): void {
  let st
  try {
    st = statSync(path)
  } catch {
    bad('missing')
    return
  }
  if (!st!.isFile()) bad(`is ${kindOf(st!)}, not a regular file`)
  if (st!.size > max) bad(`is ${st!.size} bytes, more than ${max}`)
}

/** The inflated `gz`, refused if it would inflate past `max` bytes or is not gzip. */
export async function gunzipBounded(gz: Buffer, max: number, bad: Refuse): Promise<Buffer> {
  try {
    // maxOutputLength stops zlib as soon as the output would pass the bound
    return await gunzipP(gz, { maxOutputLength: Math.max(1, max) })
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) return bad(`inflates past ${max} bytes, the size its contents must have: refused`)
    return bad(`not a valid gzip stream (${err.message})`)
  }
}

/** `dir` is a folder itself, not a link to one */
export function checkFolder(dir: string, bad: Refuse): void {
  let st
  try {
    st = lstatSync(dir)
  } catch (e) {
    bad(`cannot read it: ${(e as Error).message}`)
    return
  }
  if (!st!.isDirectory()) bad(`is ${kindOf(st!)}, not a folder`)
}
