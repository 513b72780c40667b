/**
 * Session fuzz: 1,000 random corruptions of a saved session of configs/two-vms.json (fixed seed)
 * — bytes flipped in each file, or inside the inflated RAM and state images; fields of
 * session.json and of the machine state deleted or replaced by wrong types and out-of-range
 * numbers; files swapped for links, folders, FIFOs, empty or cut files — most of them with the
 * hashes re-sealed, so the damage reaches the checks behind them. Each attempt is either refused
 * with a SessionError or resumes and runs 1 ms of virtual time; never another exception (that
 * would be exit 70), never longer than a few seconds, and RSS stays bounded.
 */
import { mkdtempSync, readFileSync, rmSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { loadSession, openSession, saveSession, SessionError } from '../core/session/store.ts'
import { sha, type Doc } from './session-util.ts'
import { mulberry32 } from './rng.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ATTEMPTS = 1000
/** FUZZ_SEED tries another sequence; FUZZ_KEEP=n copies attempt n's folder to /tmp/fz<n> to replay it */
const SEED = Number(process.env.FUZZ_SEED ?? 0xba0bab)


const dir = mkdtempSync(join(tmpdir(), 'baobab-fuzz-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const FILES = ['session.json', 'ram.bin.gz', 'state.bin.gz'] as const
type Files = Record<(typeof FILES)[number], Buffer | 'link-zero' | 'link-other' | 'folder' | 'fifo'>

const WRONG: unknown[] = [null, -1, 1e294, -1e294, 2 ** 53, 2 ** 32, -(2 ** 31) - 1, 1.5, 0, 'x', '', '0xzz', 'not-a-number', true, false, [], {}, [1, 'a'], { a: 1 }, 255, 256, 65536]

it(`${ATTEMPTS} corruptions of a saved session: each refused cleanly or resumed and run; no internal error, no hang, bounded RSS`, async () => {
  const wb = await Workbench.open({ config: join(root, 'configs', 'two-vms.json') })
  expect(wb.vm('vm2').console.waitFor('tick 1')).toBe(true)
  await saveSession(wb, 'base', { dir })
  const base = Object.fromEntries(FILES.map((f) => [f, readFileSync(join(dir, 'base', f))])) as Record<(typeof FILES)[number], Buffer>
  const baseDoc = JSON.parse(base['session.json'].toString('utf8')) as Doc
  const ramBytes = gunzipSync(base['ram.bin.gz']).length
  const r = mulberry32(SEED)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
  const flip = (b: Buffer, n: number): Buffer => {
    const c = Buffer.from(b)
    for (let i = 0; i < n && c.length; i++) c[Math.floor(r() * c.length)]! ^= 1 << Math.floor(r() * 8)
    return c
  }
  /**
   * every [container, key] in the JSON tree, to delete or replace — of a list only its first and
   * last two elements, so the PLIC's hundred priorities do not drown the fields
   */
  const slots = (o: unknown, out: [Record<string | number, unknown>, string | number][] = []): typeof out => {
    if (o && typeof o === 'object') {
      for (const k of Object.keys(o)) {
        const key = Array.isArray(o) ? Number(k) : k
        if (Array.isArray(o) && (key as number) >= 2 && (key as number) < o.length - 2) continue
        out.push([o as Record<string | number, unknown>, key])
        slots((o as Record<string, unknown>)[k], out)
      }
    }
    return out
  }

  const tally = { refused: 0, resumed: 0, byKind: {} as Record<string, number> }
  const reasons = new Map<string, number>()
  const baseRss = process.memoryUsage().rss
  let maxRss = baseRss
  let slowest = 0
  const slow: string[] = []
  const t0 = performance.now()
  let fifos = 0
  for (let n = 0; n < ATTEMPTS; n++) {
    const doc = structuredClone(baseDoc)
    const files: Files = { ...base }
    let docText: string | null = null
    const kinds: string[] = []
    const ops = 1 + Math.floor(r() * 3)
    for (let k = 0; k < ops; k++) {
      const kind = pick(['field-replace', 'field-replace', 'field-replace', 'field-delete', 'machine-replace', 'machine-replace', 'flip-file', 'flip-inflated', 'swap-file', 'cut-file'] as const)
      kinds.push(kind)
      if (kind === 'field-replace' || kind === 'field-delete' || kind === 'machine-replace') {
        const all = slots(kind === 'machine-replace' ? doc.machine : doc)
        const [obj, key] = pick(all)
        if (kind === 'field-delete') {
          if (Array.isArray(obj)) obj.splice(key as number, 1)
          else delete obj[key]
        } else {
          const old = obj[key]
          // numbers nudged out of range as often as replaced by another type
          obj[key] = typeof old === 'number' && r() < 0.5 ? pick([old + 1, old - 1, -old - 1, old * 4096, old + 2 ** 32, 2 ** 53 + old]) : structuredClone(pick(WRONG))
        }
      } else if (kind === 'flip-inflated') {
        const f = pick(['ram.bin.gz', 'state.bin.gz'] as const)
        const cur = files[f]
        // only an intact file inflates (an earlier op may have cut or flipped it)
        if (cur === base[f]) files[f] = gzipSync(flip(gunzipSync(cur), 1 + Math.floor(r() * 64)), { level: 1 })
      } else {
        const f = pick(FILES)
        const cur = files[f]
        if (kind === 'flip-file') {
          if (f === 'session.json') docText = flip(Buffer.from(JSON.stringify(doc)), 1 + Math.floor(r() * 4)).toString('latin1')
          else if (Buffer.isBuffer(cur)) files[f] = flip(cur, 1 + Math.floor(r() * 4))
        } else if (kind === 'cut-file') {
          if (f === 'session.json') docText = JSON.stringify(doc).slice(0, Math.floor(r() * 4000))
          else if (Buffer.isBuffer(cur)) files[f] = cur.subarray(0, Math.floor(r() * cur.length))
        } else {
          // FIFOs are slow-ish to make: a few of them
          const swap = pick(['link-zero', 'link-other', 'folder', 'empty', ...(fifos < 20 ? ['fifo'] as const : [])] as const)
          if (swap === 'fifo') fifos++
          files[f] = swap === 'empty' ? Buffer.alloc(0) : swap
        }
      }
    }
    // most attempts re-seal the hashes, as a deliberate edit would, so the damage reaches the deeper checks
    const sealed = r() < 0.75
    if (sealed) {
      for (const f of ['ram.bin.gz', 'state.bin.gz'] as const) {
        const b = files[f]
        if (Buffer.isBuffer(b) && doc.files && typeof doc.files === 'object' && doc.files[f] && typeof doc.files[f] === 'object') doc.files[f] = { sha256: sha(b), bytes: b.length }
      }
      if (doc.machine !== undefined) doc.machineSha256 = sha(JSON.stringify(doc.machine))
    }
    const folder = join(dir, 'fz')
    rmSync(folder, { recursive: true, force: true })
    mkdirSync(folder)
    for (const f of FILES) {
      const p = join(folder, f)
      const v = f === 'session.json' && Buffer.isBuffer(files[f]) && files[f] === base[f] ? Buffer.from(docText ?? JSON.stringify(doc)) : files[f]
      if (v === 'link-zero') symlinkSync('/dev/zero', p)
      else if (v === 'link-other') symlinkSync(join(dir, 'base', f), p)
      else if (v === 'folder') mkdirSync(p)
      else if (v === 'fifo') spawnSync('mkfifo', [p])
      else writeFileSync(p, v)
    }

    if (process.env.FUZZ_KEEP === String(n)) spawnSync('cp', ['-a', folder, `/tmp/fz${n}`])
    const t = performance.now()
    try {
      const s = await loadSession('fz', { dir })
      const back = await openSession(s, Workbench.open)
      back.run({ ms: 1 })
      back.stats()
      tally.resumed++
    } catch (e) {
      if (!(e instanceof SessionError)) {
        throw new Error(`attempt ${n} (${kinds.join(', ')}${sealed ? ', sealed' : ''}): not a refusal but ${(e as Error).stack}`)
      }
      tally.refused++
      const why = e.message.replace(/^session fz: /, '').replace(/\d+/g, 'N').slice(0, 70)
      reasons.set(why, (reasons.get(why) ?? 0) + 1)
    }
    const ms = performance.now() - t
    if (ms > 1000) slow.push(`#${n} ${kinds.join('+')} ${ms.toFixed(0)} ms`)
    slowest = Math.max(slowest, ms)
    expect(ms, `attempt ${n} (${kinds.join(', ')}) took ${ms.toFixed(0)} ms`).toBeLessThan(5000)
    for (const k of kinds) tally.byKind[k] = (tally.byKind[k] ?? 0) + 1
    maxRss = Math.max(maxRss, process.memoryUsage().rss)
  }
  const wall = performance.now() - t0
  const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([w, c]) => `${c}× ${w}`)
  console.log(`session fuzz: ${ATTEMPTS} attempts, ${tally.refused} refused, ${tally.resumed} resumed and ran; ` +
    `slowest ${slowest.toFixed(0)} ms, wall ${(wall / 1000).toFixed(1)} s; RSS ${baseRss >> 20} → max ${maxRss >> 20} MiB ` +
    `(RAM image ${ramBytes >> 10} KiB); over 1 s: ${slow.join(', ') || 'none'}\n  ops: ${JSON.stringify(tally.byKind)}\n  top refusals:\n    ${top.join('\n    ')}`)
  expect(tally.refused + tally.resumed).toBe(ATTEMPTS)
  // both outcomes happen: the fuzz reaches past the first checks, and valid-looking edits still resume
  expect(tally.refused).toBeGreaterThan(ATTEMPTS / 4)
  expect(tally.resumed).toBeGreaterThan(ATTEMPTS / 50)
  // RSS growth stays within twice the RAM the session's two VMs own (2 × 64 MiB regions)
  expect(maxRss - baseRss).toBeLessThan(2 * 128 * 1024 * 1024)
}, 300_000)
