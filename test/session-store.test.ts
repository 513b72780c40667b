/**
 * The session store (core/session/store.ts): a save/list/load round trip; atomic writes (a save
 * that dies leaves the previous session loadable); a damaged session — session.json truncated,
 * not JSON, another version, a field missing or wrong, RAM or state file flipped or cut, the
 * config or an image changed — is refused with one line naming the file, and the store never
 * rewrites or deletes it.
 */
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import {
  listSessions, loadSession, readSessionDoc, removeSession, resumeSession, saveSession, SessionError, sessionsDir, SimulatedCrash,
} from '../core/session/store.ts'
import { listCommand, rmCommand, showCommand } from '../bin/commands/session-run.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const twoVms = join(root, 'configs', 'two-vms.json')

let dir: string
let wb: Workbench

/** every file under `d`, relative path → bytes */
function files(d: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const walk = (p: string, rel: string): void => {
    for (const e of readdirSync(p)) {
      const full = join(p, e), r = rel ? `${rel}/${e}` : e
      if (statSync(full).isDirectory()) walk(full, r)
      else out.set(r, readFileSync(full))
    }
  }
  walk(d, '')
  return out
}

/** a copy of session `from` named `to`, to damage */
function copySession(from: string, to: string): string {
  const p = join(dir, to)
  rmSync(p, { recursive: true, force: true })
  cpSync(join(dir, from), p, { recursive: true })
  return p
}

