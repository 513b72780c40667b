/**
 * Saved sessions on disk (DESIGN "REPL, TUI, sessions"). A session is a folder
 * `sessions/<name>/` holding `session.json` — a lowdb JSON document: version, createdAt, the
 * config (path and sha256 of it and of every image it names), board, plugins, REPL history and
 * the machine snapshot without its binary parts — and beside it `ram.bin.gz` (the non-zero RAM
 * pages) and `state.bin.gz` (the CPUs' register area), each with its sha256 in session.json.
 *
 * Writes are atomic: everything goes to `.<name>.tmp-<pid>/` first; then the old folder is
 * renamed to `.<name>.old-<pid>`, the new one into place, and the backup deleted. A crash
 * leaves either the old session or the new one under the name (or, between the two renames,
 * the old one as a backup, which `loadSession` falls back to) — never a half-written one.
 * Loading validates everything before anything runs; a damaged session is refused with one
 * line naming the file and what is wrong, and is never rewritten or deleted by the store.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { OpenOptions, Workbench } from '../api.ts'
import { PAGE_SIZE, STATE_AREA_BYTES } from '../bus.ts'
import { ConfigError, ConfigErrors } from '../hypervisor/config-error.ts'
import { PluginError } from '../plugins.ts'
import { checkFolder, gunzipBounded, readRegular } from './files.ts'
import { firstIssue, SESSION_VERSION, sessionDoc, type SessionDoc } from './schema.ts'
import type { MachineSnapshot } from './snapshot.ts'

/**
 * What saving and loading need beyond listing (lowdb, the machine snapshot, the source checks),
 * imported on first use: every Workbench imports this module for `session.list()`, and most
 * never save or load.
 */
const saving = async () => {
  const [{ Low }, { JSONFile }, ram, snapshot, sources] = await Promise.all([
    import('lowdb'), import('lowdb/node'), import('./ram-file.ts'), import('./snapshot.ts'), import('./sources.ts'),
  ])
  return { Low, JSONFile, ...ram, ...snapshot, ...sources }
}

const gzipP = promisify(gzip)
/** session.json beyond this is not one we wrote (RAM and registers live in the binaries) */
const MAX_DOC_BYTES = 256 << 20

export interface StoreOptions {
  /** the sessions folder (default: BAOBAB_SESSIONS, else sessions/ in the project) */
  dir?: string
}

export interface SaveOptions extends StoreOptions {
  replHistory?: string[]
  /** tests only: stop as a crash would, after writing the temp folder or after moving the old session aside */
  crashAfter?: 'temp' | 'backup'
}

export interface SaveResult {
  name: string
  path: string
  /** file sizes on disk */
  bytes: { json: number; ram: number; state: number; total: number }
  ramPages: number
  /** wall-clock ms: taking the snapshot, compressing and writing */
  ms: { snapshot: number; write: number }
}

export interface LoadedSession {
  name: string
  /** the folder it was read from */
  path: string
  doc: SessionDoc
  snapshot: MachineSnapshot
  replHistory: string[]
  /** read from the backup a save left when it died between its two renames */
  recovered: boolean
}

export interface SessionInfo {
  name: string
  createdAt: string
  /** the config file (or bare image) */
  config: string
  virtualMs: number
  /** why the session cannot be read (then the other fields may be empty) */
  error?: string
}

/**
 * Boots a machine: `Workbench.open`, passed in by the caller because api.ts imports this module
 * (a module cycle would leave one of the two half-initialised while the other loads).
 */
export type Opener = (opts: OpenOptions) => Promise<Workbench>

export interface ResumeOptions extends StoreOptions {
  /** told about anything that did not come back exactly (plugin versions, timed events) */
  onWarning?: (msg: string) => void
  /** run the resumed machine in this clock mode instead of the one it was saved in */
  clock?: 'deterministic' | 'realtime'
}

/** A session that cannot be saved or loaded: `file` is the one at fault ('' for the name itself). */
export class SessionError extends Error {
  constructor(readonly session: string, readonly file: string, readonly reason: string) {
    super(`session ${session}: ${file ? `${file}: ` : ''}${reason}`)
  }
}

/** Thrown by `saveSession` with `crashAfter` (tests). */
export class SimulatedCrash extends Error {}

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const NAME = /^[A-Za-z0-9._-]{1,64}$/

export function sessionsDir(opts: StoreOptions = {}): string {
  return resolve(opts.dir ?? process.env.BAOBAB_SESSIONS ?? join(PROJECT_ROOT, 'sessions'))
}

