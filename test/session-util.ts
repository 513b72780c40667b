/**
 * Helpers for tests that damage saved sessions: copy one, edit its session.json or binaries and
 * re-seal the hashes (so the damage reaches the checks behind them, as a deliberate edit would).
 */
import { createHash } from 'node:crypto'
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'

export type Doc = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

export const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex')

export function copySession(dir: string, from: string, to: string): string {
  const p = join(dir, to)
  rmSync(p, { recursive: true, force: true })
  cpSync(join(dir, from), p, { recursive: true })
  return p
}

export const readDoc = (dir: string, name: string): Doc => JSON.parse(readFileSync(join(dir, name, 'session.json'), 'utf8')) as Doc

/** machineSha256 (and the binaries' entries, when their files are readable) made to match again */
export function seal(doc: Doc): Doc {
  doc.machineSha256 = sha(JSON.stringify(doc.machine))
  return doc
}

export function writeDoc(dir: string, name: string, doc: Doc, sealed = true): void {
  writeFileSync(join(dir, name, 'session.json'), JSON.stringify(sealed ? seal(doc) : doc, null, 2))
}

/** `edit` the session.json of a copy of `from` named `to`, re-sealed */
export function edited(dir: string, from: string, to: string, edit: (d: Doc) => void): string {
  copySession(dir, from, to)
  const d = readDoc(dir, to)
  edit(d)
  writeDoc(dir, to, d)
  return to
}

/** replace binary `file` of session `name` by `bytes`, its entry in session.json updated */
export function putBinary(dir: string, name: string, file: 'ram.bin.gz' | 'state.bin.gz', bytes: Uint8Array, edit?: (d: Doc) => void): void {
  writeFileSync(join(dir, name, file), bytes)
  const d = readDoc(dir, name)
  d.files[file] = { sha256: sha(bytes), bytes: bytes.length }
  edit?.(d)
  writeDoc(dir, name, d)
}

export const inflate = (dir: string, name: string, file: string): Buffer => gunzipSync(readFileSync(join(dir, name, file)))
export const deflate = (b: Uint8Array): Buffer => gzipSync(b, { level: 1 })

/** A gzip bomb: `members` copies of one gzip member of 64 MiB of zeros (a few KiB of gzip each). */
export function gzipBomb(members: number): Buffer {
  const one = gzipSync(Buffer.alloc(64 << 20), { level: 9 })
  return Buffer.concat(Array.from({ length: members }, () => one))
}
