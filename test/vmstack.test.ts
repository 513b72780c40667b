/**
 * Dynamic VMs (issue 5, reference §2.5, §4): the host demo guest (configs/dynamic-vm.json,
 * guests/riscv64-vm/vmstack-host) creating, invoking, pre-empting, destroying and re-creating
 * its child (guests/riscv64-vm/child), 1,000 create/destroy cycles, the child's fault report;
 * isolation both ways; bad blobs; the REPL API's VM tree. In-process, on virtual time.
 */
import { describe, expect, it, beforeAll } from 'vitest'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import { Workbench } from '../core/api.ts'
import { loadConfig, type HvConfig, type HvVmConfig } from '../core/hypervisor/config.ts'
import { CONFIG, MEM_REGION, packConfig, PLATFORM_DESC, VM_CONFIG } from '../core/hypervisor/blob.ts'
import { HC_E_INVAL_ARGS, HC_E_INVAL_ID, type Hypervisor } from '../core/hypervisor/hypervisor.ts'
import type { Vm } from '../core/hypervisor/vm.ts'
import { PluginHost } from '../core/plugins.ts'
import { CSR, IRQ, VS_IRQS } from '../plugins/arch-riscv64/csr-defs.ts'
import { configBlob as riscv64Blob } from '../plugins/arch-riscv64/config-blob.ts'
import type { RiscvHart } from '../plugins/arch-riscv64/hart.ts'
import { ctxHvip } from '../plugins/arch-riscv64/hyp/context.ts'
import type { VcpuArch } from '../plugins/arch-riscv64/hyp/riscv-hyp.ts'
import { FN, RET } from '../plugins/feat-dynamic-vm/dynamic-vm.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const DEMO = join(root, 'configs', 'dynamic-vm.json')
const ISOLATION = join(root, 'test', 'fixtures', 'configs', 'dynamic-vm-isolation.json')
/** the host image idling: children come from the API */
const IDLE = join(root, 'test', 'fixtures', 'configs', 'dynamic-vm-idle.json')
const TWO_IDLE = join(root, 'test', 'fixtures', 'configs', 'dynamic-vm-two-idle.json')
const SPLIT_HOST = join(root, 'test', 'fixtures', 'configs', 'dynamic-vm-split-host.json')
const CHILD_JSON = join(root, 'guests', 'riscv64-vm', 'child', 'child.json')
const CHILD_IMAGE = join(root, 'guests', 'images', 'riscv64-vm', 'vmstack-child-0x90000000.bin')
/** the demo's child (child.json) as a VM config object, for hv.child.create */
const CHILD_VM = {
  name: 'child', type: 'enclave', entry: '0x90000000', cpuNum: 1,
  image: { path: CHILD_IMAGE, baseAddr: '0x90000000' },
  regions: [{ base: '0x90000000', size: '256K' }, { base: '0x90100000', size: '64K' }],
}

const EID = 0x08000ba0
const fid = (fn: number): number => (3 << 16) | fn
/** the host demo's blob area (vmstack-host/main.c AREA) and RAM (configs/dynamic-vm.json) */
const AREA = 0x80400000
const HOST_RAM = { base: 0x80200000, size: 0x800000 }
const PAGE = 0x1000
const CYCLES = 1000
const MS = 1_000_000 // cycles of virtual time per ms (cpuHz 1 GHz)

// ---- observing a run ----

interface Line {
  source: string
  text: string
  /** virtual time (cycles) */
  t: number
  /** the pCPU whose write completed the line, -1 outside a hart */
  pcpu: number
  /** that pCPU's VM stack then: running VM id and the stacked ones below it */
  current: number | undefined
  stacked: number[]
}

/** What a run printed, line by line across every VM (children included) and the hypervisor log. */
class Transcript {
  readonly lines: Line[] = []
  readonly log: string[] = []
  private partial = new Map<Vm, string>()
  private hooks: ((l: Line) => void)[] = []

  constructor(private readonly wb: Workbench) {
    const hv = wb.hypervisor!
    for (const vm of hv.vms) this.attach(vm)
    hv.log.onLine((l) => {
      this.log.push(`${l.time} ${l.level} ${l.text}`)
      // a child prints only once invoked, after this line: attach to its console now
      const m = /^Dynamic VM (\d+) created$/.exec(l.text)
      if (m) this.attach(hv.vms.find((v) => v.id === Number(m[1]))!)
    })
  }

  private attach(vm: Vm): void {
    const hv = this.wb.hypervisor!
    const m = this.wb.machine
    vm.console.onOutput((b) => {
      if (b !== 10) {
        this.partial.set(vm, (this.partial.get(vm) ?? '') + String.fromCharCode(b))
        return
      }
      const p = m.sched.running?.id ?? -1
      const st = p >= 0 ? hv.stacks[p]! : undefined
      const line: Line = {
        source: vm.name, text: this.partial.get(vm) ?? '', t: m.sched.now, pcpu: p,
        current: st?.current?.vm.id, stacked: st ? st.stacked.map((v) => v.vm.id) : [],
      }
      this.partial.set(vm, '')
      this.lines.push(line)
      for (const fn of this.hooks) fn(line)
    })
  }

