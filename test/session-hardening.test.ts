/**
 * A session is data from disk, to be judged, never run: what a tester did to saved sessions of
 * configs/two-vms.json — a config pointed at a module that writes a marker, ram.bin.gz as a link
 * to /dev/zero or a FIFO, a gzip bomb, hart states with nulls, strings and huge numbers, virtual
 * time 1e294, dead VM states, device state garbage, a save over a session whose RAM is corrupt —
 * is refused with the file and the field at fault (a SessionError; exit 2 from the CLI, never 70),
 * before any of it runs, without hanging, and without inflating past the declared size.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { loadSession, removeSession, resumeSession, saveSession, SessionError } from '../core/session/store.ts'
import { showCommand } from '../bin/commands/session-run.ts'
import { copySession, deflate, edited, gzipBomb, inflate, putBinary, readDoc, sha, type Doc } from './session-util.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const twoVms = join(root, 'configs', 'two-vms.json')

let dir: string
let wb: Workbench

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baobab-harden-'))
  wb = await Workbench.open({ config: twoVms })
  expect(wb.vm('vm2').console.waitFor('tick 1')).toBe(true)
  await saveSession(wb, 'base', { dir })
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** every file under the session folder, name → bytes (links are not followed) */
function files(name: string): Map<string, string> {
  const p = join(dir, name)
  return new Map(readdirSync(p).map((f) => [f, statSync(join(p, f), { throwIfNoEntry: false })?.isFile() ? sha(readFileSync(join(p, f))) : 'not a file']))
}

/** resuming `name` is refused with a one-line SessionError matching `re`, and the session is left as it was */
async function refused(name: string, re: RegExp): Promise<string> {
  const before = files(name)
  let err: unknown
  try { await resumeSession(name, Workbench.open, { dir }) } catch (e) { err = e }
  expect(err, `expected ${name} to be refused`).toBeInstanceOf(SessionError)
  const msg = (err as Error).message
  expect(msg).toMatch(re)
  expect(msg).not.toContain('\n')
  expect(files(name)).toEqual(before)
  return msg
}

describe('a session never names code to run', () => {
  const marker = (): string => join(dir, 'MARKER')
  const evil = (): string => {
    const f = join(dir, 'evil.js')
    writeFileSync(f, `import { writeFileSync } from 'node:fs'\nwriteFileSync(${JSON.stringify(marker())}, 'ran')\nexport default ${readFileSync(twoVms, 'utf8')}\n`)
    return f
  }

  it('the config is stored as data; a resume boots the data, not the file', () => {
    const d = readDoc(dir, 'base')
    expect(d.config.path).toBe(twoVms)
    expect(d.config.data).toEqual(JSON.parse(readFileSync(twoVms, 'utf8')))
  })

  it('config pointed at a marker-writing .js (hash recomputed): refused, the module never imported', async () => {
    const js = evil()
    // without data, as a session from before data was kept would be
    edited(dir, 'base', 'js-nodata', (d) => { d.config.path = js; d.config.sha256 = sha(readFileSync(js)); delete d.config.data })
    await refused('js-nodata', /^session js-nodata: session\.json: config\.data: missing, and the config .*evil\.js is a module \(code\)/)
    // with data: the data boots, the .js is only hashed — and the images it would place are not the session's
    edited(dir, 'base', 'js-data', (d) => { d.config.path = js; d.config.sha256 = sha(readFileSync(js)) })
    await refused('js-data', /config\.data names image .* which the session holds no sha256 of/)
    expect(existsSync(marker())).toBe(false)
  })

  it('config data naming a board plugin file or a feature by path: refused', async () => {
    writeFileSync(join(dir, 'board.ts'), `import { writeFileSync } from 'node:fs'\nwriteFileSync(${JSON.stringify(marker())}, 'ran')\nexport default {}\n`)
    edited(dir, 'base', 'board-path', (d) => { d.config.data.board = join(dir, 'board.ts') })
    await refused('board-path', /config\.data\.board: '.*board\.ts' is a board plugin file \(code\)/)
    edited(dir, 'base', 'feat-path', (d) => { d.config.data.features = ['../../evil'] })
    await refused('feat-path', /config\.data\.features\[0\]: must name a built-in feature/)
    edited(dir, 'base', 'bare-board', (d) => { d.config.kind = 'bare'; d.board = './board.ts' })
    await refused('bare-board', /field board: must be a board name, not a path/)
    expect(existsSync(marker())).toBe(false)
  })

  it('config data that is not a valid config: refused as a config file would be', async () => {
    edited(dir, 'base', 'bad-data', (d) => { d.config.data.vms[0].regions[0].size = 'lots' })
    await refused('bad-data', /^session bad-data: session\.json: config: .*vms\[0\]\.regions\[0\]\.size/)
  })
})

