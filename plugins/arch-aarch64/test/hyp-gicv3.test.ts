/**
 * The hypervisor on a GICv3 (QEMU virt, gic-version=3): each VM sees an emulated GICv3
 * distributor and a redistributor per vCPU (hyp/vgicv3.ts), its ICC_ accesses reach the ICV_
 * registers of the pCPU's virtual interface, whose ICH_LR<n>_EL2 the vGIC fills (hyp/ich-port.ts),
 * and its ICC_SGI1R_EL1 traps to the hypervisor. Guests: test/images/hyp/gicv3.S; config
 * test/configs/gicv3.json (two VMs: a two-vCPU one that takes CNTV ticks, the IPC's SPI and SGIs,
 * and an IPC sender).
 */
import { describe, expect, it, vi } from 'vitest'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bootConfig, type BootedSystem } from '../../../core/boot.ts'
import { Workbench } from '../../../core/api.ts'
import { restoreMachine, snapshotMachine } from '../../../core/session/snapshot.ts'
import { gicCpuInterface } from '../../dev-gic/lookup.ts'
import type { A64Hyp } from '../hyp/a64-hyp.ts'
import { GICH, LR_EOI, LR_HW } from '../hyp/gich.ts'
import { IchPort } from '../hyp/ich-port.ts'
import type { Vm } from '../../../core/hypervisor/vm.ts'

const here = dirname(fileURLToPath(import.meta.url))
const config = join(here, 'configs', 'gicv3.json')
const hex = (n: number | bigint): string => '0x' + n.toString(16).padStart(16, '0')
/** cycles per ms (cpuHz 1 GHz) */
const MS = 1_000_000

function vmNamed(sys: BootedSystem, name: string): Vm {
  const vm = sys.hv.vms.find((v) => v.name === name)
  if (!vm) throw new Error(`no VM ${name}`)
  return vm
}

function runUntil(sys: BootedSystem, done: () => boolean, ms: number): void {
  sys.machine.sched.run({ predicate: done, cycles: ms * MS })
}

