/**
 * The record baobab's VM_IMAGE (configs/bao/include/config.h) stores where CROSSCON's would
 * `.incbin` the image: NUL-terminated strings — the magic, the image's name, its path as written,
 * the file and line of the VM_IMAGE. `image.load_addr`/`image.size` of the VM point at it, so
 * the path travels through the compile and the link like the image's bytes would.
 */

/** the record's first string (BAOBAB_VM_IMAGE_MAGIC in config.h) */
export const IMAGE_MAGIC = 'baobab-vm-image'

export interface ImageRecord {
  /** VM_IMAGE's first argument */
  name: string
  /** its second, as written (relative to `file`'s folder unless absolute) */
  path: string
  /** the file the VM_IMAGE is in, as the compiler named it (relative to the compiler's folder) */
  file: string
  line: number
}

/** The record in `size` bytes at `offset` of the blob, or undefined when they hold something else (a real image). */
export function readImageRecord(blob: Uint8Array, offset: number, size: number): ImageRecord | undefined {
  if (offset < 0 || size <= 0 || offset + size > blob.length) return undefined
  const fields = new TextDecoder('utf-8', { fatal: false }).decode(blob.subarray(offset, offset + size)).split('\0')
  // magic, name, path, file, line, and the empty tail after the last NUL
  if (fields.length !== 6 || fields[0] !== IMAGE_MAGIC || fields[5] !== '') return undefined
  const [, name, path, file, line] = fields as [string, string, string, string, string, string]
  if (name === '' || path === '' || !/^[0-9]+$/.test(line)) return undefined
  return { name, path, file, line: Number(line) }
}