describe('files are read only as regular files, and inflated no further than declared', () => {
  it('ram.bin.gz a link to /dev/zero, a FIFO, a folder, empty: refused at once', async () => {
    for (const [name, make, re] of [
      ['zero', (p: string) => symlinkSync('/dev/zero', p), /ram\.bin\.gz: is a symbolic link, not a regular file/],
      ['link', (p: string) => symlinkSync(join(dir, 'base', 'ram.bin.gz'), p), /ram\.bin\.gz: is a symbolic link/],
      ['fifo', (p: string) => { spawnSync('mkfifo', [p]) }, /ram\.bin\.gz: is a device, FIFO or socket/],
      ['folder', (p: string) => { spawnSync('mkdir', [p]) }, /ram\.bin\.gz: is a folder/],
      ['empty', (p: string) => writeFileSync(p, ''), /ram\.bin\.gz: is 0 bytes, session\.json says/],
    ] as const) {
      const p = join(copySession(dir, 'base', name), 'ram.bin.gz')
      unlinkSync(p)
      make(p)
      const t = performance.now()
      await refused(name, re)
      expect(performance.now() - t).toBeLessThan(2000)
    }
    const p = join(copySession(dir, 'base', 'jsonzero'), 'session.json')
    unlinkSync(p)
    symlinkSync('/dev/zero', p)
    await refused('jsonzero', /session\.json: is a symbolic link/)
  })

  it('a 1.1 MB gzip bomb: refused within the declared size, in well under a second', async () => {
    const bomb = gzipBomb(17)
    expect(bomb.length).toBeGreaterThan(1_000_000)
    copySession(dir, 'base', 'bomb')
    putBinary(dir, 'bomb', 'ram.bin.gz', bomb)
    // as saved, the RAM image is small: a file that big is refused before it is read
    await refused('bomb', /ram\.bin\.gz: session\.json says \d+ bytes, more than gzip of \d+ bytes can take/)
    // declare 4 MiB of pages: it is inflated, but only to there
    copySession(dir, 'base', 'bomb2')
    putBinary(dir, 'bomb2', 'ram.bin.gz', bomb, (d) => { d.machine.ramPages = 1024 })
    const rss = process.memoryUsage().rss
    const t = performance.now()
    await refused('bomb2', /ram\.bin\.gz: inflates past 4202512 bytes, the size its contents must have: refused/)
    expect(performance.now() - t).toBeLessThan(1000)
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 << 20)
  })
})