/** Names are 1–64 of [A-Za-z0-9._-]; a leading '.' is reserved (temp and backup folders, '..'). */
export function checkName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) throw new SessionError(JSON.stringify(name), '', 'a session name is 1 to 64 characters from A-Z a-z 0-9 . _ -')
  if (name.startsWith('.')) throw new SessionError(name, '', "a session name may not start with '.' (reserved for the store's temporary folders)")
}

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex')
const show = (p: string): string => {
  const r = relative(process.cwd(), p)
  return r && !r.startsWith('..') ? r : p
}

// ---- save ----

export async function saveSession(wb: Workbench, name: string, opts: SaveOptions = {}): Promise<SaveResult> {
  checkName(name)
  const root = sessionsDir(opts)
  const { Low, JSONFile, encodeRam, snapshotMachine, fingerprint, SourceError } = await saving()
  await mkdir(root, { recursive: true })
  const final = join(root, name)
  if (existsSync(final)) {
    // replacing a good session is a save; replacing a damaged one would hide the damage, so the
    // old one must pass every check a resume makes, down to restoring it into a fresh machine
    try {
      await openSession(await loadSession(name, opts), wb.opener)
    } catch (e) {
      if (!(e instanceof SessionError)) throw e
      throw new SessionError(name, e.file, `${e.reason} — the existing session is kept; remove it (baobab session rm ${name}) or save under another name`)
    }
  }
  const t0 = performance.now()
  const snap = snapshotMachine(wb)
  const t1 = performance.now()
  const { ram, state, ...machineState } = snap
  const [ramGz, stateGz, config] = await Promise.all([gzipP(encodeRam(ram)), gzipP(state), fingerprint(wb).catch((e: unknown) => {
    throw e instanceof SourceError ? new SessionError(name, e.file, e.reason) : e
  })])
  const machine = { ...machineState, ramPages: ram.pages.length }
  const m = wb.machine
  const doc: SessionDoc = {
    version: SESSION_VERSION,
    createdAt: new Date().toISOString(),
    name,
    config,
    board: m.board.name,
    plugins: wb.plugins.list().map((p) => ({ name: p.name, kind: p.kind, version: p.version })),
    replHistory: [...(opts.replHistory ?? [])],
    clock: wb.clock,
    virtualMs: (m.sched.now / m.board.cpuHz) * 1000,
    instructions: m.sched.instructions,
    files: { 'ram.bin.gz': { sha256: sha256(ramGz), bytes: ramGz.length }, 'state.bin.gz': { sha256: sha256(stateGz), bytes: stateGz.length } },
    machineSha256: sha256(JSON.stringify(machine)),
    machine: machine as SessionDoc['machine'],
  }

  const tmp = join(root, `.${name}.tmp-${process.pid}`)
  await rm(tmp, { recursive: true, force: true })
  await mkdir(tmp)
  try {
    await writeDurable(join(tmp, 'ram.bin.gz'), ramGz)
    await writeDurable(join(tmp, 'state.bin.gz'), stateGz)
    const db = new Low<SessionDoc>(new JSONFile<SessionDoc>(join(tmp, 'session.json')), doc)
    await db.write()
    await syncPath(join(tmp, 'session.json'))
    await syncPath(tmp)
  } catch (e) {
    await rm(tmp, { recursive: true, force: true })
    throw e
  }
  if (opts.crashAfter === 'temp') throw new SimulatedCrash('simulated crash after writing the temp folder')

  const backup = join(root, `.${name}.old-${process.pid}`)
  const had = existsSync(final)
  if (had) {
    await rm(backup, { recursive: true, force: true })
    await rename(final, backup)
  }
  if (opts.crashAfter === 'backup') throw new SimulatedCrash('simulated crash between the two renames')
  try {
    await rename(tmp, final)
  } catch (e) {
    if (had) await rename(backup, final).catch(() => {})
    throw e
  }
  await syncPath(root)
  await rm(backup, { recursive: true, force: true })
  await cleanStale(root, name)
  const jsonBytes = statSync(join(final, 'session.json')).size
  return {
    name, path: final, ramPages: ram.pages.length,
    bytes: { json: jsonBytes, ram: ramGz.length, state: stateGz.length, total: jsonBytes + ramGz.length + stateGz.length },
    ms: { snapshot: t1 - t0, write: performance.now() - t1 },
  }
}