describe('aarch64 hypervisor on a GICv3', () => {
  it("gives each VM an emulated GICv3 (distributor, a redistributor per vCPU, an arm,gic-v3 node) and the pCPUs' ICH_ list registers", async () => {
    const sys = await bootConfig(config)
    const hyp = sys.hv.arch as A64Hyp
    expect(hyp.port).toBeInstanceOf(IchPort)
    expect(hyp.soft).toBeNull()
    const vm = vmNamed(sys, 'v3smp')
    const at = (gpa: number) => { const e = vm.stage2.lookup(gpa); return e && [e.name, e.kind] }
    expect([at(0x0800_0000), at(0x080a_0000), at(0x080c_0000 + 0x1_ffff), at(0x080e_0000), at(0x0801_0000 + 0x1_0000)])
      .toEqual([['vgicd', 'emulated'], ['vgicr', 'emulated'], ['vgicr', 'emulated'], undefined, undefined])
    const dtb = Buffer.from(hyp.buildDtb(vm)!).toString('latin1')
    expect(dtb).toContain('arm,gic-v3')
    expect(dtb).not.toContain('cortex-a15-gic')
  })

  it('a CNTV tick (PPI 27, HW-linked), the IPC interrupt (SPI 52 from the other VM) and SGIs between vCPUs (trapped ICC_SGI1R_EL1) arrive through the vGICv3', async () => {
    const sys = await bootConfig(config)
    const hyp = sys.hv.arch as A64Hyp
    const vm = vmNamed(sys, 'v3smp'), sender = vmNamed(sys, 'v3sender')
    const lrs: number[] = []
    const write = hyp.port.write.bind(hyp.port)
    vi.spyOn(hyp.port, 'write').mockImplementation((p, off, value) => {
      if (off >= GICH.LR && off < GICH.LR + 4 * hyp.port.lrs && value !== 0) lrs.push(value)
      write(p, off, value)
    })
    const sgis = vi.spyOn(hyp.vmArch(vm).vgic, 'sendSgi')
    const maintenance = vi.spyOn(hyp.vmArch(vm).vgic, 'maintenance')
    runUntil(sys, () => vm.console.text().includes('done'), 30)
    const out = vm.console.text().split('\n')
    // what the emulated registers report: ICC_SRE_EL1 (SRE, DFB, DIB), GICD_TYPER (ITLinesNumber 7:
    // the board's 256 INTIDs, CPUNumber 1, IDbits 10), GICD_CTLR (EnableGrp1 | ARE | DS), and the
    // two redistributors' GICR_TYPER (vMPIDR affinity, Processor_Number, Last on vCPU 1's)
    expect(out.slice(0, 6)).toEqual(['hello from v3smp', hex(7), hex(0x48_0027), hex(0x52), hex(0), hex(0x1_0000_0110)])
    expect(out.filter((l) => l === `irq ${hex(27)}`)).toHaveLength(3)
    expect(out).toEqual(expect.arrayContaining(['3 ticks', `irq ${hex(52)}`, 'ipc']))
    expect(out.slice(out.indexOf('ipc'))).toEqual(['ipc', `cpu1 irq ${hex(3)}`, `irq ${hex(4)}`, 'done', ''])
    expect(sender.console.text().split('\n')).toEqual(['hello from v3sender', 'notified', hex(0), ''])
    // the tick came as a HW list register linked to physical PPI 27; the IPC and the SGIs as
    // software ones asking for an EOI maintenance interrupt
    const lr = (v: number) => ({ vid: v & 0x3ff, hw: (v & LR_HW) !== 0, pid: (v >>> 10) & 0x3ff, eoi: (v & LR_EOI) !== 0 })
    expect(lrs.map(lr)).toEqual(expect.arrayContaining([
      { vid: 27, hw: true, pid: 27, eoi: false }, expect.objectContaining({ vid: 52, hw: false, eoi: true }),
      expect.objectContaining({ vid: 3, hw: false, eoi: true }), expect.objectContaining({ vid: 4, hw: false, eoi: true }),
    ]))
    // the SGIs: vCPU 0 → {1} SGI 3, vCPU 1 → {0} SGI 4, from the trapped MSRs
    expect(sgis.mock.calls).toEqual([[0, 0b10, 3], [1, 0b01, 4]])
    // the guest's EOIs of those raised the maintenance interrupt (physical PPI 25) on both vCPUs' pCPUs
    expect(new Set(maintenance.mock.calls.map(([k]) => k))).toEqual(new Set([0, 1]))
    // the guest's IGRPEN1/PMR went to its virtual interface (ICH_VMCR_EL2: VENG1, VPMR with its 5
    // implemented bits), the physical ones stay the hypervisor's
    const icc = gicCpuInterface(sys.machine.bus)
    const p = vm.vcpus[0]!.pcpu
    expect([icc.readSysreg(p, 'ICH_VMCR_EL2') >> 24n, icc.readSysreg(p, 'ICH_VMCR_EL2') & 2n]).toEqual([0xf8n, 2n])
    expect([icc.readSysreg(p, 'ICC_CTLR_EL1') & 2n, icc.readSysreg(p, 'ICC_IGRPEN1_EL1')]).toEqual([2n, 1n]) // EOImode, group 1 on
    expect(vm.state).toBe('running')
  })

  it('a session snapshot taken mid-run restores into a fresh machine that goes on exactly as the original', async () => {
    const open = (): Promise<Workbench> => Workbench.open({ config })
    const a = await open()
    const sysA = { machine: a.machine, hv: a.hypervisor! } as BootedSystem
    const vmA = vmNamed(sysA, 'v3smp')
    runUntil(sysA, () => vmA.console.text().includes(`irq ${hex(27)}`), 30)
    const snap = snapshotMachine(a)
    const before = vmA.console.text().length
    runUntil(sysA, () => vmA.console.text().includes('done'), 30)
    const b = await open()
    expect(restoreMachine(b, snap).warnings).toEqual([])
    const sysB = { machine: b.machine, hv: b.hypervisor! } as BootedSystem
    const vmB = vmNamed(sysB, 'v3smp')
    const start = vmB.console.text().length
    runUntil(sysB, () => vmB.console.text().length - start >= vmA.console.text().length - before, 30)
    expect(vmB.console.text().slice(start)).toBe(vmA.console.text().slice(before))
    expect(b.machine.sched.now).toBe(a.machine.sched.now)
  })
})