describe('every field is checked, with its path, before the machine is touched', () => {
  const hart = (name: string, edit: (h: Doc) => void): string => edited(dir, 'base', name, (d) => edit(d.machine.cpus[0]))

  it('crafted hart states: null, strings, huge numbers, reserved modes, foreign keys', async () => {
    await refused(hart('h-null', (h) => { h.pcLo = null }), /session\.json: machine\.cpus\[0\]\.pcLo: Expected number, received null/)
    await refused(hart('h-str', (h) => { h.pcHi = 'not-a-number' }), /machine\.cpus\[0\]\.pcHi: Expected number, received string/)
    await refused(hart('h-huge', (h) => { h.pcLo = 1e300 }), /machine\.cpus\[0\]\.pcLo: must be a signed 32-bit integer/)
    await refused(hart('h-priv', (h) => { h.priv = 2 }), /machine\.cpus\[0\]\.priv: must be a privilege mode/)
    await refused(hart('h-virt', (h) => { h.priv = 3; h.virt = 1 }), /machine\.cpus\[0\]\.virt: V=1 in M-mode/)
    await refused(hart('h-instret', (h) => { h.instret = -5 }), /machine\.cpus\[0\]\.instret: must be a non-negative integer/)
    await refused(hart('h-key', (h) => { h.translate = false }), /machine\.cpus\[0\]: Unrecognized key\(s\) in object: 'translate'/)
    await refused(hart('h-missing', (h) => { delete h.resAddr }), /machine\.cpus\[0\]\.resAddr: missing/)
  })

  it('a hart CSR in the state area with a translation mode the hart does not implement', async () => {
    const st = inflate(dir, 'base', 'state.bin.gz')
    // hart 0's satp (CSR 0x180) high word: MODE 5
    st.writeInt32LE(5 << 28, 65536 + 1024 + 0x180 * 8 + 4)
    copySession(dir, 'base', 'satp')
    putBinary(dir, 'satp', 'state.bin.gz', deflate(st))
    await refused('satp', /machine\.cpus\[0\]\.csr\.satp: MODE 5 is neither Bare \(0\) nor Sv39 \(8\)/)
  })

  it('virtual time 1e294, instructions NaN, a quantum of 0, an event before now', async () => {
    await refused(edited(dir, 'base', 't-now', (d) => { d.machine.sched.now = 1e294 }), /field machine\.sched\.now: must be at most 2\^53-1/)
    await refused(edited(dir, 'base', 't-insn', (d) => { d.machine.sched.instructions = null }), /field machine\.sched\.instructions: Expected number, received null/)
    await refused(edited(dir, 'base', 't-q', (d) => { d.machine.sched.quantum = 0 }), /field machine\.sched\.quantum/)
    await refused(edited(dir, 'base', 't-ev', (d) => { d.machine.sched.events[0].time = 5 }), /field machine\.sched\.events\[0\]\.time: is before the saved time now/)
  })

  it('dead VM states, unknown vCPUs on the stacks, a fault pc that is not hex', async () => {
    const hv = (name: string, edit: (h: Doc) => void): string => edited(dir, 'base', name, (d) => edit(d.machine.hypervisor))
    await refused(hv('vm-dead', (h) => { h.vms[0].state = 'dead' }), /field machine\.hypervisor\.vms\[0\]\.state: Invalid enum value/)
    await refused(hv('vcpu-zombie', (h) => { h.vms[1].vcpus[0].state = 'zombie' }), /field machine\.hypervisor\.vms\[1\]\.vcpus\[0\]\.state/)
    await refused(hv('stack-ghost', (h) => { h.stacks[0].current = [9, 0] }), /machine\.hypervisor\.stacks\[0\]\.current: names no vCPU of the snapshot/)
    await refused(hv('vm-twice', (h) => { h.vms[1].id = h.vms[0].id }), /machine\.hypervisor\.vms\[1\]\.id: VM 1 is listed twice/)
    await refused(hv('fault-pc', (h) => { h.vms[0].state = 'faulted'; h.vms[0].fault = { vm: 1, vmName: 'vm1', vcpu: 0, pc: 'not-a-number', addr: '0x0', cause: 'x' } }),
      /field machine\.hypervisor\.vms\[0\]\.fault\.pc: must be a 64-bit hex string/)
    await refused(hv('next-id', (h) => { h.nextVmId = 1 }), /machine\.hypervisor\.nextVmId: 1 is not above the largest VM id/)
    await refused(hv('console', (h) => { h.vms[0].console.pendingInput = [300] }), /field machine\.hypervisor\.vms\[0\]\.console\.pendingInput\[0\]/)
  })

  it('device state garbage, named by device and register', async () => {
    const dev = (name: string, edit: (devs: Doc) => void): string => edited(dir, 'base', name, (d) => edit(d.machine.devices))
    await refused(dev('d-uart', (x) => { x.uart0.regs.LSR = 'ready' }), /session\.json: machine\.devices\.uart0\.regs\.LSR: must be an integer from 0 to 0xff/)
    await refused(dev('d-uart-big', (x) => { x.uart0.regs.IER = 4096 }), /machine\.devices\.uart0\.regs\.IER: must be an integer from 0 to 0xff/)
    await refused(dev('d-rx', (x) => { x.uart1.rx = [1, 'a'] }), /machine\.devices\.uart1\.rx\[1\]: Expected number, received string/)
    await refused(dev('d-plic', (x) => { x.plic0.level = [-1] }), /machine\.devices\.plic0\.level\[0\]: must be an unsigned 32-bit integer/)
    await refused(dev('d-plic-len', (x) => { x.plic0.regs.priority = new Array(5000).fill(0) }), /machine\.devices\.plic0\.regs\.priority: lists 5000 values, the register has \d+/)
    await refused(dev('d-clint', (x) => { x.clint0.offset = '1e999' }), /machine\.devices\.clint0\.offset: must be a decimal 64-bit integer/)
    await refused(dev('d-test', (x) => { x.test0 = { poweroff: true } }), /machine\.devices\.test0: Unrecognized key/)
    await refused(dev('d-not-obj', (x) => { x.uart0 = 42 }), /machine\.devices\.uart0: Expected object, received number/)
  })

  it('the arch glue\'s state: saved contexts of the wrong size, a vPLIC naming a context the PLIC lacks', async () => {
    const arch = (name: string, edit: (a: Doc) => void): string => edited(dir, 'base', name, (d) => edit(d.machine.hypervisor.arch))
    await refused(arch('a-ctx', (a) => { a.vcpus[0].ctx = { x: [1, 2], f: [], csr: [], pcLo: 0, pcHi: 0, priv: 1, virt: 1, idle: false } }),
      /machine\.hypervisor\.arch\.vcpus\[0\]\.ctx\.x: must list 66 32-bit words/)
    await refused(arch('a-hw', (a) => { a.vms[0].vplic.hw = [[10, 100000]] }), /machine\.hypervisor\.arch\.vms\[0\]\.vplic\.hw\[0\]\[1\]/)
    await refused(arch('a-timer', (a) => { a.vcpus[1].timerAt = 'soon' }), /machine\.hypervisor\.arch\.vcpus\[1\]\.timerAt: Expected number, received string/)
    await refused(arch('a-vplic', (a) => { a.vms[0].vplic.plic.regs.threshold = [1, 2, 3, 4, 5, 6] }), /machine\.hypervisor\.arch\.vms\[0\]\.vplic\.plic\.regs\.threshold: lists 6 values/)
  })

  it('a valid edit still resumes: the checks refuse what is wrong, not what is unusual', async () => {
    edited(dir, 'base', 'fine', (d) => { d.replHistory = ['edited by hand'] })
    const back = await resumeSession('fine', Workbench.open, { dir })
    expect(back.machine.sched.now).toBe(wb.machine.sched.now)
    back.run({ ms: 5 })
    expect(back.vm('vm2').console.read()).toContain('tick 1')
  })
})

