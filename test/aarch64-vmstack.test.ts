/**
 * Dynamic VMs on Arm leak nothing (the RISC-V counterpart is test/vmstack.test.ts, "gives
 * everything back"): the VM-stack host of configs/aarch64/dynamic-vm.json creates and destroys
 * its child 1,000 times over HVC. Captured synchronously at its lines before the first cycle and
 * after the last (the guest is at its UART store), at boot and at the end, the parent and the
 * hypervisor are the same: the parent's stage-2 map and the index behind it, the page pools,
 * VMs, interrupt owners, the parent's vGIC (distributor state, list registers, links to physical
 * interrupts), the physical GIC's distributor and the virtual interface of the parent's pCPU, the
 * VM stacks, the pending timed events, console routes, live devices, listeners and routes, the
 * feature's own books. No destroyed child stays reachable (each one is garbage-collected), and
 * the heap does not grow with the cycles.
 */
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/api.ts'
import { HC_E_INVAL_ARGS, HC_E_INVAL_ID } from '../core/hypervisor/hypervisor.ts'
import { bootConfig, type BootedSystem } from '../core/boot.ts'
import type { Stage2Entry } from '../core/hypervisor/stage2.ts'
import type { Vm } from '../core/hypervisor/vm.ts'
import { GICH } from '../plugins/arch-aarch64/hyp/gich.ts'
import type { A64Hyp, VmArch } from '../plugins/arch-aarch64/hyp/a64-hyp.ts'
import type { A64HypState } from '../plugins/arch-aarch64/hyp/session-state.ts'
import type { DynamicVms } from '../plugins/feat-dynamic-vm/dynamic-vm.ts'
import { root, vmNamed } from './hyp-util.ts'

const DYNAMIC = join(root, 'configs', 'aarch64', 'dynamic-vm.json')
/** a host that tries one create, prints and idles (plugins/arch-aarch64/test/images/hyp guest.S VMHOST) */
const IDLE_HOST = join(root, 'plugins', 'arch-aarch64', 'test', 'configs', 'vmstack.json')
/** guests/aarch64-vm/child, here with the host's uart0 and its interrupt (SPI 1, INTID 33) */
const CHILD = {
  name: 'child', type: 'enclave', entry: '0x58000000', cpuNum: 1,
  image: { path: join(root, 'guests', 'images', 'aarch64-vm', 'vmstack-child-0x58000000.bin'), baseAddr: '0x58000000' },
  regions: [{ base: '0x58000000', size: '256K' }, { base: '0x58100000', size: '64K' }],
  devs: [{ pa: '0x09000000', va: '0x09000000', size: '0x1000', interrupts: [33] }],
}
const CYCLES = 1000
const MS = 1_000_000
const GICD = 0x0800_0000
/** qemu-virt-aarch64's GIC: 288 interrupts */
const LINES = 288

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** the private parts a leak would hide in */
interface Leaves { leaves: Map<number, { whole: Stage2Entry | undefined; pages: (Stage2Entry | undefined)[] | undefined; used: number }> }
interface HvInside {
  createdListeners: unknown[]; faultListeners: unknown[]; liveCleanup: Map<Vm, unknown>
  consoles: { routes: { serial: string; owners: Vm[]; input: Vm | undefined }[] } | null
  features: Map<string, DynamicVms>
}