  /** call `fn` synchronously when a line is complete (the guest is still at its UART store) */
  onLine(fn: (l: Line) => void): void {
    this.hooks.push(fn)
  }

  has(source: string, text: string | RegExp): boolean {
    return this.lines.some((l) => l.source === source && (typeof text === 'string' ? l.text === text : text.test(l.text)))
  }

  text(): string[] {
    return this.lines.map((l) => `[${l.source}] ${l.text}`)
  }
}

/** A VM's stage-2 map as plain data, and who serves its emulated windows. */
function s2(vm: Vm): { entries: object[]; handlers: unknown[] } {
  return {
    entries: vm.stage2.entries.map(({ gpa, size, pa, perm, kind, name }) => ({ gpa, size, pa, perm, kind, name })),
    handlers: vm.stage2.entries.map((e) => e.handler),
  }
}

/** Everything of the parent and the hypervisor a child takes and must give back. */
function resources(hv: Hypervisor, parent: Vm) {
  const map = s2(parent)
  return {
    s2: map.entries,
    handlers: map.handlers,
    phys: hv.phys.ranges(),
    free: hv.phys.freeBytes,
    vms: hv.vms.map((v) => v.id),
    children: parent.children.map((c) => c.id),
    irqs: [...parent.irqs].sort(),
    owners: [...hv.irqOwner].map(([irq, vm]) => [irq, vm.id]).sort(),
    state: parent.state,
  }
}

function expectSameResources(a: ReturnType<typeof resources>, b: ReturnType<typeof resources>): void {
  const { handlers: ha, ...ra } = a
  const { handlers: hb, ...rb } = b
  expect(rb).toEqual(ra)
  expect(hb.length).toBe(ha.length)
  hb.forEach((h, i) => expect(h).toBe(ha[i]))
}

async function openDemo(config = DEMO): Promise<{ wb: Workbench; hv: Hypervisor; tr: Transcript }> {
  const wb = await Workbench.open({ config })
  const tr = new Transcript(wb)
  return { wb, hv: wb.hypervisor!, tr }
}

/** the host image as a quiet parent ("host-idle"), booted and idling */
async function openIdle(): Promise<{ wb: Workbench; hv: Hypervisor; tr: Transcript; host: Vm }> {
  const d = await openDemo(IDLE)
  runUntil(d.wb, () => d.tr.has('host-idle', 'host: idle'))
  expect(d.wb.machine.cpus[0]!.idle).toBe(true)
  return { ...d, host: vmNamed(d.hv, 'host-idle') }
}

/** invoke `parent`'s child `id` with 3 through the API and run until it has yielded back */
function invokeToYield(wb: Workbench, parent: Vm, id: number): void {
  wb.hv.child.invoke(parent.id, id, 3)
  runUntil(wb, () => parent.vcpus[0]!.state !== 'stacked')
  expect(wb.vm(parent.id).regs().x[10]).toBe(BigInt(RET.YIELDED))
}

/** two quiet parents ("a-idle", "b-idle"), booted and idling; `a` the first */
async function openTwoIdle(): Promise<{ d: Awaited<ReturnType<typeof openDemo>>; wb: Workbench; hv: Hypervisor; a: Vm }> {
  const d = await openDemo(TWO_IDLE)
  runUntil(d.wb, () => d.tr.has('a-idle', 'host: idle'))
  return { d, wb: d.wb, hv: d.hv, a: vmNamed(d.hv, 'a-idle') }
}

function vmNamed(hv: Hypervisor, name: string): Vm {
  const vm = hv.vms.find((v) => v.name === name)
  if (!vm) throw new Error(`no VM ${name}`)
  return vm
}

/** run virtual time until `done`, at most `ms` of it */
function runUntil(wb: Workbench, done: () => boolean, ms = 100): void {
  wb.machine.sched.run({ predicate: done, cycles: ms * MS })
}

/** write guest-physical memory of a VM (through its stage-2 map, page by page) */
function writeGuest(wb: Workbench, vm: Vm, gpa: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) {
    const n = Math.min(PAGE - ((gpa + off) % PAGE), bytes.length - off)
    wb.machine.bus.load(vm.gpaToPa(gpa + off), bytes.subarray(off, off + n))
    off += n
  }
}

/** the child's value for CHILD_ARG_SPIN (child/main.c): 10^6 steps of Knuth's MMIX LCG, top 20 bits */
function spinValue(): number {
  const M = (1n << 64n) - 1n
  let x = 1n
  for (let i = 0; i < 1_000_000; i++) x = (x * 6364136223846793005n + 1442695040888963407n) & M
  return Number(x >> 44n)
}

// ---- blobs ----

let childConfig: HvConfig

/** child.json (normalised), changed by `edit`, packed without images as the demo's blob is */
function blob(edit: (vm: HvVmConfig, cfg: HvConfig) => void = () => {}): Uint8Array {
  const cfg = structuredClone(childConfig)
  edit(cfg.vms[0]!, cfg)
  return packConfig(cfg, { arch: riscv64Blob, images: false })
}

const u64 = (b: Uint8Array, at: number): number => Number(new DataView(b.buffer, b.byteOffset).getBigUint64(at, true))
const setU64 = (b: Uint8Array, at: number, v: number): void => new DataView(b.buffer, b.byteOffset).setBigUint64(at, BigInt(v), true)