describe('a damaged session is never overwritten, and show says why it cannot resume', () => {
  it('a save over a session whose RAM fails its checksum is refused; rm still removes it', async () => {
    const p = join(copySession(dir, 'base', 'corrupt'), 'ram.bin.gz')
    const b = readFileSync(p)
    b[b.length >> 1]! ^= 0x10
    writeFileSync(p, b)
    const before = files('corrupt')
    await expect(saveSession(wb, 'corrupt', { dir })).rejects.toThrow(/^session corrupt: ram\.bin\.gz: sha256 does not match session\.json.* the existing session is kept; remove it/)
    expect(files('corrupt')).toEqual(before)
    // damage only a resume finds (a device's state) keeps it too
    edited(dir, 'base', 'corrupt2', (d) => { d.machine.devices.uart0.regs.LSR = -1 })
    await expect(saveSession(wb, 'corrupt2', { dir })).rejects.toThrow(/machine\.devices\.uart0\.regs\.LSR.*the existing session is kept/)
    await removeSession('corrupt', { dir })
    await removeSession('corrupt2', { dir })
    expect(existsSync(join(dir, 'corrupt'))).toBe(false)
    await saveSession(wb, 'corrupt', { dir })
    await loadSession('corrupt', { dir })
  })

  it('session show: "resumable no: <reason>", exit 2, and no hang on /dev/zero', async () => {
    const io = { out: '', err: '' }
    const sink = { out: (t: string) => { io.out += t }, err: (t: string) => { io.err += t } }
    const p = join(copySession(dir, 'base', 'show-zero'), 'ram.bin.gz')
    unlinkSync(p)
    symlinkSync('/dev/zero', p)
    expect(await showCommand('show-zero', { dir, io: sink })).toBe(2)
    expect(io.out).toMatch(/ {2}resumable {2}no: session show-zero: ram\.bin\.gz: is a symbolic link/)
    const io2 = { out: '', err: '' }
    edited(dir, 'base', 'show-hart', (d) => { d.machine.cpus[0].pcLo = 'x' })
    expect(await showCommand('show-hart', { dir, io: { out: (t) => { io2.out += t }, err: (t) => { io2.err += t } } })).toBe(2)
    expect(io2.out).toMatch(/resumable {2}no: .*machine\.cpus\[0\]\.pcLo/)
    expect(io2.out).not.toMatch(/resumable {2}yes/)
    const io3 = { out: '', err: '' }
    expect(await showCommand('base', { dir, io: { out: (t) => { io3.out += t }, err: (t) => { io3.err += t } } })).toBe(0)
    expect(io3.out).toContain('resumable  yes')
  })
})

