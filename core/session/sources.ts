/**
 * What a session was made from, and the rule that a session is data: it records the config as
 * it was read (JSON, or a `.ts`/`.js` module's default export as plain data) and the sha256 of
 * the config file and of every image, and a resume boots the recorded data — it never imports a
 * file the session names. Editing session.json can change the data (which is then validated like
 * any config) but cannot make a resume run code: a board plugin file or a feature outside the
 * built-in plugins is refused, and every image the data loads must be one whose hash the session
 * holds and that is, today, a regular file with that hash.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import type { Workbench } from '../api.ts'
import { loadConfig, type HvVmConfig } from '../hypervisor/config.ts'
import { isBoardPath } from '../plugins.ts'
import { checkSourceFile } from './files.ts'
import type { SessionDoc } from './schema.ts'

/** the largest config or image a session hashes (U-Boot is 1 MiB; RAM is at most a few GiB) */
const MAX_SOURCE = 1 << 30
/** a feature is the built-in plugin feat-<name> */
const FEATURE = /^[a-z0-9][a-z0-9-]{0,63}$/

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex')
const show = (p: string): string => {
  const r = relative(process.cwd(), p)
  return r && !r.startsWith('..') ? r : p
}

/** A source a session cannot be made from or resumed on: `file` is the one at fault. */
export class SourceError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file ? `${file}: ` : ''}${reason}`)
  }
}

/** Every image a config's VMs (and their children) load, each once, in config order. */
export function imagePaths(vms: readonly HvVmConfig[]): string[] {
  const paths: string[] = []
  const walk = (list: readonly HvVmConfig[]): void => {
    for (const vm of list) {
      if (vm.image && !paths.includes(vm.image.path)) paths.push(vm.image.path)
      walk(vm.children ?? [])
    }
  }
  walk(vms)
  return paths
}

/** What the session is made from: the config as data and the images it names, or the bare image. */
export async function fingerprint(wb: Workbench): Promise<SessionDoc['config']> {
  const o = wb.origin
  if (o.bare) return { kind: 'bare', path: o.bare, sha256: sha256(readFileSync(o.bare)), images: [], cpus: o.cpus }
  const file = o.config!
  const { config, raw } = await loadConfig(file, wb.plugins)
  let data: unknown
  try {
    // plain data only: what JSON cannot hold (functions, BigInts) does not come back on resume
    data = JSON.parse(JSON.stringify(raw)) as unknown
  } catch (e) {
    throw new SourceError(show(file), `the config is not plain data (${(e as Error).message}): a session stores it as JSON`)
  }
  const problem = dataProblem(data)
  if (problem) throw new SourceError(show(file), `${problem}; a session holds data, not code, so it cannot be saved`)
  return { kind: 'config', path: file, sha256: sha256(readFileSync(file)), images: imagePaths(config.vms).map((p) => ({ path: p, sha256: sha256(readFileSync(p)) })), data }
}

/** Why config data may not be booted from a session: it names code (a board file, a non-built-in feature). */
function dataProblem(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'config.data: must be a config object'
  const d = data as Record<string, unknown>
  if (typeof d.board === 'string' && isBoardPath(d.board)) return `config.data.board: '${d.board}' is a board plugin file (code)`
  if (Array.isArray(d.features)) {
    const i = d.features.findIndex((f) => typeof f !== 'string' || !FEATURE.test(f))
    if (i >= 0) return `config.data.features[${i}]: must name a built-in feature (letters, digits, '-')`
  }
  return null
}

/** The image paths config data names (relative ones against the config's folder), children too. */
function dataImages(data: unknown, baseDir: string): string[] {
  const out: string[] = []
  const walk = (vms: unknown): void => {
    if (!Array.isArray(vms)) return
    for (const vm of vms) {
      if (typeof vm !== 'object' || vm === null) continue
      const v = vm as { image?: { path?: unknown }; children?: unknown }
      if (typeof v.image?.path === 'string') out.push(isAbsolute(v.image.path) ? v.image.path : resolve(baseDir, v.image.path))
      walk(v.children)
    }
  }
  walk((data as { vms?: unknown }).vms)
  return out
}

/**
 * The config (as data, or as a JSON file for sessions saved before data was kept) and the images
 * must be the ones the session was saved from, regular files with the recorded hashes; VMs made
 * at run time load their image again, which must still be the size it was.
 */
export function checkSources(doc: SessionDoc): void {
  const c = doc.config
  if (c.kind === 'config') {
    if (c.data === undefined && !c.path.endsWith('.json')) {
      throw new SourceError('session.json', `config.data: missing, and the config ${show(c.path)} is a module (code): a session resumes only from data`)
    }
    if (c.data !== undefined) {
      const problem = dataProblem(c.data)
      if (problem) throw new SourceError('session.json', problem)
      const hashed = new Set(c.images.map((i) => i.path))
      const stray = dataImages(c.data, dirname(c.path)).find((p) => !hashed.has(p))
      if (stray) throw new SourceError('session.json', `config.data names image ${show(stray)}, which the session holds no sha256 of`)
    }
  }
  const files = [{ what: c.kind === 'config' ? 'config' : 'image', path: c.path, sha256: c.sha256 }, ...c.images.map((i) => ({ what: 'image', ...i }))]
  for (const f of files) {
    checkSourceFile(f.path, MAX_SOURCE, (why) => {
      throw new SourceError(show(f.path), why === 'missing' ? `${f.what} is missing (the session was saved from it)` : `${f.what} ${why}`)
    })
    const now = sha256(readFileSync(f.path))
    if (now !== f.sha256) throw new SourceError(show(f.path), `${f.what} changed since the session was saved (sha256 ${f.sha256.slice(0, 12)}…, now ${now.slice(0, 12)}…): refusing to resume on different code`)
  }
  for (const made of doc.machine.hypervisor?.created ?? []) {
    const img = made.config.image
    if (!img) continue
    checkSourceFile(img.path, img.size, (why) => { throw new SourceError(show(img.path), `image of VM ${made.config.name} ${why}`) })
  }
}