/** Everything of the parent, the hypervisor, the GIC and the machine a child takes and must give back. */
function resources(sys: BootedSystem, host: Vm) {
  const { hv, machine: m } = sys
  const hyp = hv.arch as A64Hyp
  const inside = hv as unknown as HvInside
  const vgic = hyp.vmArch(host).vgic
  const table = (host.stage2 as unknown as { table: Leaves }).table
  const at = (e: Stage2Entry | undefined): number => (e ? host.stage2.entries.indexOf(e) : -1)
  // the physical distributor's configuration: groups, enables, priorities, targets, trigger modes
  // (banked for interrupts 0-31: read as pCPU 0, the host's); read-only registers, no side effects
  const gicd = (off: number, words: number): number[] => Array.from({ length: words }, (_, i) => m.bus.read(GICD + off + 4 * i, 4, 0))
  return {
    s2: host.stage2.entries.map(({ gpa, size, pa, perm, kind, name }) => ({ gpa, size, pa, perm, kind, name })),
    handlers: host.stage2.entries.map((e) => e.handler),
    index: [...table.leaves].sort(([a], [b]) => a - b).map(([i, l]) => ({ i, whole: at(l.whole), used: l.used, pages: l.pages?.map(at) ?? null })),
    phys: hv.phys.ranges(),
    free: hv.phys.freeBytes,
    vms: hv.vms.map((v) => v.id),
    children: host.children.map((c) => c.id),
    irqs: [...host.irqs].sort(),
    owners: [...hv.irqOwner].map(([irq, vm]) => [irq, vm.id]).sort(),
    state: [host.state, host.vcpus.map((v) => v.state)],
    // a vCPU's saved virtual interface means something only while it is off its pCPU
    vgic: { ...vgic.snapshot(), saved: vgic.snapshot().saved.map((x, k) => (hv.onCpu[host.vcpus[k]!.pcpu] === host.vcpus[k] ? 'live' : x)) },
    hw: Array.from((vgic as unknown as { hw: Int16Array }).hw),
    // the Arm glue's per-VM and per-vCPU state: which VMs and vCPUs it has, which are saved off their pCPU
    hyp: (({ vms, vcpus, soft }) => ({ vms: vms.map((v) => v.id), vcpus: vcpus.map((c) => [c.vm, c.vcpu, c.ctx !== null]), soft }))(hyp.snapshot() as A64HypState),
    gich: [GICH.HCR, GICH.VMCR, GICH.APR, ...Array.from({ length: hyp.port.lrs }, (_, i) => GICH.LR + 4 * i)].map((off) => hyp.port.read(0, off)),
    gicdRegs: [m.bus.read(GICD, 4, 0), ...gicd(0x080, LINES / 32), ...gicd(0x100, LINES / 32), ...gicd(0x400, LINES / 4), ...gicd(0x800, LINES / 4), ...gicd(0xc00, LINES / 16)],
    stacks: hv.stacks.map((s) => [s.current ? `${s.current.vm.id}.${s.current.id}` : null, s.stacked.map((v) => `${v.vm.id}.${v.id}`)]),
    onCpu: hv.onCpu.map((v) => (v ? v.vm.id : null)),
    stage2OfHarts: hyp.harts.map((h) => h.stage2),
    events: m.sched.saveState().events.map((e) => e.tag),
    consoles: inside.consoles?.routes.map((r) => [r.serial, r.owners.map((v) => v.id), r.input?.id ?? null]),
    live: m.live.all().length,
    liveCleanup: inside.liveCleanup.size,
    listeners: [inside.createdListeners.length, inside.faultListeners.length],
    routes: hv.plugins.calls.list().length,
    feature: inside.features.get('dynamic-vm')?.snapshot().children ?? [],
  }
}

type Resources = ReturnType<typeof resources>

/** what the parent's guest changes itself as it runs (its vGIC, its timer's events, its saved context): compared across the cycles only */
const GUEST_DRIVEN = ['vgic', 'hyp', 'gich', 'events'] as const

function expectSame(a: Resources, b: Resources, guestDriven = true): void {
  const strip = (r: Resources): Record<string, unknown> => {
    const { handlers: _h, stage2OfHarts: _s, ...rest } = r
    if (!guestDriven) for (const k of GUEST_DRIVEN) delete (rest as Record<string, unknown>)[k]
    return rest
  }
  expect(strip(b)).toEqual(strip(a))
  expect(b.handlers.length).toBe(a.handlers.length)
  b.handlers.forEach((h, i) => expect(h).toBe(a.handlers[i]))
  b.stage2OfHarts.forEach((s, i) => expect(s).toBe(a.stage2OfHarts[i]))
}