async function writeDurable(path: string, data: Uint8Array): Promise<void> {
  const fh = await open(path, 'w')
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** fsync a file or folder (best effort: some file systems refuse it on folders) */
async function syncPath(path: string): Promise<void> {
  try {
    const fh = await open(path, 'r')
    try { await fh.sync() } finally { await fh.close() }
  } catch { /* not supported here */ }
}

/** Remove temp folders of `name` left by saves whose process is gone. */
async function cleanStale(root: string, name: string): Promise<void> {
  for (const e of readdirSync(root)) {
    const m = new RegExp(`^\\.${escape(name)}\\.(tmp|old)-(\\d+)$`).exec(e)
    if (!m || Number(m[2]) === process.pid || alive(Number(m[2]))) continue
    // a backup is only garbage once its session is back under the name
    if (m[1] === 'old' && !existsSync(join(root, name))) continue
    await rm(join(root, e), { recursive: true, force: true })
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

// ---- load ----

/** The folder of session `name`: itself, or the newest backup a dead save left (recovered). */
function locate(root: string, name: string): { path: string; recovered: boolean } {
  const final = join(root, name)
  if (existsSync(final)) return { path: final, recovered: false }
  const backups = existsSync(root)
    ? readdirSync(root).filter((e) => e.startsWith(`.${name}.old-`) && existsSync(join(root, e, 'session.json')))
    : []
  const newest = backups.map((e) => join(root, e)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
  if (newest) return { path: newest, recovered: true }
  throw new SessionError(name, '', `no such session in ${show(root)}`)
}

/** session.json: valid JSON, the supported version, the documented shape, the machine checksum. */
async function readDoc(name: string, dir: string): Promise<SessionDoc> {
  const file = join(dir, 'session.json')
  const bad = (why: string): SessionError => new SessionError(name, 'session.json', why)
  checkFolder(dir, (why) => { throw new SessionError(name, '', `the session folder ${why}`) })
  // read by hand, not by lowdb: the file must be checked to be a regular file of sane size first
  const text = readRegular(file, MAX_DOC_BYTES, (why) => { throw bad(why) }).toString('utf8')
  let raw: Record<string, unknown> | null
  try {
    raw = JSON.parse(text) as Record<string, unknown> | null
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message}): the file is truncated or corrupt`)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('not a session document (expected a JSON object)')
  if (!('version' in raw)) throw bad('field version: missing')
  if (raw.version !== SESSION_VERSION) throw bad(`version ${JSON.stringify(raw.version)} is not supported (this baobab reads version ${SESSION_VERSION})`)
  const r = sessionDoc.safeParse(raw)
  if (!r.success) throw bad(firstIssue(r.error))
  if (sha256(JSON.stringify(raw.machine)) !== r.data.machineSha256) throw bad('the machine state does not match machineSha256: the file was edited or is corrupt')
  // the raw object, not zod's copy: key order is what the checksum and the restore expect
  return raw as unknown as SessionDoc
}

/**
 * A binary whose inflated size is known from session.json (`size`): a regular file of the
 * recorded length and hash, inflated no further than `size` (a gzip bomb stops there).
 */
async function readBinary(name: string, dir: string, file: keyof SessionDoc['files'], entry: { sha256: string; bytes: number }, size: number): Promise<Buffer> {
  const bad = (why: string): never => { throw new SessionError(name, file, why) }
  // gzip never grows data by more than a few bytes per 16 KiB block, plus its header
  const limit = size + Math.ceil(size / 1024) + 1024
  if (entry.bytes > limit) bad(`session.json says ${entry.bytes} bytes, more than gzip of ${size} bytes can take`)
  const buf = readRegular(join(dir, file), limit, bad)
  if (buf.length !== entry.bytes) bad(`is ${buf.length} bytes, session.json says ${entry.bytes}: truncated or replaced`)
  if (sha256(buf) !== entry.sha256) bad('sha256 does not match session.json: the file is corrupt or was changed')
  return gunzipBounded(buf, size, bad)
}

/** Read and check a session completely (JSON, binaries, config and images); nothing is written. */
export async function loadSession(name: string, opts: StoreOptions = {}): Promise<LoadedSession> {
  checkName(name)
  const { path, recovered } = locate(sessionsDir(opts), name)
  const { decodeRam, checkSources, SourceError } = await saving()
  const doc = await readDoc(name, path)
  const n = doc.machine.ramPages
  const ramRaw = await readBinary(name, path, 'ram.bin.gz', doc.files['ram.bin.gz'], 16 + 8 * n + PAGE_SIZE * n)
  const state = await readBinary(name, path, 'state.bin.gz', doc.files['state.bin.gz'], STATE_AREA_BYTES)
  const ram = decodeRam(ramRaw, (why) => { throw new SessionError(name, 'ram.bin.gz', why) })
  if (ram.pages.length !== doc.machine.ramPages) throw new SessionError(name, 'ram.bin.gz', `holds ${ram.pages.length} pages, session.json says ${doc.machine.ramPages}`)
  if (state.length !== STATE_AREA_BYTES) throw new SessionError(name, 'state.bin.gz', `holds ${state.length} bytes, expected ${STATE_AREA_BYTES}`)
  try {
    checkSources(doc)
  } catch (e) {
    if (e instanceof SourceError) throw new SessionError(name, e.file, e.reason)
    throw e
  }
  const { ramPages: _, ...machine } = doc.machine
  const snapshot = { ...machine, ram, state: new Uint8Array(state.buffer, state.byteOffset, state.length) } as MachineSnapshot
  return { name, path, doc, snapshot, replHistory: [...doc.replHistory], recovered }
}

/** Boot what the session was saved from in a new Workbench and restore the machine into it. */
export async function openSession(s: LoadedSession, open: Opener, opts: ResumeOptions = {}): Promise<Workbench> {
  const { restoreMachine, SnapshotError } = await saving()
  const c = s.doc.config
  let wb: Workbench
  try {
    wb = c.kind === 'config'
      ? await open({ config: c.path, configData: c.data })
      : await open({ bare: c.path, board: s.doc.board, cpus: c.cpus })
  } catch (e) {
    // the session's config data (or board, or CPU count) is refused as a config file would be
    if (e instanceof ConfigErrors || e instanceof ConfigError || e instanceof PluginError) throw new SessionError(s.name, 'session.json', `config: ${e.message.split('\n')[0]}`)
    throw e
  }
  let warnings: string[]
  try {
    warnings = restoreMachine(wb, s.snapshot).warnings
  } catch (e) {
    if (e instanceof SnapshotError) throw new SessionError(s.name, 'session.json', e.message)
    throw e
  }
  const now = new Map(wb.plugins.list().map((p) => [p.name, p.version]))
  for (const p of s.doc.plugins) {
    const v = now.get(p.name)
    // a feature the config does not list was a tool of the REPL's (gdb), not part of the machine
    if (v === undefined && p.kind === 'feature') continue
    if (v !== p.version) warnings.unshift(`plugin ${p.name} was ${p.version} when saved, ${v === undefined ? 'not loaded' : v} now`)
  }
  for (const w of warnings) opts.onWarning?.(w)
  wb.setClock(opts.clock ?? s.doc.clock ?? 'deterministic')
  return wb
}

export async function resumeSession(name: string, open: Opener, opts: ResumeOptions = {}): Promise<Workbench> {
  return openSession(await loadSession(name, opts), open, opts)
}

// ---- list, remove ----

/** Every session in the folder, by name; one that cannot be read is listed with `error`. */
export function listSessions(opts: StoreOptions = {}): SessionInfo[] {
  const root = sessionsDir(opts)
  if (!existsSync(root)) return []
  const names = new Set<string>()
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (e.isDirectory() && NAME.test(e.name) && !e.name.startsWith('.')) names.add(e.name)
    // a session only a dead save's backup still holds
    const m = /^\.(.+)\.old-\d+$/.exec(e.name)
    if (e.isDirectory() && m && NAME.test(m[1]!) && !m[1]!.startsWith('.')) names.add(m[1]!)
  }
  return [...names].sort().map((name) => summary(root, name))
}

function summary(root: string, name: string): SessionInfo {
  let dir: string
  try {
    dir = locate(root, name).path
    const raw = JSON.parse(readRegular(join(dir, 'session.json'), MAX_DOC_BYTES, (why) => { throw new Error(`session.json: ${why}`) }).toString('utf8')) as unknown
    const r = sessionDoc.safeParse(raw)
    if (!r.success) return { name, createdAt: '', config: '', virtualMs: 0, error: `session.json: ${firstIssue(r.error)}` }
    return { name, createdAt: r.data.createdAt, config: r.data.config.path, virtualMs: r.data.virtualMs }
  } catch (e) {
    const why = e instanceof SyntaxError ? `session.json: not valid JSON (${e.message})`
      : (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'session.json: missing' : (e as Error).message
    return { name, createdAt: '', config: '', virtualMs: 0, error: why }
  }
}

/** Delete a session folder (and any backups of it): the user asked, damaged or not. */
export async function removeSession(name: string, opts: StoreOptions = {}): Promise<void> {
  checkName(name)
  const root = sessionsDir(opts)
  const dirs = existsSync(root) ? readdirSync(root).filter((e) => e === name || e.startsWith(`.${name}.old-`)) : []
  if (!dirs.length) throw new SessionError(name, '', `no such session in ${show(root)}`)
  for (const d of dirs) await rm(join(root, d), { recursive: true, force: true })
}

/** session.json only (for `session show`): checked, but the binaries and sources are not. */
export async function readSessionDoc(name: string, opts: StoreOptions = {}): Promise<{ doc: SessionDoc; path: string }> {
  checkName(name)
  const { path } = locate(sessionsDir(opts), name)
  return { doc: await readDoc(name, path), path }
}
