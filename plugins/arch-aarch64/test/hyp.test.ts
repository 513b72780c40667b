/**
 * The hypervisor on Armv8 (plugins/arch-aarch64/hyp): small AArch64 guests (test/images/hyp,
 * guest.S) booted from JSON configs (test/configs) through core/boot.ts, in-process, on virtual
 * time. Each test names what it proves.
 */
import { describe, expect, it } from 'vitest'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bootConfig, type BootedSystem } from '../../../core/boot.ts'
import type { Vm } from '../../../core/hypervisor/vm.ts'
import { readFileSync } from 'node:fs'
import { Workbench } from '../../../core/api.ts'
import { PluginHost } from '../../../core/plugins.ts'
import { loadConfig } from '../../../core/hypervisor/config.ts'
import { packConfig } from '../../../core/hypervisor/blob.ts'
import { restoreMachine, snapshotMachine } from '../../../core/session/snapshot.ts'
import type { A64Hyp } from '../hyp/a64-hyp.ts'
import { configBlob } from '../config-blob.ts'

const here = dirname(fileURLToPath(import.meta.url))
const cfg = (name: string): string => join(here, 'configs', name)
/** cycles per ms (qemu-virt-aarch64: cpuHz 1 GHz) */
const MS = 1_000_000

export function vmNamed(sys: BootedSystem, name: string): Vm {
  const vm = sys.hv.vms.find((v) => v.name === name)
  if (!vm) throw new Error(`no VM ${name}`)
  return vm
}

export function runUntil(sys: BootedSystem, done: () => boolean, ms = 50): void {
  sys.machine.sched.run({ predicate: done, cycles: ms * MS })
}

const lines = (vm: Vm): string[] => vm.console.text().split('\n')

describe('aarch64 hypervisor', () => {
  it('a guest prints through a passed-through PL011 and another through its own emulated one', async () => {
    const sys = await bootConfig(cfg('hello.json'))
    const pt = vmNamed(sys, 'passthrough'), emu = vmNamed(sys, 'emulated')
    runUntil(sys, () => lines(pt).includes('hello from passthrough') && lines(emu).includes('hello from emulated'))
    expect(lines(pt)).toContain('hello from passthrough')
    expect(lines(emu)).toContain('hello from emulated')
    expect(pt.state).toBe('running')
    expect(emu.exits).toBeGreaterThan(0) // its UART accesses are VM exits served in place
    expect((sys.hv.arch as A64Hyp).soft).toBeNull() // the GIC's own GICH/GICV frames serve the vGIC
  })
})

describe('aarch64 hypervisor on a GIC without the virtualization extensions', () => {
  /** the same config on a board whose GICv2 has no GICH/GICV: the hypervisor's model stands in */
  const onNoGich = (name: string): Promise<BootedSystem> => {
    const data = { ...JSON.parse(readFileSync(cfg(name), 'utf8')), board: './virt-no-gich.ts' }
    return bootConfig(cfg(name), new PluginHost(), { data })
  }

  it('CNTV ticks and an IPC interrupt reach their guests through the modelled virtual interface', async () => {
    const a = await onNoGich('isolation.json')
    expect((a.hv.arch as A64Hyp).soft).not.toBeNull()
    const timer = vmNamed(a, 'timer')
    runUntil(a, () => lines(timer).includes('done'), 20)
    expect(timer.console.text()).toContain('irq 0x000000000000001b')
    expect(lines(timer)).toContain('done')
    const b = await onNoGich('ipc.json')
    const receiver = vmNamed(b, 'receiver')
    runUntil(b, () => lines(receiver).includes('done'), 20)
    expect(receiver.console.text()).toContain('irq 0x0000000000000034')
  })
})

