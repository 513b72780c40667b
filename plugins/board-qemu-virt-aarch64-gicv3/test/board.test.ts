import { describe, expect, it } from 'vitest'
import { Machine } from '../../../core/machine.ts'
import { PluginHost } from '../../../core/plugins.ts'
import { colourGeometry } from '../../../core/hypervisor/colours.ts'
import type { A64Cpu } from '../../arch-aarch64/cpu.ts'
import { SR } from '../../arch-aarch64/sysreg-defs.ts'
import { boardFdt } from '../../arch-aarch64/bare-boot.ts'
import { findGic, gicCpuInterface } from '../../dev-gic/lookup.ts'

const GICD = 0x800_0000
/** CPU c's redistributor: RD_base, and SGI_base 64 KiB on */
const RD = (c: number) => 0x80a_0000 + 0x2_0000 * c
const SGI = (c: number) => RD(c) + 0x1_0000

async function machine(cpus?: number) {
  const host = new PluginHost()
  const board = await host.loadBoard('qemu-virt-aarch64-gicv3')
  const m = new Machine(board, host.archs.get('aarch64')!, host, cpus === undefined ? {} : { cpus })
  return { host, board, m, bus: m.bus, harts: m.cpus as A64Cpu[], icc: gicCpuInterface(m.bus) }
}