beforeAll(async () => {
  childConfig = (await loadConfig(CHILD_JSON, new PluginHost())).config
})

// ---- the host demo ----

describe('the host demo (configs/dynamic-vm.json)', () => {
  let run: Awaited<ReturnType<typeof openDemo>>
  let host: Vm
  let boot: ReturnType<typeof resources>
  const at: Record<string, ReturnType<typeof resources>> = {}
  const childPcpus: [number, number[]][] = []

  beforeAll(async () => {
    run = await openDemo()
    const { hv, tr } = run
    host = vmNamed(hv, 'host')
    boot = resources(hv, host)
    // the parent's resources at the lines around the 1,000 cycles: captured synchronously while
    // the guest is at its UART store, so exactly before the first create and after the last destroy
    tr.onLine((l) => {
      if (l.source === 'host' && /^host: create\/destroy cycles (start|1000 ok)$/.test(l.text)) at[l.text] = resources(hv, host)
    })
    hv.log.onLine((l) => {
      const m = /^Dynamic VM (\d+) created$/.exec(l.text)
      const c = m && hv.vms.find((v) => v.id === Number(m[1]))
      if (c) childPcpus.push([c.id, c.vcpus.map((v) => v.pcpu)])
    })
    runUntil(run.wb, () => tr.has('host', 'host: done'), 200)
  })

  it('prints every expected line, child output between its parent lines, in order', () => {
    const got = run.tr.text()
    const pre = got.filter((l) => / pre-empted by tick /.test(l))
    const P = pre.length
    const expected: (string | RegExp)[] = [
      /^\[host\] host: host on hart 0: child blob 4096 bytes, image \d+ bytes, region 0 0x40000 at 0x80400000$/,
      '[host] host: created vm 2',
      '[host.2] child: invoked with arg 3',
      '[host] host: invoke 3 -> value 10',
      '[host.2] child: invoked with arg 4',
      '[host] host: invoke 4 -> value 18',
      '[host.2] child: invoked with arg 5',
      '[host] host: invoke 5 -> value 28',
      /^\[host\] host: lend page 0x802[0-9a-f]{2}000 to vm 2 at 0x90200000 -> 0$/,
      '[host.2] child: invoked with arg 77',
      '[host] host: invoke 77 -> value 4660',
      '[host.2] child: invoked with arg 1000',
      ...pre.map((_, i) => `[host] host: vm 2 pre-empted by tick ${i + 1}, resuming`),
      `[host] host: invoke 1000 -> value ${spinValue()}`,
      `[host] host: ticked on to ${P + 2} after the child returned`,
      '[host.2] child: invoked with arg 0',
      '[host.2] child: exiting with code 7',
      '[host] host: invoke 0 -> exited with code 7',
      '[host.2] child: invoked with arg 6', // started again: count back to 1
      '[host] host: invoke 6 -> value 37',
      '[host] host: destroy vm 2 -> 0',
      '[host] host: created vm 3 again',
      '[host.3] child: invoked with arg 7',
      '[host] host: invoke 7 -> value 50',
      '[host] host: destroy vm 3 -> 0',
      '[host] host: create/destroy cycles start',
      `[host] host: create/destroy cycles ${CYCLES} ok`,
      `[host] host: cycle ids 4..${3 + CYCLES}`,
      `[host] host: created vm ${4 + CYCLES} for the fault demo`,
      `[host.${4 + CYCLES}] child: invoked with arg 99`,
      `[host.${4 + CYCLES}] child: reading parent memory at 0x80200000`,
      `[host] host: invoke 99 -> fault in vm ${4 + CYCLES} at 0x80200000`,
      `[host] host: destroy vm ${4 + CYCLES} -> 0`,
      `[host] host: invoke 1 -> error ${HC_E_INVAL_ID}`,
      `[host] host: create from an unaligned blob -> error ${HC_E_INVAL_ARGS}`,
      `[host] host: create from a blob outside my memory -> error ${HC_E_INVAL_ARGS}`,
      `[host] host: counters: invokes ${9 + P}, yields 7, exits 1, faults 1, pre-emptions ${P}`,
      '[host] host: done',
    ]
    expect(P).toBeGreaterThanOrEqual(2)
    expect(got.length).toBe(expected.length)
    expected.forEach((e, i) => {
      if (typeof e === 'string') expect(got[i]).toBe(e)
      else expect(got[i]).toMatch(e)
    })
  })

  it('runs every child on its parent’s pCPU, stacked on top of the parent', () => {
    const hv = run.hv
    const parentVcpu = host.vcpus[0]!
    const childLines = run.tr.lines.filter((l) => l.source !== 'host')
    expect(childLines.length).toBe(11)
    for (const l of childLines) {
      const id = Number(l.source.split('.')[1])
      expect(l.pcpu).toBe(parentVcpu.pcpu)
      expect(l.current).toBe(id)
      expect(l.stacked).toEqual([host.id])
    }
    // every child (the 1,000 cycled ones too) had its one vCPU on the parent's pCPU
    expect(childPcpus.length).toBe(CYCLES + 3)
    for (const [, pcpus] of childPcpus) expect(pcpus).toEqual([parentVcpu.pcpu])
    // the parent's own lines: it runs alone on its pCPU
    for (const l of run.tr.lines.filter((x) => x.source === 'host')) {
      expect(l.current).toBe(host.id)
      expect(l.stacked).toEqual([])
    }
    expect(hv.stacks[parentVcpu.pcpu]!.current).toBe(parentVcpu)
  })

  it('gives everything back: after 1,000 create/destroy cycles the parent and free memory are exactly as before', () => {
    const before = at['host: create/destroy cycles start']!
    const after = at[`host: create/destroy cycles ${CYCLES} ok`]!
    expect(before).toBeDefined()
    expect(after).toBeDefined()
    expectSameResources(before, after)
    // and as at boot, before any child: the end of the demo too
    expectSameResources(boot, before)
    expectSameResources(boot, resources(run.hv, host))
    expect(host.children).toEqual([])
    expect(run.hv.vms.map((v) => v.name)).toEqual(['host'])
    const dyn = run.hv.log.lines.map((l) => l.text)
    expect(dyn.filter((t) => /^Dynamic VM \d+ created$/.test(t)).length).toBe(CYCLES + 3)
    expect(dyn.filter((t) => /^Destroying dynamic VM \d+$/.test(t)).length).toBe(CYCLES + 3)
  })

  it('stops a faulting child and reports it to the parent, which keeps running', () => {
    const id = 4 + CYCLES
    const log = run.hv.log.lines.map((l) => l.text)
    expect(log).toContain(`VM ${id} performed illegal access (illegal load at 0x80200000). Disabling.`)
    expect(run.tr.has('host', `host: invoke 99 -> fault in vm ${id} at 0x80200000`)).toBe(true)
    // the child printed nothing after the load; the host printed on
    expect(run.tr.has(`host.${id}`, /read parent memory/)).toBe(false)
    expect(host.state).toBe('running')
    expect(host.fault).toBeNull()
  })

  it('is byte-identical on a second run (consoles and hypervisor log, with virtual times)', async () => {
    const again = await openDemo()
    runUntil(again.wb, () => again.tr.has('host', 'host: done'), 200)
    expect(again.tr.lines).toEqual(run.tr.lines)
    expect(again.tr.log).toEqual(run.tr.log)
    expect(again.wb.machine.sched.now).toBe(run.wb.machine.sched.now)
  })
})

