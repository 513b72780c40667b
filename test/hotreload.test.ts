/**
 * Hot reload end to end, on a temporary COPY of the project (core/, plugins/, configs/,
 * guests/images/) so the real files are never edited: a device plugin edited while guests run
 * takes over with the device's state and the guest's console continuing byte for byte; a broken
 * file is reported and the old code runs on; an edited config restarts only the VM it changed;
 * the chokidar watcher turns file writes into those reloads.
 *
 * "Nothing lost or doubled" is checked against an uninterrupted run of the same schedule: the
 * same input at the same virtual times must give the same console text and the same instruction
 * count on the VM's hart.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Workbench } from '../core/api.ts'
import type { HotReloadEvent } from '../core/hotreload.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
let copy = ''
let api: typeof import('../core/api.ts')
let uartFile = ''
let uartSource = ''
let configFile = ''
let configSource = ''

beforeAll(async () => {
  copy = mkdtempSync(join(tmpdir(), 'baobab-hot-'))
  for (const d of ['core', 'plugins', 'configs', join('guests', 'images')]) {
    cpSync(join(root, d), join(copy, d), { recursive: true, filter: (src) => basename(src) !== 'test' })
  }
  cpSync(join(root, 'package.json'), join(copy, 'package.json'))
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'))
  api = (await import(pathToFileURL(join(copy, 'core', 'api.ts')).href)) as typeof import('../core/api.ts')
  uartFile = join(copy, 'plugins', 'dev-ns16550', 'ns16550.ts')
  uartSource = readFileSync(uartFile, 'utf8')
  configFile = join(copy, 'configs', 'two-vms.json')
  configSource = readFileSync(configFile, 'utf8')
})

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true })
})

/** ns16550.ts with a counter of RBR reads in its snapshot: harmless to the guest, visible to us. */
function countingUart(): string {
  const out = uartSource
    .replace(/(\n\s*)(private readRbr\(\): number \{)/, '$1rbrReads = 0\n$1$2\n    this.rbrReads++')
    .replace(/(snapshot\(\)[^{]*\{\s*return \{)/, '$1 rbrReads: this.rbrReads,')
  expect(out.match(/rbrReads/g)?.length).toBe(4)
  return out
}

function editConfig(edit: (c: { vms: Record<string, unknown>[] }) => void): void {
  const c = JSON.parse(configSource) as { vms: Record<string, unknown>[] }
  edit(c)
  writeFileSync(configFile, JSON.stringify(c, null, 2))
}

/** Boot the copy's two-vms config and run until both guests echo (greeting, three ticks, "echo ready"). */
async function open(): Promise<Workbench> {
  const wb = await api.Workbench.open({ config: configFile })
  const ready = (): boolean => wb.hv.vms().every((v) => wb.vm(v.id).console.read().includes('echo ready\n'))
  wb.run({ ms: 100, until: ready })
  expect(ready()).toBe(true)
  return wb
}

/** the schedule: STEPS times, type a byte into vm1's console and run a quarter millisecond */
const STEPS = 16
const HALF = STEPS / 2
function step(wb: Workbench, i: number): void {
  wb.vm('vm1').console.write(String.fromCharCode(97 + (i % 26)))
  wb.run(0.25)
}

const vm1Hart = (wb: Workbench): number => wb.stats().cpus[wb.hv.vms().find((v) => v.name === 'vm1')!.pcpus[0]!]!.instret
const uart0 = (wb: Workbench) => wb.machine.devices.get('uart0')!.device

/** The uninterrupted run of the whole schedule every reload scenario is compared with. */
let ref: { text: string; insns: number } | undefined
async function reference(): Promise<{ text: string; insns: number }> {
  if (!ref) {
    const wb = await open()
    for (let i = 0; i < STEPS; i++) step(wb, i)
    ref = { text: wb.vm('vm1').console.read(), insns: vm1Hart(wb) }
  }
  return ref
}

function restoreFiles(): void {
  writeFileSync(uartFile, uartSource)
  writeFileSync(configFile, configSource)
}

describe('plugin reload with state hand-over', () => {
  it('an edited ns16550.ts is live at once, and vm1 echoes on with nothing lost or doubled', async () => {
    const ref = await reference()
    const wb = await open()
    for (let i = 0; i < HALF; i++) step(wb, i)
    const old = uart0(wb)
    expect(old.snapshot()).not.toHaveProperty('rbrReads')
    writeFileSync(uartFile, countingUart())
    try {
      const r = await wb.plugins.reload('dev-ns16550')
      expect(r.instances).toBe(2) // uart0 and uart1
      expect(r.files).toContain(uartFile)
    } finally {
      restoreFiles()
    }
    const now = uart0(wb)
    expect(now).not.toBe(old)
    for (let i = HALF; i < STEPS; i++) step(wb, i)
    // the new code counts; the old instance no longer receives anything
    expect((now.snapshot() as { rbrReads: number }).rbrReads).toBeGreaterThan(0)
    expect(old.snapshot()).toMatchObject({ rx: [], backlog: [] })
    expect(wb.vm('vm1').console.read()).toBe(ref.text)
    expect(vm1Hart(wb)).toBe(ref.insns)
    expect(ref.text).toMatch(/echo: o\necho: p\n$/) // what the last two steps typed
  })

  it('reloading dev-plic and dev-aclint swaps the PLIC, both vPLICs and the timer without a trace', async () => {
    const ref = await reference()
    const wb = await open()
    const before = wb.machine.live.all().map((e) => e.device)
    for (let i = 0; i < HALF; i++) step(wb, i)
    expect((await wb.plugins.reload('dev-plic')).instances).toBe(3) // plic0, vm1.vplic, vm2.vplic
    expect((await wb.plugins.reload('dev-aclint')).instances).toBe(1)
    const swapped = wb.machine.live.all().filter((e) => ['plic', 'aclint'].includes(e.type))
    expect(swapped.every((e) => !before.includes(e.device))).toBe(true)
    for (let i = HALF; i < STEPS; i++) step(wb, i)
    expect(wb.vm('vm1').console.read()).toBe(ref.text)
    expect(vm1Hart(wb)).toBe(ref.insns)
  })

  it('a syntax error is reported and the old version keeps working', async () => {
    const wb = await open()
    const old = uart0(wb)
    const version = wb.plugins.list().find((p) => p.name === 'dev-ns16550')
    writeFileSync(uartFile, `${uartSource}\nexport const broken = (\n`)
    try {
      const err = await wb.plugins.reload('dev-ns16550').then(() => null, (e: Error) => e)
      expect(err?.constructor.name).toBe('PluginError')
      expect(err?.message).toMatch(/plugin dev-ns16550: cannot import .*ns16550\.ts:\d+:\d+/)
    } finally {
      restoreFiles()
    }
    expect(uart0(wb)).toBe(old)
    expect(wb.plugins.list().find((p) => p.name === 'dev-ns16550')).toEqual(version)
    for (let i = 0; i < 5; i++) step(wb, i)
    expect(wb.vm('vm1').console.read()).toMatch(/echo: a\necho: b\necho: c\necho: d\necho: e\n$/)
  })

  it('a setup that throws is reported and nothing changes', async () => {
    const wb = await open()
    const old = uart0(wb)
    const index = join(copy, 'plugins', 'dev-ns16550', 'index.ts')
    const src = readFileSync(index, 'utf8')
    writeFileSync(index, src.replace('setup(ctx) {', "setup(ctx) {\n    throw new Error('not today')"))
    try {
      await expect(wb.plugins.reload('dev-ns16550')).rejects.toThrow('plugin dev-ns16550: setup failed: not today')
    } finally {
      writeFileSync(index, src)
    }
    expect(uart0(wb)).toBe(old)
    step(wb, 0)
    expect(wb.vm('vm1').console.read()).toMatch(/echo: a\n$/)
  })

  it('a new device constructor that throws leaves every old instance in place, still receiving', async () => {
    const wb = await open()
    const old = uart0(wb)
    const factory = wb.plugins.devices.get('ns16550')
    writeFileSync(uartFile, uartSource.replace(/(constructor\(ctx: DeviceContext\) \{)/, "$1\n    if (ctx.name === 'uart1') throw new Error('no uart1 today')"))
    try {
      await expect(wb.plugins.reload('dev-ns16550')).rejects.toThrow(/plugin dev-ns16550: new ns16550 for uart1 failed: no uart1 today/)
    } finally {
      restoreFiles()
    }
    expect(uart0(wb)).toBe(old)
    expect(wb.plugins.devices.get('ns16550')).toBe(factory)
    for (let i = 0; i < 3; i++) step(wb, i)
    expect(wb.vm('vm1').console.read()).toMatch(/echo: a\necho: b\necho: c\n$/)
  })
})

describe('config re-apply', () => {
  it("a changed vm2 region restarts vm2 only; vm1 runs on instruction for instruction", async () => {
    const ref = await reference()
    const wb = await open()
    for (let i = 0; i < HALF; i++) step(wb, i)
    const ids = Object.fromEntries(wb.hv.vms().map((v) => [v.name, v.id]))
    editConfig((c) => { (c.vms[1]!.regions as { size: string }[])[0]!.size = '32M' })
    try {
      const change = await wb.reloadConfig()
      expect(change).toEqual({ restarted: ['vm2'], created: [], destroyed: [], unchanged: ['vm1'] })
    } finally {
      restoreFiles()
    }
    const after = Object.fromEntries(wb.hv.vms().map((v) => [v.name, v.id]))
    expect(after.vm1).toBe(ids.vm1)
    expect(after.vm2).not.toBe(ids.vm2)
    expect(wb.hypervisor!.vms.find((v) => v.name === 'vm2')!.config.regions[0]!.size).toBe(32 * 2 ** 20)
    for (let i = HALF; i < STEPS; i++) step(wb, i)
    expect(wb.vm('vm1').console.read()).toBe(ref.text)
    expect(vm1Hart(wb)).toBe(ref.insns)
    // the new vm2 boots afresh: greeting and ticks again
    wb.run({ ms: 100, until: () => wb.vm('vm2').console.read().includes('echo ready\n') })
    expect(wb.vm('vm2').console.read()).toMatch(/^hello from vm2 hart 0\nconsole: dbcn\ntick 1\ntick 2\ntick 3\necho ready\n/)
  })

  it('an invalid config is reported with its errors and nothing restarts', async () => {
    const wb = await open()
    const ids = wb.hv.vms().map((v) => v.id)
    editConfig((c) => { c.vms[1]!.cpuNum = 0; c.vms[1]!.bogus = 1 })
    try {
      const err = await wb.reloadConfig().then(() => null, (e: Error) => e)
      expect(err?.name).toBe('ConfigErrors')
      expect(err?.message).toMatch(/vms\[1\]/)
    } finally {
      restoreFiles()
    }
    expect(wb.hv.vms().map((v) => v.id)).toEqual(ids)
    step(wb, 0)
    expect(wb.vm('vm1').console.read()).toMatch(/echo: a\n$/)
  })

  it('an unchanged config restarts nothing; an added VM is created, a removed one destroyed', async () => {
    const wb = await open()
    expect(await wb.reloadConfig()).toEqual({ restarted: [], created: [], destroyed: [], unchanged: ['vm1', 'vm2'] })
    editConfig((c) => { c.vms.pop() })
    try {
      expect(await wb.reloadConfig()).toEqual({ restarted: [], created: [], destroyed: ['vm2'], unchanged: ['vm1'] })
      restoreFiles()
      expect(await wb.reloadConfig()).toEqual({ restarted: [], created: ['vm2'], destroyed: [], unchanged: ['vm1'] })
    } finally {
      restoreFiles()
    }
    wb.run({ ms: 10, until: () => wb.vm('vm2').console.read().includes('hello from vm2 hart 0\n') })
    expect(wb.vm('vm2').console.read()).toContain('hello from vm2 hart 0\n')
  })
})

describe('watching files (chokidar)', () => {
  it('a saved plugin file, config file or broken file becomes an event', async () => {
    const wb = await open()
    const events: HotReloadEvent[] = []
    const watcher = wb.watch({ onEvent: (e) => events.push(e) })
    const next = async (kind: HotReloadEvent['kind']): Promise<HotReloadEvent> => {
      const t0 = Date.now()
      while (Date.now() - t0 < 15_000) {
        const e = events.find((x) => x.kind === kind)
        if (e) {
          events.splice(events.indexOf(e), 1)
          return e
        }
        await new Promise((r) => setTimeout(r, 10))
      }
      throw new Error(`no ${kind} event (have ${JSON.stringify(events)})`)
    }
    try {
      await watcher.ready
      const old = uart0(wb)
      writeFileSync(uartFile, countingUart())
      const reloaded = await next('plugin-reloaded')
      expect(reloaded.name).toBe('dev-ns16550')
      expect(reloaded.message).toMatch(/2 live devices kept their state/)
      expect(uart0(wb)).not.toBe(old)
      expect(uart0(wb).snapshot()).toHaveProperty('rbrReads')

      writeFileSync(uartFile, `${uartSource}\nexport const broken = (\n`)
      const broken = await next('plugin-error')
      expect(broken.message).toMatch(/cannot import/)

      editConfig((c) => { c.vms[1]!.bootargs = 'quiet' })
      const applied = await next('config-applied')
      expect(applied.message).toBe('restarted vm2; unchanged vm1')

      editConfig((c) => { c.vms[1]!.bogus = 1 })
      const invalid = await next('config-error')
      expect(invalid.message).toMatch(/vms\[1\]/)
      expect(events).toEqual([])
      // the guest went on through all of it
      step(wb, 0)
      expect(wb.vm('vm1').console.read()).toMatch(/echo: a\n$/)
    } finally {
      await watcher.close()
      restoreFiles()
    }
  })
})