describe('aarch64 hypervisor: isolation and interrupts', () => {
  it('a guest touching outside its regions is stopped with address, pc and cause; the other runs on and takes CNTV ticks through the vGIC (PPI 27)', async () => {
    const sys = await bootConfig(cfg('isolation.json'))
    const faulty = vmNamed(sys, 'faulty'), timer = vmNamed(sys, 'timer')
    runUntil(sys, () => faulty.state !== 'running' && lines(timer).includes('done'), 20)
    expect(faulty.state).toBe('faulted')
    expect(faulty.fault).toMatchObject({ addr: 0x7f000000n, cause: 'illegal load' })
    expect(faulty.fault!.pc >= 0x50000000n && faulty.fault!.pc < 0x50001000n).toBe(true)
    expect(lines(faulty)).toContain('hello from faulty')
    expect(lines(faulty)).not.toContain('survived the fault')
    expect(timer.state).toBe('running')
    expect(lines(timer).filter((l) => l === 'irq ').length + lines(timer).filter((l) => l.startsWith('irq 0x')).length).toBeGreaterThan(0)
    expect(lines(timer)).toEqual(expect.arrayContaining(['hello from timer', 'done']))
    expect(timer.console.text()).toContain('irq 0x000000000000001b')
  })

  it('HVC IPC notify raises the peer\'s IPC interrupt through its vGIC', async () => {
    const sys = await bootConfig(cfg('ipc.json'))
    const sender = vmNamed(sys, 'sender'), receiver = vmNamed(sys, 'receiver')
    runUntil(sys, () => lines(receiver).includes('done'), 20)
    expect(lines(sender)).toEqual(expect.arrayContaining(['notified', '0x0000000000000000']))
    expect(receiver.console.text()).toContain('irq 0x0000000000000034')
    expect(lines(receiver)).toContain('done')
  })

  it('PSCI CPU_ON over SMC starts the VM\'s second vCPU at the entry with the context id in x0', async () => {
    const sys = await bootConfig(cfg('smp.json'))
    const vm = vmNamed(sys, 'smp')
    runUntil(sys, () => lines(vm).includes('done'), 20)
    expect(lines(vm)).toEqual(expect.arrayContaining(['cpu_on', 'cpu1 up', '0x0000000000001234', 'done']))
    expect(vm.vcpus[1]!.state).toBe('running')
  })
})

describe('aarch64 hypervisor: VM stack and sessions', () => {
  it('VM-stack create, invoke (the child exits with 42) and destroy over HVC', async () => {
    const plugins = new PluginHost()
    const sys = await bootConfig(cfg('vmstack.json'), plugins)
    const host = vmNamed(sys, 'host')
    // the child's config blob (CROSSCON's layout, no images) at the host's AREA, its image right after the header (reference §2.5)
    const { config } = await loadConfig(cfg('vmstack-child.json'), plugins)
    const blob = packConfig(config, { arch: configBlob, images: false })
    const header = Number(new DataView(blob.buffer, blob.byteOffset).getBigUint64(40, true))
    const AREA = 0x50400000
    const put = (gpa: number, data: Uint8Array): void => sys.machine.bus.load(host.gpaToPa(gpa), data)
    put(AREA, blob)
    put(AREA + header, new Uint8Array(readFileSync(config.vms[0]!.image!.path)))
    runUntil(sys, () => lines(host).includes('done'), 20)
    const out = lines(host)
    const i = out.indexOf('hello from host')
    // create → 0, id; invoke → 0 (exited), 42; destroy → 0
    expect(out.slice(i + 1, i + 7)).toEqual(['0x0000000000000000', '0x0000000000000002', '0x0000000000000000', '0x000000000000002a', '0x0000000000000000', 'done'])
    expect(sys.hv.vms.map((v) => v.name)).toEqual(['host'])
  })

  it('a session snapshot taken mid-run restores into a fresh machine that goes on exactly as the original', async () => {
    const open = (): Promise<Workbench> => Workbench.open({ config: cfg('isolation.json') })
    const a = await open()
    const sysA = { machine: a.machine, hv: a.hypervisor! } as BootedSystem
    const timerA = vmNamed(sysA, 'timer')
    runUntil(sysA, () => timerA.console.text().includes('irq 0x'), 20)
    const snap = snapshotMachine(a)
    const before = timerA.console.text().length
    runUntil(sysA, () => lines(timerA).includes('done'), 20)
    const b = await open()
    const report = restoreMachine(b, snap)
    expect(report.warnings).toEqual([])
    const sysB = { machine: b.machine, hv: b.hypervisor! } as BootedSystem
    const timerB = vmNamed(sysB, 'timer')
    expect(vmNamed(sysB, 'faulty').state).toBe('faulted')
    const start = timerB.console.text().length
    runUntil(sysB, () => timerB.console.text().length - start >= timerA.console.text().length - before, 20)
    expect(timerB.console.text().slice(start)).toBe(timerA.console.text().slice(before))
    expect(b.machine.sched.now).toBe(a.machine.sched.now)
  })
})