// ---- pre-emption ----

describe('interrupts for a stacked parent', () => {
  it('stay pending in the parent’s saved context while its child runs, pre-empt the child (reason 1), and the parent’s tick goes on', async () => {
    const { wb, hv, tr } = await openDemo()
    const host = vmNamed(hv, 'host')
    const pv = host.vcpus[0]!
    const hart = wb.machine.cpus[pv.pcpu] as unknown as RiscvHart
    runUntil(wb, () => tr.has('host.2', 'child: invoked with arg 1000'))
    const child = vmNamed(hv, 'host.2')
    const cv = child.vcpus[0]!
    // each time an interrupt arrives for the stacked parent: where it went
    const seen: { state: string; pending: number; current: number | undefined; live: number }[] = []
    // a second listener beside the feature's (which only schedules the pre-emption: the state is the same either side of it)
    const off = wb.plugins.hooks.add('stackedInterrupt', (_hv, v) => {
      const ctx = (v.arch as VcpuArch).ctx!
      seen.push({ state: v.state, pending: ctxHvip(ctx) & VS_IRQS, current: hv.stacks[v.pcpu]!.current?.vm.id, live: hart.c[CSR.hvip * 2]! & VS_IRQS })
    })
    // while the child computes, its hart never has a virtual interrupt pending
    wb.machine.sched.quantum = 1000
    runUntil(wb, () => {
      if (hv.stacks[pv.pcpu]!.current === cv) {
        expect(pv.state).toBe('stacked')
        expect(hart.c[CSR.hvip * 2]! & VS_IRQS).toBe(0)
      }
      return tr.has('host', /^host: invoke 1000 -> /)
    }, 20)
    wb.machine.sched.quantum = 10_000
    off()
    const pre = tr.text().filter((l) => / pre-empted by tick /.test(l))
    expect(pre.length).toBeGreaterThanOrEqual(2)
    expect(seen).toEqual(pre.map(() => ({ state: 'stacked', pending: IRQ.VSTI, current: child.id, live: 0 })))
    // the child never took the parent's interrupts (it would print "child: trap ...")
    expect(tr.has('host.2', /^child: trap/)).toBe(false)
    runUntil(wb, () => tr.has('host', /^host: ticked on to /))
    const last = Number(/tick (\d+),/.exec(pre[pre.length - 1]!)![1])
    expect(tr.has('host', `host: ticked on to ${last + 2} after the child returned`)).toBe(true)
  })
})

// ---- isolation ----