describe('configs/aarch64/dynamic-vm.json: 1,000 create/destroy cycles over HVC', () => {
  it('give everything back: the parent, the pools, its vGIC, the GIC, the stacks, the machine are as before; no child stays reachable; the heap stays flat', async () => {
    const sys = await bootConfig(DYNAMIC)
    const host = vmNamed(sys, 'host')
    const at: Record<string, Resources> = {}
    const heap: Record<string, number> = {}
    // every child, to be told when it is garbage-collected (a FinalizationRegistry does not keep
    // its targets alive, as a WeakRef does until the job that made it ends)
    const made: string[] = [], collected = new Set<string>()
    const registry = new FinalizationRegistry<string>((what) => collected.add(what))
    const track = (what: string, o: object): void => { made.push(what); registry.register(o, what) }
    sys.hv.onVmCreated((vm) => track(vm.name, vm))
    // and what the arch and the core made for it, each on its own (a closure could keep one without the VM)
    sys.hv.log.onLine((l) => {
      const m = /^Dynamic VM (\d+) created$/.exec(l.text)
      const vm = m && sys.hv.vms.find((v) => v.id === Number(m[1]))
      if (!vm) return
      const parts: Record<string, object> = { vgic: (vm.arch as VmArch).vgic, stage2: vm.stage2, console: vm.console, vcpu: vm.vcpus[0]!, 'vcpu arch': vm.vcpus[0]!.arch as object }
      for (const [k, o] of Object.entries(parts)) track(`${vm.name} ${k}`, o)
    })
    const boot = resources(sys, host)
    let line = ''
    host.console.onOutput((b) => {
      if (b !== 10) { line += String.fromCharCode(b); return }
      if (/^host: create\/destroy cycles (start|1000 ok)$/.test(line)) {
        at[line] = resources(sys, host)
        gc()
        heap[line] = process.memoryUsage().heapUsed
      }
      line = ''
    })
    const done = (): boolean => host.console.text().includes('host: done\n')
    sys.machine.sched.run({ predicate: done, cycles: 100 * MS })
    expect(done()).toBe(true)
    const before = at['host: create/destroy cycles start']!, after = at[`host: create/destroy cycles ${CYCLES} ok`]!
    expect(before).toBeDefined()
    expect(after).toBeDefined()
    expectSame(before, after)
    // and as at boot, before any child, and at the end
    expectSame(boot, before, false)
    expectSame(boot, resources(sys, host), false)
    expect(sys.hv.vms.map((v) => v.name)).toEqual(['host'])
    expect(host.state).toBe('running')
    // the 1,000 cycled children and the demo's other three (vm 2, vm 3, the faulting one) were all
    // made, and all are gone: each VM, its vGIC, stage-2 map, console, vCPU and the vCPU's arch state
    expect(made.length).toBe(6 * (CYCLES + 3))
    for (let i = 0; i < 10 && collected.size < made.length; i++) {
      gc()
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(made.filter((n) => !collected.has(n))).toEqual([])
    // the heap over the cycles: a child kept costs some 18 KiB (a thousand, some 20 MiB); the
    // hypervisor log's newest 10,000 lines (ten a cycle) are most of what it grows by
    const grew = heap[`host: create/destroy cycles ${CYCLES} ok`]! - heap['host: create/destroy cycles start']!
    expect(grew).toBeLessThan(4 * 1024 * 1024)
    expect(sys.hv.log.lines.length).toBeLessThanOrEqual(10_000)
  })

  it('through the API with a child that takes the host\'s UART and its SPI: 1,000 cycles, every tenth invoked, give the interrupt back to the host\'s vGIC and the GIC\'s routing', async () => {
    const wb = await Workbench.open({ config: IDLE_HOST })
    const sys = { machine: wb.machine, hv: wb.hypervisor! } as BootedSystem
    const host = vmNamed(sys, 'host')
    sys.machine.sched.run({ predicate: () => host.console.text().includes('done\n'), cycles: 20 * MS })
    expect(host.console.text()).toContain('done\n')
    const before = resources(sys, host)
    const hyp = sys.hv.arch as A64Hyp
    let lines = 0
    for (let i = 0; i < CYCLES; i++) {
      const id = wb.hv.child.create(host.id, CHILD as never, { at: 0x50800000 })
      const child = sys.hv.vms.find((v) => v.id === id)!
      // the SPI is the child's now: owner, routing, its vGIC's link; the host's is not served
      expect(sys.hv.irqOwner.get(33)).toBe(child)
      expect(host.irqs.has(33)).toBe(false)
      expect((hyp.vmArch(child).vgic as unknown as { hw: Int16Array }).hw[33]).toBe(33)
      if (i % 10 === 0) {
        // it runs on the host's pCPU and prints on the UART it took
        expect(wb.hv.child.invoke(host.id, id, 3)).toEqual({ error: 0n, value: 0n })
        sys.machine.sched.run({ predicate: () => host.vcpus[0]!.state === 'running', cycles: 10 * MS })
        expect(wb.vm(host.id).regs().x.slice(0, 2)).toEqual([2n, 10n]) // yielded 3 * 3 + 1
        expect(child.console.text()).toBe('child: invoked with arg 3\n')
        lines++
      }
      expect(wb.hv.child.destroy(host.id, id)).toEqual({ error: 0n, value: 0n })
    }
    expect(lines).toBe(CYCLES / 10)
    expectSame(before, resources(sys, host))
    expect(sys.hv.irqOwner.get(33)).toBe(host)
    // what is typed for the host reaches its UART again (UARTFR.RXFE clear)
    expect(sys.machine.bus.read(0x0900_0018, 4) & 0x10).toBe(0x10)
    host.console.send('A')
    sys.machine.sched.run({ cycles: 1 * MS })
    expect(sys.machine.bus.read(0x0900_0018, 4) & 0x10).toBe(0)
    expect(sys.hv.log.lines.filter((l) => l.level === 'ERROR')).toEqual([])
  })
  it('CROSSCON\'s bare HVC numbering (x0 & 0xFFFF, reference §3.2): x0 = 0 creates from the blob in x2, 3 resumes only its own child, 6 deletes it; 0x86000001 stays IPC notify', async () => {
    const wb = await Workbench.open({ config: IDLE_HOST })
    const sys = { machine: wb.machine, hv: wb.hypervisor! } as BootedSystem
    const host = vmNamed(sys, 'host')
    sys.machine.sched.run({ predicate: () => host.console.text().includes('done\n'), cycles: 20 * MS })
    // a blob where a guest would have put it: the API packs one and creates from it; the pages it
    // took are copied as they were (the hypervisor zeroes them on destroy) and written back
    const BLOB = 0x5080_0000, SPAN = 0x5_0000
    const pa = host.stage2.entries.find((e) => e.gpa <= BLOB && BLOB < e.gpa + e.size)!
    const first = wb.hv.child.create(host.id, CHILD as never, { at: BLOB })
    const blob = sys.machine.bus.dump(pa.pa + (BLOB - pa.gpa), SPAN)
    expect(wb.hv.child.destroy(host.id, first)).toEqual({ error: 0n, value: 0n })
    wb.vm(host.id).mem.write(BLOB, blob)
    const before = resources(sys, host)
    // x1 is unused by the bare create: a junk value there changes nothing
    const made = wb.hv.hypercall(host.id, 0, 'hypercall', 0, 0xdeadn, BLOB)
    expect(made.error).toBe(0n)
    const id = Number(made.value)
    expect(id).not.toBe(first)
    expect(sys.hv.vms.find((v) => v.id === id)?.parent).toBe(host)
    // bare 1 is Bao's IPC notify (this host has no IPC: invalid arguments), as 0x86000001 is
    expect(wb.hv.hypercall(host.id, 0, 'hypercall', 0x86000001, 0, 0).error).toBe(BigInt(HC_E_INVAL_ARGS))
    // bare 3 (SDSGX_RESUME) of an id the host does not own is refused; of its child, the child runs
    expect(wb.hv.hypercall(host.id, 0, 'hypercall', 3, 999).error).toBe(BigInt(HC_E_INVAL_ID))
    expect(wb.hv.hypercall(host.id, 0, 'hypercall', 6, id)).toEqual({ error: 0n, value: 0n })
    expect(sys.hv.vms.some((v) => v.id === id)).toBe(false)
    expectSame(before, resources(sys, host))
    // the same create with the blob in x1 (the class-3 form's register) reads x2 = 0: not a blob
    wb.vm(host.id).mem.write(BLOB, blob)
    expect(wb.hv.hypercall(host.id, 0, 'hypercall', 0, BLOB).error).toBe(BigInt(HC_E_INVAL_ARGS))
  })
})