/** `fn` rejects with a one-line SessionError matching `re`; the session's files are unchanged after */
async function refused(name: string, re: RegExp, fn: () => Promise<unknown> = () => loadSession(name, { dir })): Promise<void> {
  const before = files(join(dir, name))
  let err: unknown
  try { await fn() } catch (e) { err = e }
  expect(err, `expected ${name} to be refused`).toBeInstanceOf(SessionError)
  const msg = (err as Error).message
  expect(msg).toMatch(re)
  expect(msg).not.toContain('\n')
  expect(files(join(dir, name))).toEqual(before)
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baobab-sessions-'))
  wb = await Workbench.open({ config: twoVms })
  expect(wb.vm('vm2').console.waitFor('tick 1')).toBe(true)
  await saveSession(wb, 'good', { dir, replHistory: ['hv.vms()', 'run(5)'] })
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('save, list, load', () => {
  it('round trip: session.json + ram.bin.gz + state.bin.gz, listed, loaded and resumed', async () => {
    const r = await saveSession(wb, 'rt', { dir, replHistory: ['a', 'b'] })
    expect(r.path).toBe(join(dir, 'rt'))
    expect([...files(r.path).keys()].sort()).toEqual(['ram.bin.gz', 'session.json', 'state.bin.gz'])
    const doc = JSON.parse(readFileSync(join(r.path, 'session.json'), 'utf8'))
    expect(doc.version).toBe(1)
    expect(new Date(doc.createdAt).toISOString()).toBe(doc.createdAt)
    expect(doc.config.kind).toBe('config')
    expect(doc.config.path).toBe(twoVms)
    expect(doc.config.sha256).toBe(createHash('sha256').update(readFileSync(twoVms)).digest('hex'))
    // one image, used by both VMs, recorded once
    expect(doc.config.images.map((i: { path: string }) => i.path)).toEqual([join(root, 'guests/images/riscv64-vm/demo-0x80200000.bin')])
    expect(doc.board).toBe('qemu-virt-riscv64')
    expect(doc.plugins.map((p: { name: string }) => p.name)).toContain('arch-riscv64')
    for (const f of ['ram.bin.gz', 'state.bin.gz']) {
      expect(doc.files[f].sha256).toBe(createHash('sha256').update(readFileSync(join(r.path, f))).digest('hex'))
    }
    expect(r.bytes.total).toBe(r.bytes.json + r.bytes.ram + r.bytes.state)

    const listed = listSessions({ dir }).find((s) => s.name === 'rt')
    expect(listed).toEqual({ name: 'rt', createdAt: doc.createdAt, config: twoVms, virtualMs: wb.stats().virtualMs })

    const s = await loadSession('rt', { dir })
    expect(s.replHistory).toEqual(['a', 'b'])
    expect(s.recovered).toBe(false)
    expect(s.snapshot.sched.now).toBe(wb.machine.sched.now)
    const back = await resumeSession('rt', Workbench.open, { dir })
    expect(back).not.toBe(wb)
    expect(back.machine.sched.now).toBe(wb.machine.sched.now)
    expect(back.machine.sched.instructions).toBe(wb.machine.sched.instructions)
    for (const name of ['vm1', 'vm2']) expect(back.vm(name).console.read()).toBe(wb.vm(name).console.read())
    expect(back.hv.log()).toEqual(wb.hv.log())
  })

  it('through the Workbench: session.save / .list / .load (a new Workbench)', async () => {
    await wb.session.save('api', { dir })
    expect(wb.session.list({ dir }).map((s) => s.name)).toContain('api')
    const back = await wb.session.load('api', { dir })
    expect(back).toBeInstanceOf(Workbench)
    expect(back.stats().virtualMs).toBe(wb.stats().virtualMs)
  })

  it('a save over an existing session replaces it', async () => {
    const first = await saveSession(wb, 'again', { dir, replHistory: ['1'] })
    await saveSession(wb, 'again', { dir, replHistory: ['2'] })
    expect((await loadSession('again', { dir })).replHistory).toEqual(['2'])
    expect(readdirSync(dir).filter((e) => e.includes('again'))).toEqual(['again'])
    expect(first.path).toBe(join(dir, 'again'))
  })

  it('names are 1-64 of [A-Za-z0-9._-], not starting with a dot', async () => {
    for (const bad of ['', 'a/b', '..', '.hidden', 'x'.repeat(65), 'sp ace', 'ü']) {
      await expect(saveSession(wb, bad, { dir })).rejects.toThrow(SessionError)
      await expect(loadSession(bad, { dir })).rejects.toThrow(/a session name/)
    }
    await saveSession(wb, 'A-z_0.9', { dir })
    expect((await loadSession('A-z_0.9', { dir })).name).toBe('A-z_0.9')
    await expect(loadSession('nope', { dir })).rejects.toThrow(/session nope: no such session/)
  })

  it('the folder is sessions/ in the project unless BAOBAB_SESSIONS or an option says otherwise', () => {
    const saved = process.env.BAOBAB_SESSIONS
    try {
      delete process.env.BAOBAB_SESSIONS
      expect(sessionsDir()).toBe(join(root, 'sessions'))
      process.env.BAOBAB_SESSIONS = dir
      expect(sessionsDir()).toBe(dir)
      expect(sessionsDir({ dir: '/elsewhere' })).toBe('/elsewhere')
    } finally {
      if (saved === undefined) delete process.env.BAOBAB_SESSIONS
      else process.env.BAOBAB_SESSIONS = saved
    }
  })
})

describe('atomic writes', () => {
  it('a save that dies after writing its temp folder leaves the previous session intact and loadable', async () => {
    await saveSession(wb, 'atom', { dir, replHistory: ['old'] })
    const before = files(join(dir, 'atom'))
    wb.run({ ms: 1 })
    await expect(saveSession(wb, 'atom', { dir, replHistory: ['new'], crashAfter: 'temp' })).rejects.toThrow(SimulatedCrash)
    expect(existsSync(join(dir, `.atom.tmp-${process.pid}`))).toBe(true)
    expect(files(join(dir, 'atom'))).toEqual(before)
    expect((await loadSession('atom', { dir })).replHistory).toEqual(['old'])
    expect(listSessions({ dir }).filter((s) => s.name === 'atom')).toHaveLength(1)
    // a half-written temp folder of another (dead) process is ignored too, and cleaned by the next save
    mkdirSync(join(dir, '.atom.tmp-999999'))
    writeFileSync(join(dir, '.atom.tmp-999999', 'session.json'), '{"version": 1, "trunc')
    expect((await loadSession('atom', { dir })).replHistory).toEqual(['old'])
    await saveSession(wb, 'atom', { dir, replHistory: ['new'] })
    expect((await loadSession('atom', { dir })).replHistory).toEqual(['new'])
    expect(readdirSync(dir).filter((e) => e.includes('atom'))).toEqual(['atom'])
  })

  it('a save that dies between its two renames leaves the previous session as a backup, which loads', async () => {
    await saveSession(wb, 'swap', { dir, replHistory: ['old'] })
    const before = files(join(dir, 'swap'))
    await expect(saveSession(wb, 'swap', { dir, replHistory: ['new'], crashAfter: 'backup' })).rejects.toThrow(SimulatedCrash)
    expect(existsSync(join(dir, 'swap'))).toBe(false)
    expect(files(join(dir, `.swap.old-${process.pid}`))).toEqual(before)
    const s = await loadSession('swap', { dir })
    expect(s.recovered).toBe(true)
    expect(s.replHistory).toEqual(['old'])
    expect(listSessions({ dir }).find((x) => x.name === 'swap')?.error).toBeUndefined()
    await saveSession(wb, 'swap', { dir, replHistory: ['new'] })
    expect((await loadSession('swap', { dir })).replHistory).toEqual(['new'])
    expect(readdirSync(dir).filter((e) => e.includes('swap'))).toEqual(['swap'])
  })
})

describe('a damaged session is refused, with the file and the reason, and left as it is', () => {
  const doc = (): Record<string, unknown> => JSON.parse(readFileSync(join(dir, 'good', 'session.json'), 'utf8'))
  const json = (name: string, content: string | Record<string, unknown>): void => {
    writeFileSync(join(copySession('good', name), 'session.json'), typeof content === 'string' ? content : JSON.stringify(content, null, 2))
  }

  it('session.json truncated, empty, not JSON', async () => {
    const text = readFileSync(join(dir, 'good', 'session.json'), 'utf8')
    json('cut', text.slice(0, Math.floor(text.length / 2)))
    await refused('cut', /^session cut: session\.json: not valid JSON \(.*\): the file is truncated or corrupt$/)
    json('empty', '')
    await refused('empty', /session\.json: not valid JSON/)
    json('garbage', text.replace('{', '{ nope'))
    await refused('garbage', /session\.json: not valid JSON/)
    json('array', '[1, 2]')
    await refused('array', /session\.json: not a session document/)
  })

  it('session.json of another version, with a field missing or of the wrong type, or with edited machine state', async () => {
    json('v2', { ...doc(), version: 2 })
    await refused('v2', /session\.json: version 2 is not supported \(this baobab reads version 1\)/)
    const { version: _, ...noVersion } = doc()
    json('noversion', noVersion)
    await refused('noversion', /session\.json: field version: missing/)
    const m = doc()
    delete (m.machine as Record<string, unknown>).sched
    json('nosched', m)
    await refused('nosched', /session\.json: field machine\.sched: missing$/)
    json('badtime', { ...doc(), createdAt: 12 })
    await refused('badtime', /session\.json: field createdAt: Expected string, received number/)
    const e = doc()
    const sched = (e.machine as { sched: { now: number } }).sched
    sched.now += 1
    json('edited', e)
    await refused('edited', /session\.json: the machine state does not match machineSha256/)
    rmSync(join(copySession('good', 'nojson'), 'session.json'))
    await refused('nojson', /session nojson: session\.json: missing/)
  })

  it('ram.bin.gz with a flipped byte, state.bin.gz cut short, a binary missing or not gzip', async () => {
    const flip = join(copySession('good', 'flip'), 'ram.bin.gz')
    const bytes = readFileSync(flip)
    bytes[bytes.length >> 1]! ^= 0x40
    writeFileSync(flip, bytes)
    await refused('flip', /^session flip: ram\.bin\.gz: sha256 does not match session\.json: the file is corrupt or was changed$/)

    const cut = join(copySession('good', 'cutstate'), 'state.bin.gz')
    const st = readFileSync(cut)
    writeFileSync(cut, st.subarray(0, st.length - 10))
    await refused('cutstate', new RegExp(`state\\.bin\\.gz: is ${st.length - 10} bytes, session\\.json says ${st.length}: truncated or replaced`))

    rmSync(join(copySession('good', 'noram'), 'ram.bin.gz'))
    await refused('noram', /session noram: ram\.bin\.gz: missing/)

    // consistent hashes but not a gzip stream (the writer was broken, not the disk)
    const p = copySession('good', 'notgz')
    const junk = Buffer.from('this is not gzip at all')
    writeFileSync(join(p, 'ram.bin.gz'), junk)
    const d = doc() as { files: Record<string, { sha256: string; bytes: number }> }
    d.files['ram.bin.gz'] = { sha256: createHash('sha256').update(junk).digest('hex'), bytes: junk.length }
    writeFileSync(join(p, 'session.json'), JSON.stringify(d, null, 2))
    await refused('notgz', /ram\.bin\.gz: not a valid gzip stream/)

    // a gzip stream whose contents are not a RAM image
    const q = copySession('good', 'notram')
    const gz = gzipSync(Buffer.from('BAOBRAMX and the rest'))
    writeFileSync(join(q, 'ram.bin.gz'), gz)
    const d2 = doc() as { files: Record<string, { sha256: string; bytes: number }> }
    d2.files['ram.bin.gz'] = { sha256: createHash('sha256').update(gz).digest('hex'), bytes: gz.length }
    writeFileSync(join(q, 'session.json'), JSON.stringify(d2, null, 2))
    await refused('notram', /ram\.bin\.gz: not a baobab RAM image \(bad magic\)/)
  })

  it('the config or an image changed or gone since the save', async () => {
    const src = mkdtempSync(join(tmpdir(), 'baobab-src-'))
    try {
      const cfg = JSON.parse(readFileSync(twoVms, 'utf8'))
      cfg.vms.forEach((vm: { image: { path: string } }, i: number) => {
        const copy = join(src, `img${i}.bin`)
        cpSync(join(dirname(twoVms), vm.image.path), copy)
        vm.image.path = copy
      })
      const cfgFile = join(src, 'two.json')
      writeFileSync(cfgFile, JSON.stringify(cfg, null, 2))
      const own = await Workbench.open({ config: cfgFile })
      own.run({ ms: 2 })
      await saveSession(own, 'src', { dir })
      await loadSession('src', { dir })

      const img = join(src, 'img1.bin')
      const orig = readFileSync(img)
      const changed = Buffer.from(orig)
      changed[100]! ^= 1
      writeFileSync(img, changed)
      await refused('src', new RegExp(`^session src: ${img.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: image changed since the session was saved \\(sha256 [0-9a-f]{12}…, now [0-9a-f]{12}…\\): refusing to resume on different code$`))
      await refused('src', /image changed since the session was saved/, () => resumeSession('src', Workbench.open, { dir }))
      rmSync(img)
      await refused('src', /img1\.bin: image is missing/)
      writeFileSync(img, orig)
      await loadSession('src', { dir })

      writeFileSync(cfgFile, JSON.stringify(cfg, null, 4))
      await refused('src', /two\.json: config changed since the session was saved/)
    } finally {
      rmSync(src, { recursive: true, force: true })
    }
  })

  it('a save refuses to replace a damaged session; list shows it damaged; rm (asked for) deletes it', async () => {
    json('keep', readFileSync(join(dir, 'good', 'session.json'), 'utf8').slice(0, 100))
    await refused('keep', /session keep: session\.json: not valid JSON .* the existing session is kept/, () => saveSession(wb, 'keep', { dir }))
    expect(listSessions({ dir }).find((s) => s.name === 'keep')?.error).toMatch(/session\.json: not valid JSON/)
    await removeSession('keep', { dir })
    expect(existsSync(join(dir, 'keep'))).toBe(false)
  })
})

describe('baobab session list | show | rm', () => {
  const io = (): { out: string; err: string; io: { out(t: string): void; err(t: string): void } } => {
    const r = { out: '', err: '', io: { out: (t: string) => { r.out += t }, err: (t: string) => { r.err += t } } }
    return r
  }

  it('lists, shows (and checks) and removes', async () => {
    await saveSession(wb, 'cli', { dir, replHistory: ['x'] })
    const l = io()
    expect(listCommand({ dir, io: l.io })).toBe(0)
    expect(l.out).toMatch(/^cli {2}\d+\.\d{3} ms {2}saved \S+ {2}.*two-vms\.json$/m)
    const s = io()
    expect(await showCommand('cli', { dir, io: s.io })).toBe(0)
    expect(s.out).toContain('vm 1       vm1: running')
    expect(s.out).toContain('resumable  yes')
    const bad = io()
    json2('clibad')
    expect(await showCommand('clibad', { dir, io: bad.io })).toBe(2)
    expect(bad.err).toMatch(/^baobab: session clibad: ram\.bin\.gz: sha256 does not match/)
    const r = io()
    expect(await rmCommand('cli', { dir, io: r.io })).toBe(0)
    expect(existsSync(join(dir, 'cli'))).toBe(false)
    expect(await rmCommand('cli', { dir, io: r.io })).toBe(2)
    expect((await readSessionDoc('good', { dir })).doc.name).toBe('good')
  })

  function json2(name: string): void {
    const f = join(copySession('good', name), 'ram.bin.gz')
    const b = readFileSync(f)
    b[20]! ^= 0xff
    writeFileSync(f, b)
  }
})