describe('isolation', () => {
  it('a parent cannot write or read the region it donated while the child lives (its access faults; the child is intact)', async () => {
    const { wb, hv, tr } = await openDemo(ISOLATION)
    runUntil(wb, () => hv.vms.filter((v) => v.state === 'faulted').length === 2)
    const poke = vmNamed(hv, 'host-poke')
    const peek = vmNamed(hv, 'host-peek')
    const image = new Uint8Array(readFileSync(CHILD_IMAGE))
    for (const [parent, cause] of [[poke, 'illegal store'], [peek, 'illegal load']] as const) {
      expect(parent.state).toBe('faulted')
      expect(parent.fault).toMatchObject({ addr: BigInt(AREA + PAGE), cause })
      expect(tr.has(parent.name, /isolation broken/)).toBe(false)
      // its child still holds the untouched image, and nobody else faulted because of it
      const child = parent.children[0]!
      expect(child.state).toBe('running')
      expect(Array.from(wb.vm(child.id).mem.read(0x90000000, 64))).toEqual(Array.from(image.subarray(0, 64)))
    }
    expect(tr.has('host-poke', 'host: writing donated memory at 0x80401000')).toBe(true)
    expect(tr.has('host-peek', 'host: reading donated memory at 0x80401000')).toBe(true)
    expect(tr.has('host-peek', 'host: invoke 5 -> value 28')).toBe(true)
  })

  it('neither the API nor the child reaches past the child’s own map', async () => {
    const { wb, hv, tr } = await openDemo()
    // stop within 100 instructions of the line: the host lends the child a page a few thousand later
    wb.machine.sched.quantum = 100
    runUntil(wb, () => tr.has('host', 'host: created vm 2'))
    wb.machine.sched.quantum = 10_000
    const host = vmNamed(hv, 'host')
    const child = vmNamed(hv, 'host.2')
    // the donated pages are the child's: the parent's map has a hole where header + region 0 were
    expect(host.stage2.lookup(AREA)).toBeUndefined()
    expect(host.stage2.lookup(AREA + PAGE + 0x3ffff)).toBeUndefined()
    expect(host.stage2.lookup(AREA - 1)).toBeDefined()
    expect(host.stage2.lookup(AREA + PAGE + 0x40000)).toBeDefined()
    expect(() => wb.vm('host').mem.read(AREA + PAGE, 4)).toThrow(/nothing the API can reach/)
    // the child sees its regions (and the vPLIC) only: no byte of the parent's RAM. The host's
    // region is one run of pool pages (uncoloured): its host address of a guest address is linear
    const first = host.stage2.lookup(HOST_RAM.base)!
    const hostPa = (gpa: number): number => first.pa + (gpa - first.gpa)
    expect(child.stage2.entries.filter((e) => e.kind === 'ram').map((e) => [e.gpa, e.size, e.pa]))
      .toEqual([[0x90000000, 0x40000, hostPa(AREA + PAGE)], [0x90100000, 0x10000, expect.any(Number)]])
    for (const gpa of [HOST_RAM.base, AREA, AREA + PAGE, 0x10000000]) expect(child.stage2.lookup(gpa)).toBeUndefined()
    const r1 = child.stage2.lookup(0x90100000)!
    expect(r1.pa >= hostPa(HOST_RAM.base + HOST_RAM.size) || r1.pa + r1.size <= hostPa(HOST_RAM.base)).toBe(true)
  })

  it('regions 1.. of a child come zeroed: nothing one child left is seen by the next', async () => {
    const { wb, hv, host } = await openIdle()
    const b = blob()
    const image = new Uint8Array(readFileSync(CHILD_IMAGE))
    const create = (): number => {
      writeGuest(wb, host, AREA, b)
      writeGuest(wb, host, AREA + b.length, image)
      const r = wb.hv.hypercall(host.name, 0, EID, fid(FN.CREATE), AREA)
      expect(r.error).toBe(0n)
      return Number(r.value)
    }
    const a = create()
    wb.vm(a).mem.write(0x90100000, [0xde, 0xad, 0xbe, 0xef])
    const paA = vmNamed(hv, `${host.name}.${a}`).stage2.lookup(0x90100000)!.pa
    expect(wb.hv.hypercall(host.name, 0, EID, fid(FN.DESTROY), a).error).toBe(0n)
    const c = create()
    expect(vmNamed(hv, `${host.name}.${c}`).stage2.lookup(0x90100000)!.pa).toBe(paA) // the same host memory again
    expect(Array.from(wb.vm(c).mem.read(0x90100000, 4))).toEqual([0, 0, 0, 0])
    expect(wb.hv.hypercall(host.name, 0, EID, fid(FN.DESTROY), c).error).toBe(0n)
  })
})

describe('info', () => {
  it('tells a VM about its own children only: another VM\'s invokes and yields are not its business', async () => {
    const d = await openDemo(TWO_IDLE)
    const { wb, hv } = d
    runUntil(wb, () => d.tr.has('a-idle', 'host: idle') && d.tr.has('b-idle', 'host: idle'))
    const a = vmNamed(hv, 'a-idle')
    const child = CHILD_VM
    const id = wb.hv.child.create(a.id, child as never)
    for (let i = 0; i < 2; i++) {
      invokeToYield(wb, a, id)
    }
    // info's a1 is the invoke count (the API gives back a0/a1 and restores the caller's registers)
    expect(wb.hv.hypercall(a.name, 0, EID, fid(FN.INFO))).toEqual({ error: 0n, value: 2n })
    expect(wb.hv.hypercall('b-idle', 0, EID, fid(FN.INFO))).toEqual({ error: 0n, value: 0n })
    expect(wb.hv.child.destroy(a.id, id).error).toBe(0n)
  })
})

