/**
 * ram.bin, the RAM part of a session (gzipped on disk as ram.bin.gz): the magic "BAOBRAM1", the
 * page size and the page count as u32 LE, the physical page numbers as f64 LE (ascending), then
 * 4096 bytes per page. Only non-zero pages are stored, so a 2 GiB board whose guests touched a
 * few MiB saves a few MiB.
 */
import { PAGE_SIZE } from '../bus.ts'
import type { RamImage } from './snapshot.ts'

const RAM_MAGIC = 'BAOBRAM1'

export function encodeRam(ram: RamImage): Buffer {
  const head = Buffer.alloc(16 + 8 * ram.pages.length)
  head.write(RAM_MAGIC, 0, 'latin1')
  head.writeUInt32LE(PAGE_SIZE, 8)
  head.writeUInt32LE(ram.pages.length, 12)
  ram.pages.forEach((p, i) => head.writeDoubleLE(p, 16 + 8 * i))
  return Buffer.concat([head, ram.data])
}

export function decodeRam(buf: Buffer, bad: (why: string) => never): RamImage {
  if (buf.length < 16 || buf.toString('latin1', 0, 8) !== RAM_MAGIC) bad('not a baobab RAM image (bad magic)')
  if (buf.readUInt32LE(8) !== PAGE_SIZE) bad(`page size ${buf.readUInt32LE(8)}, expected ${PAGE_SIZE}`)
  const n = buf.readUInt32LE(12)
  const want = 16 + 8 * n + PAGE_SIZE * n
  if (buf.length !== want) bad(`holds ${buf.length} bytes, ${n} pages need ${want}`)
  const pages: number[] = []
  for (let i = 0; i < n; i++) {
    const p = buf.readDoubleLE(16 + 8 * i)
    if (!Number.isSafeInteger(p) || p < 0 || (i > 0 && p <= pages[i - 1]!)) bad(`page list entry ${i} (${p}) is not an ascending page number`)
    pages.push(p)
  }
  return { pages, data: new Uint8Array(buf.buffer, buf.byteOffset + 16 + 8 * n, PAGE_SIZE * n) }
}