describe('the CLI exits 2 on a bad session, never 70', () => {
  function baobab(args: string[]): Promise<{ status: number | null; stderr: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const t = performance.now()
      const p = spawn(process.execPath, [join(root, 'bin', 'baobab.js'), ...args], { cwd: root, env: { ...process.env, BAOBAB_SESSIONS: dir }, stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
      const timer = setTimeout(() => p.kill('SIGKILL'), 60_000)
      p.on('error', reject)
      p.on('close', (status) => { clearTimeout(timer); resolve({ status, stderr, ms: performance.now() - t }) })
    })
  }

  it('run --session and session show, for a module config, /dev/zero RAM, a gzip bomb, a crafted hart, device garbage', async () => {
    // the sessions these make are the ones above; make sure they exist when this block runs alone
    const js = join(dir, 'evil2.js')
    writeFileSync(js, `import { writeFileSync } from 'node:fs'\nwriteFileSync(${JSON.stringify(join(dir, 'MARKER2'))}, 'ran')\nexport default {}\n`)
    edited(dir, 'base', 'c-js', (d) => { d.config.path = js; d.config.sha256 = sha(readFileSync(js)); delete d.config.data })
    const zero = join(copySession(dir, 'base', 'c-zero'), 'ram.bin.gz')
    unlinkSync(zero)
    symlinkSync('/dev/zero', zero)
    copySession(dir, 'base', 'c-bomb')
    putBinary(dir, 'c-bomb', 'ram.bin.gz', gzipBomb(17), (d) => { d.machine.ramPages = 1024 })
    edited(dir, 'base', 'c-hart', (d) => { d.machine.cpus[0].pcLo = 'not-a-number' })
    edited(dir, 'base', 'c-dev', (d) => { d.machine.devices.plic0.claimed = ['x'] })
    const cases = ['c-js', 'c-zero', 'c-bomb', 'c-hart', 'c-dev']
    const runs = await Promise.all(cases.flatMap((c) => [baobab(['run', '--session', c, '--run-ms', '5']), baobab(['session', 'show', c])]))
    runs.forEach((r, i) => {
      const what = `${i % 2 ? 'show' : 'run'} ${cases[i >> 1]}: ${r.stderr}`
      expect(r.status, what).toBe(2)
      expect(r.stderr, what).toMatch(new RegExp(`^baobab: session ${cases[i >> 1]}: `))
      expect(r.stderr, what).not.toMatch(/internal error/)
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1)
    })
    expect(existsSync(join(dir, 'MARKER2'))).toBe(false)
  }, 120_000)
})