// ---- the API while a child runs ----

describe('calls on behalf of a parent whose child is running', () => {
  it('are refused while it waits (destroy does not half-happen), and work once the child has yielded', async () => {
    const { wb, hv, a } = await openTwoIdle()
    const child = CHILD_VM
    const id = wb.hv.child.create(a.id, child as never)
    expect(wb.hv.child.invoke(a.id, id, 3)).toEqual({ error: 0n, value: 0n })
    expect(a.vcpus[0]!.state).toBe('stacked')
    expect(() => wb.hv.child.destroy(a.id, id)).toThrow(/waiting for its child a-idle\.\d+ \(id \d+\) to yield or exit/)
    expect(() => wb.hv.hypercall(a.name, 0, EID, fid(FN.INFO))).toThrow(/waiting for its child/)
    expect(hv.vms.some((v) => v.id === id)).toBe(true)
    runUntil(wb, () => a.vcpus[0]!.state !== 'stacked')
    expect(wb.vm(a.id).regs().x[10]).toBe(BigInt(RET.YIELDED))
    expect(wb.hv.child.destroy(a.id, id).error).toBe(0n)
    expect(hv.vms.some((v) => v.id === id)).toBe(false)
    // and the next create finds everything back in place
    const again = wb.hv.child.create(a.id, child as never)
    expect(wb.hv.child.destroy(a.id, again).error).toBe(0n)
  })
})

// ---- the feature's plugin reloaded or unloaded while children live ----

describe('feat-dynamic-vm reloaded while a child lives', () => {
  it('keeps its children (the reloaded version finds them); unloaded, its calls are gone (Bao\'s "invalid id")', async () => {
    const { wb, hv, a } = await openTwoIdle()
    const child = CHILD_VM
    const id = wb.hv.child.create(a.id, child as never)
    const report = await wb.plugins.reload('feat-dynamic-vm')
    expect(report.plugin.name).toBe('feat-dynamic-vm')
    invokeToYield(wb, a, id)
    expect(wb.hv.hypercall(a.name, 0, EID, fid(FN.INFO))).toEqual({ error: 0n, value: 1n })
    expect(wb.hv.child.destroy(a.id, id).error).toBe(0n)
    wb.plugins.unload('feat-dynamic-vm')
    expect(wb.hv.hypercall(a.name, 0, EID, fid(FN.INFO)).error).toBe(BigInt(HC_E_INVAL_ID))
  })
})

// ---- region 0 over several host pieces ----

describe('a child\'s region 0 taken from parent RAM that is not one host range', () => {
  it('runs, sees the parent\'s pages in order, and every piece goes back to where it was on destroy', async () => {
    const d = await openDemo(SPLIT_HOST)
    const { wb, hv } = d
    runUntil(wb, () => d.tr.has('split-host', 'host: idle'))
    const host = vmNamed(hv, 'split-host')
    const before = host.stage2.entries.map((e) => ({ gpa: e.gpa, size: e.size, pa: e.pa, kind: e.kind }))
    const child = CHILD_VM
    // the blob's header and region 0 straddle the boundary between the parent's two regions,
    // whose host pages are 32 MiB apart
    const at = 0x80600000 - 0x20000
    const id = wb.hv.child.create(host.id, child as never, { at })
    const c = vmNamed(hv, `split-host.${id}`)
    const r0 = c.stage2.entries.filter((e) => e.kind === 'ram' && e.gpa < 0x90040000)
    expect(r0.length).toBe(2)
    expect(r0[0]!.gpa).toBe(0x90000000)
    expect(r0[0]!.gpa + r0[0]!.size).toBe(r0[1]!.gpa)
    expect(r0[0]!.pa + r0[0]!.size).toBe(0x88000000 + 0x400000)
    expect(r0[1]!.pa).toBe(0x8a000000)
    for (let i = 0; i < 2; i++) {
      invokeToYield(wb, host, id)
    }
    expect(wb.hv.child.destroy(host.id, id).error).toBe(0n)
    expect(host.stage2.entries.map((e) => ({ gpa: e.gpa, size: e.size, pa: e.pa, kind: e.kind }))).toEqual(before)
  })
})

// ---- bad blobs ----