describe('board qemu-virt-aarch64-gicv3', () => {
  it('loads through the plugin host with the arch and the device plugins it needs', async () => {
    const { host, board } = await machine()
    expect([board.arch, board.cpus, board.cpuHz, board.timebaseHz, board.console, board.resetPc])
      .toEqual(['aarch64', 4, 1_000_000_000, 62_500_000, 'uart0', 0x4008_0000])
    expect(board.memory).toEqual([{ base: 0x4000_0000, size: 0x1_0000_0000 }])
    for (const p of ['arch-aarch64', 'dev-pl011', 'dev-gic']) expect(host.has(p)).toBe(true)
    // the GICv3 window runs from the distributor over QEMU virt's redistributor frames, 128 KiB per CPU
    expect(board.devices.map((d) => [d.name, d.type, d.base, d.size])).toEqual([
      ['gic0', 'gicv3', 0x800_0000, 0xa_0000 + 4 * 0x2_0000], ['uart0', 'pl011', 0x900_0000, 0x1000], ['uart1', 'pl011', 0x90c_0000, 0x1000],
    ])
    // the rest is the GICv2 board's machine: RAM, flash, timer wiring, caches, reservations
    const { name: _n, devices: _d, ...rest } = board
    const { name: _n2, devices: _d2, ...v2 } = await host.loadBoard('qemu-virt-aarch64')
    expect(rest).toEqual(v2)
  })

  it('describes its GICv3 in the device tree a bare payload gets: arm,gic-v3 with the distributor and the redistributor region', async () => {
    const { m } = await machine()
    const dtb = Buffer.from(boardFdt(m)).toString('latin1')
    expect(dtb).toContain('arm,gic-v3')
    expect(dtb).not.toContain('cortex-a15-gic')
  })

  it('has a GICv3 with 256 INTIDs as QEMU virt reports it, and a redistributor per CPU at 0x080a0000 + 128 KiB each', async () => {
    const { bus, m } = await machine()
    expect(findGic(bus)?.gicVersion).toBe(3)
    expect(bus.read32(GICD + 4) & 0x1f).toBe(7) // GICD_TYPER.ITLinesNumber
    expect((bus.read32(GICD + 0xffe8) >> 4) & 0xf).toBe(3) // GICD_PIDR2.ArchRev
    for (const h of m.cpus as A64Cpu[]) {
      const c = h.id
      // GICR_TYPER: Processor_Number c, Last on the last CPU's; the affinity MPIDR_EL1 gives the CPU
      expect([(bus.read32(RD(c) + 8) >> 8) & 0xffff, (bus.read32(RD(c) + 8) >> 4) & 1, bus.read32(RD(c) + 0xc)]).toEqual([c, c === 3 ? 1 : 0, c])
      expect(bus.read32(RD(c) + 0xc)).toBe(h.sys[SR.MPIDR_EL1 * 2]! & 0xff_ffff)
    }
  })

  it('has the cortex-a53 colours of the GICv2 board: 8 colours of 2 pages', async () => {
    const board = await new PluginHost().loadBoard('qemu-virt-aarch64-gicv3')
    expect(colourGeometry(board.caches)).toEqual({ colorSize: 2, colorNum: 8, pagesPerPeriod: 16 })
  })

  it("wires the UARTs (SPIs 33, 42, routed by GICD_IROUTER) and each CPU's timers (PPIs 30, 27, in its redistributor) to that CPU's IRQ input", async () => {
    const { bus, harts, icc, m } = await machine(2)
    bus.write32(GICD, 0x12) // GICD_CTLR: ARE, EnableGrp1
    for (const c of [0, 1]) {
      bus.write32(RD(c) + 0x14, 0) // GICR_WAKER: awake
      bus.write32(SGI(c) + 0x80, 0xffff_ffff) // GICR_IGROUPR0: group 1
      icc.writeSysreg(c, 'ICC_PMR_EL1', 0xffn)
      icc.writeSysreg(c, 'ICC_IGRPEN1_EL1', 1n)
    }
    // uart1 → SPI 42, group 1, routed to CPU 1 (affinity 0.0.0.1)
    bus.write32(GICD + 0x84, 1 << (42 - 32)) // GICD_IGROUPR1
    bus.write32(GICD + 0x6000 + 8 * 42, 1) // GICD_IROUTER<42>
    bus.write32(GICD + 0x104, 1 << (42 - 32)) // GICD_ISENABLER1
    bus.write32(0x90c_0038, 1 << 4) // UARTIMSC.RXIM
    m.serial('uart1').send('x')
    expect([harts[0]!.irqIn, harts[1]!.irqIn]).toEqual([false, true])
    expect(icc.readSysreg(1, 'ICC_IAR1_EL1')).toBe(42n)
    expect(bus.read32(0x90c_0000) & 0xff).toBe(0x78) // UARTDR: the byte, which clears RXRIS
    icc.writeSysreg(1, 'ICC_EOIR1_EL1', 42n)
    expect(harts[1]!.irqIn).toBe(false)
    // CPU 0's virtual timer → its PPI 27 only, enabled in CPU 0's redistributor
    bus.write32(SGI(0) + 0x100, (1 << 27) | (1 << 30)) // GICR_ISENABLER0
    harts[0]!.timerOut.virt.set(true)
    expect([harts[0]!.irqIn, harts[1]!.irqIn]).toEqual([true, false])
    expect(icc.readSysreg(0, 'ICC_IAR1_EL1')).toBe(27n)
  })

  it("signals a virtual interrupt from CPU 1's list registers to its 'virq' input, and the maintenance interrupt as its PPI 25", async () => {
    const { bus, harts, icc } = await machine(2)
    // the hypervisor on pCPU 1: LR0 = vINTID 27 pending, group 1, priority 0xa0; the interface on
    icc.writeSysreg(1, 'ICH_LR0_EL2', (1n << 62n) | (1n << 60n) | (0xa0n << 48n) | 27n)
    icc.writeSysreg(1, 'ICH_VMCR_EL2', (0xffn << 24n) | 2n) // VPMR 0xff, VENG1
    icc.writeSysreg(1, 'ICH_HCR_EL2', 1n) // En
    expect([harts[0]!.virqIn, harts[1]!.virqIn]).toEqual([false, true])
    expect(icc.readSysreg(1, 'ICC_IAR1_EL1', { virtual: true })).toBe(27n) // the guest's ICV_IAR1_EL1
    expect(harts[1]!.virqIn).toBe(false)
    // underflow (at most one LR in use) raises pCPU 1's maintenance PPI 25
    bus.write32(GICD, 0x12)
    bus.write32(RD(1) + 0x14, 0)
    bus.write32(SGI(1) + 0x80, 0xffff_ffff)
    bus.write32(SGI(1) + 0x100, 1 << 25)
    icc.writeSysreg(1, 'ICC_PMR_EL1', 0xffn)
    icc.writeSysreg(1, 'ICC_IGRPEN1_EL1', 1n)
    icc.writeSysreg(1, 'ICH_HCR_EL2', 3n) // En | UIE
    expect([harts[0]!.irqIn, harts[1]!.irqIn]).toEqual([false, true])
    expect(icc.readSysreg(1, 'ICC_IAR1_EL1')).toBe(25n)
  })
})