describe('bad blobs get an error code and leave the parent untouched', () => {
  let wb: Workbench
  let hv: Hypervisor
  let host: Vm
  let good: Uint8Array

  beforeAll(async () => {
    ;({ wb, hv, host } = await openIdle())
    good = blob()
  })

  /** write `bytes` at `gpa` of the host, create from there; the result and whether anything changed */
  function tryCreate(bytes: Uint8Array, gpa = AREA): { error: bigint; value: bigint } {
    writeGuest(wb, host, gpa, bytes)
    const before = resources(hv, host)
    const ids = hv.vms.length
    const r = wb.hv.hypercall(host.name, 0, EID, fid(FN.CREATE), gpa)
    if (r.error === 0n) {
      expect(wb.hv.hypercall(host.name, 0, EID, fid(FN.DESTROY), r.value).error).toBe(0n)
    } else {
      expect(hv.vms.length).toBe(ids)
    }
    expectSameResources(before, resources(hv, host))
    writeGuest(wb, host, gpa, new Uint8Array(bytes.length)) // clean up for the next case
    return r
  }

  const bad = (bytes: Uint8Array, gpa?: number): void => {
    expect(tryCreate(bytes, gpa)).toEqual({ error: BigInt(HC_E_INVAL_ARGS), value: 0n })
  }

  it('a good blob creates (and destroys) a child', () => {
    const r = tryCreate(good)
    expect(r.error).toBe(0n)
    expect(r.value).toBeGreaterThan(1n)
  })

  it('truncated', () => {
    // cut after struct config: the rest of the header is zeros (no vm_config there)
    const cut = new Uint8Array(good.length)
    cut.set(good.subarray(0, 96))
    bad(cut)
    // config_size beyond the parent's RAM
    const long = good.slice()
    setU64(long, CONFIG.config_size, HOST_RAM.base + HOST_RAM.size - AREA + PAGE)
    bad(long)
    // config_header_size larger than config_size
    const hdr = good.slice()
    setU64(hdr, CONFIG.config_header_size, 2 * PAGE)
    bad(hdr)
    // config_size below the struct
    const tiny = good.slice()
    setU64(tiny, CONFIG.config_size, 16)
    bad(tiny)
  })

  it('pointers outside the blob', () => {
    const vmAt = u64(good, CONFIG.vmlist)
    const a = good.slice()
    setU64(a, CONFIG.vmlist, good.length + 0x1000)
    bad(a)
    const b = good.slice()
    setU64(b, vmAt + VM_CONFIG.platform + PLATFORM_DESC.regions, 0x100000)
    bad(b)
    const c = good.slice()
    setU64(c, vmAt + VM_CONFIG.platform + PLATFORM_DESC.region_num, 1 << 20) // regions[] runs past the header
    bad(c)
  })

  it('overlapping regions', () => {
    bad(blob((vm) => { vm.regions[1]!.base = vm.regions[0]!.base + 0x10000 }))
    // the header's own region 0 overlapped by another
    const b = good.slice()
    const regs = u64(b, u64(b, CONFIG.vmlist) + VM_CONFIG.platform + PLATFORM_DESC.regions)
    setU64(b, regs + 40 + MEM_REGION.base, 0x90000000)
    bad(b)
  })

  it('more vCPUs than the parent has', () => {
    bad(blob((vm) => { vm.cpuNum = 2 }))
  })

  it('a region the parent does not own', () => {
    // header on the parent's last page: region 0 would run past its RAM
    bad(good, HOST_RAM.base + HOST_RAM.size - PAGE)
    // header in RAM, region 0 larger than what is left of it
    bad(blob((vm) => { vm.regions[0]!.size = HOST_RAM.size }))
    // not the parent's memory at all (another VM's, the UART, nothing)
    for (const gpa of [0x90000000, 0x10000000, 0x20000000]) {
      expect(wb.hv.hypercall(host.name, 0, EID, fid(FN.CREATE), gpa)).toEqual({ error: BigInt(HC_E_INVAL_ARGS), value: 0n })
    }
    // unaligned
    expect(wb.hv.hypercall(host.name, 0, EID, fid(FN.CREATE), AREA + 8)).toEqual({ error: BigInt(HC_E_INVAL_ARGS), value: 0n })
  })

  it('a device or interrupt the parent does not own', () => {
    // virtio-mmio slot 0 (the host has only the UART)
    bad(blob((vm) => { vm.devs = [{ pa: 0x10001000, va: 0x10001000, size: 0x1000, interrupts: [], id: 0, shared: false, emulate: undefined }] }))
    // the UART's window but an interrupt the host does not have
    bad(blob((vm) => { vm.devs = [{ pa: 0x10000000, va: 0x10000000, size: 0x1000, interrupts: [11], id: 0, shared: false, emulate: undefined }] }))
    // an interrupt grant alone
    bad(blob((vm) => { vm.devs = [{ pa: 0, va: 0, size: 0, interrupts: [1], id: 0, shared: false, emulate: undefined }] }))
  })

  it('shared memory the parent has no part in', () => {
    // shmem 0 exists (the config declares it) but the host has an IPC on shmem 1 only
    bad(blob((vm) => { vm.ipcs = [{ base: 0x90400000, size: 0x1000, shmemId: 0, interrupts: [] }] }))
    bad(blob((vm) => { vm.ipcs = [{ base: 0x90400000, size: 0x1000, shmemId: 7, interrupts: [] }] }))
    // the host's own shmem 1 may be shared with its child
    const r = tryCreate(blob((vm) => { vm.ipcs = [{ base: 0x90400000, size: 0x1000, shmemId: 1, interrupts: [] }] }))
    expect(r.error).toBe(0n)
  })

  it('a window on the interrupt controller every VM has (its vPLIC)', () => {
    bad(blob((vm) => { vm.regions[1]!.base = 0x0c000000 }))
    bad(blob((vm) => { vm.regions[0]!.base = 0x0c000000 }))
    // a device the parent owns, placed on it
    bad(blob((vm) => { vm.devs = [{ pa: 0x10000000, va: 0x0c100000, size: 0x1000, interrupts: [], id: 0, shared: false, emulate: undefined }] }))
  })

  it('a device the parent owns moves to the child and back', () => {
    const uart = blob((vm) => { vm.devs = [{ pa: 0x10000000, va: 0x10000000, size: 0x1000, interrupts: [10], id: 0, shared: false, emulate: undefined }] })
    writeGuest(wb, host, AREA, uart)
    const before = resources(hv, host)
    const r = wb.hv.hypercall(host.name, 0, EID, fid(FN.CREATE), AREA)
    expect(r.error).toBe(0n)
    const child = vmNamed(hv, `${host.name}.${r.value}`)
    expect(host.stage2.lookup(0x10000000)).toBeUndefined()
    expect(child.stage2.lookup(0x10000000)?.kind).toBe('device')
    expect(hv.irqOwner.get(10)).toBe(child)
    expect(host.irqs.has(10)).toBe(false)
    expect(wb.hv.hypercall(host.name, 0, EID, fid(FN.DESTROY), r.value).error).toBe(0n)
    expectSameResources(before, resources(hv, host))
    expect(hv.irqOwner.get(10)).toBe(host)
    writeGuest(wb, host, AREA, new Uint8Array(uart.length))
  })

  it('a page the parent lent to one child cannot be donated to another', () => {
    writeGuest(wb, host, AREA, good)
    const a = wb.hv.hypercall(host.name, 0, EID, fid(FN.CREATE), AREA)
    expect(a.error).toBe(0n)
    const lent = 0x80700000
    expect(wb.hv.hypercall(host.name, 0, EID, fid(FN.LEND), a.value, lent, 0x90200000)).toEqual({ error: 0n, value: 0n })
    // a second child whose region 0 would cover the lent page
    bad(good, lent - 0x10000)
    bad(good, lent - PAGE) // or whose header would
    bad(good, lent)
    // next to it is fine
    const b = tryCreate(good, lent + PAGE)
    expect(b.error).toBe(0n)
    expect(wb.hv.hypercall(host.name, 0, EID, fid(FN.DESTROY), a.value)).toEqual({ error: 0n, value: 0n })
  })

  it('the parent still runs its guest afterwards', () => {
    expect(host.state).toBe('running')
    expect(hv.vms.map((v) => v.name)).toEqual([host.name])
  })
})

// ---- the API ----

describe('the REPL API', () => {
  it('hv.vms() lists a child with its parent, and the parent with its children, live', async () => {
    const { wb, tr } = await openDemo()
    runUntil(wb, () => tr.has('host', 'host: created vm 2'))
    const vms = wb.hv.vms()
    expect(vms.map((v) => [v.id, v.name, v.parent, v.children, v.pcpus])).toEqual([
      [1, 'host', null, [2], [0]],
      [2, 'host.2', 1, [], [0]],
    ])
    runUntil(wb, () => tr.has('host', 'host: destroy vm 2 -> 0'))
    expect(wb.hv.vms().map((v) => [v.id, v.parent, v.children])).toEqual([[1, null, []]])
  })

  it('create, invoke, yield, exit and destroy on behalf of a VM (hv.hypercall), 1,000 cycles restoring everything', async () => {
    const { wb, hv, tr, host } = await openIdle()
    const pv = host.vcpus[0]!
    const b = blob()
    const image = new Uint8Array(readFileSync(CHILD_IMAGE))
    const before = resources(hv, host)
    let last = 0
    for (let i = 0; i < CYCLES; i++) {
      writeGuest(wb, host, AREA, b)
      const c = wb.hv.hypercall(host.name, 0, EID, fid(FN.CREATE), AREA)
      expect(c.error).toBe(0n)
      expect(Number(c.value)).toBeGreaterThan(last)
      last = Number(c.value)
      expect(wb.hv.hypercall(host.name, 0, EID, fid(FN.DESTROY), last)).toEqual({ error: 0n, value: 0n })
    }
    expectSameResources(before, resources(hv, host))
    // one child, invoked from the API: it runs on the host's pCPU until it yields back
    writeGuest(wb, host, AREA, b)
    writeGuest(wb, host, AREA + b.length, image)
    const id = Number(wb.hv.hypercall(host.name, 0, EID, fid(FN.CREATE), AREA).value)
    const invoke = (arg: number): bigint[] => {
      wb.hv.hypercall(host.name, 0, EID, fid(FN.INVOKE), id, arg)
      expect(hv.stacks[pv.pcpu]!.current?.vm.id).toBe(id)
      runUntil(wb, () => hv.stacks[pv.pcpu]!.current === pv, 10)
      return wb.vm(host.name).regs(0).x.slice(10, 13)
    }
    expect(invoke(9)).toEqual([BigInt(RET.YIELDED), 82n, 1n])
    expect(invoke(10)).toEqual([BigInt(RET.YIELDED), 102n, 2n])
    expect(invoke(0)).toEqual([BigInt(RET.EXITED), 7n, 0n])
    expect(tr.has(`${host.name}.${id}`, 'child: exiting with code 7')).toBe(true)
    expect(wb.hv.hypercall(host.name, 0, EID, fid(FN.DESTROY), id)).toEqual({ error: 0n, value: 0n })
    expect(wb.hv.hypercall(host.name, 0, EID, fid(FN.DESTROY), id).error).toBe(BigInt(HC_E_INVAL_ID))
    expectSameResources(before, resources(hv, host))
  })
})

