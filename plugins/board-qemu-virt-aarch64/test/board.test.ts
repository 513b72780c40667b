import { describe, expect, it } from 'vitest'
import { Machine } from '../../../core/machine.ts'
import { PluginHost } from '../../../core/plugins.ts'
import { colourGeometry } from '../../../core/hypervisor/colours.ts'
import type { A64Cpu } from '../../arch-aarch64/cpu.ts'

const GICD = 0x800_0000, GICC = 0x801_0000

describe('board qemu-virt-aarch64', () => {
  it('loads through the plugin host with the arch and the device plugins it needs', async () => {
    const host = new PluginHost()
    const board = await host.loadBoard('qemu-virt-aarch64')
    expect([board.arch, board.cpus, board.cpuHz, board.timebaseHz, board.console, board.resetPc])
      .toEqual(['aarch64', 4, 1_000_000_000, 62_500_000, 'uart0', 0x4008_0000])
    expect(board.memory).toEqual([{ base: 0x4000_0000, size: 0x1_0000_0000 }])
    for (const p of ['arch-aarch64', 'dev-pl011', 'dev-gic']) expect(host.has(p)).toBe(true)
    expect(board.devices.map((d) => [d.name, d.type, d.base, d.size])).toEqual([
      ['gic0', 'gicv2', 0x800_0000, 0x5_0000], ['uart0', 'pl011', 0x900_0000, 0x1000], ['uart1', 'pl011', 0x90c_0000, 0x1000],
    ])
  })

  it("has the GIC's virtualization frames where CROSSCON looks for them: GICH 0x08030000, GICV 0x08040000, maintenance PPI 25", async () => {
    const host = new PluginHost()
    const board = await host.loadBoard('qemu-virt-aarch64')
    const m = new Machine(board, host.archs.get('aarch64')!, host, { cpus: 2 })
    const { bus } = m
    const harts = m.cpus as A64Cpu[]
    const GICH = 0x803_0000, GICV = 0x804_0000
    expect(bus.read(GICH + 4, 4, 1)).toBe(0x9000_0003) // GICH_VTR: four list registers
    // the hypervisor on pCPU 1 puts virtual INTID 27 (priority 0xa0) pending in its LR0 and enables the interface
    bus.write(GICH + 0x100, 4, (1 << 28) | ((0xa0 >> 3) << 23) | 27, 1)
    bus.write(GICH, 4, 1, 1) // GICH_HCR.En
    bus.write(GICV, 4, 1, 1) // the guest's GICV_CTLR.EnableGrp0
    bus.write(GICV + 4, 4, 0xff, 1) // GICV_PMR
    expect([harts[0]!.virqIn, harts[1]!.virqIn]).toEqual([false, true])
    expect(bus.read(GICV + 0x0c, 4, 1)).toBe(27) // GICV_IAR
    expect(harts[1]!.virqIn).toBe(false)
    // an underflow maintenance interrupt reaches pCPU 1's physical interface as PPI 25
    bus.write32(GICD, 1)
    bus.write(GICC, 4, 1, 1)
    bus.write(GICC + 4, 4, 0xff, 1)
    bus.write(GICD + 0x100, 4, 1 << 25, 1) // GICD_ISENABLER0 of CPU 1
    bus.write(GICH, 4, 0b11, 1) // GICH_HCR.En | UIE: at most one LR in use
    expect([harts[0]!.irqIn, harts[1]!.irqIn]).toEqual([false, true])
    expect(bus.read(GICC + 0x0c, 4, 1)).toBe(25)
  })

  it('has the cortex-a53 colours CROSSCON computes for it: 8 colours of 2 pages', async () => {
    const board = await new PluginHost().loadBoard('qemu-virt-aarch64')
    expect(colourGeometry(board.caches)).toEqual({ colorSize: 2, colorNum: 8, pagesPerPeriod: 16 })
  })

  it("wires the UARTs (SPIs 33, 42) and each CPU's timers (PPIs 30, 27) through the GIC to that CPU's IRQ input", async () => {
    const host = new PluginHost()
    const board = await host.loadBoard('qemu-virt-aarch64')
    const m = new Machine(board, host.archs.get('aarch64')!, host, { cpus: 2 })
    const { bus } = m
    const harts = m.cpus as A64Cpu[]
    bus.write32(GICD, 1) // GICD_CTLR.EnableGrp0
    for (const cpu of [0, 1]) bus.write(GICC, 4, 1, cpu) // GICC_CTLR.EnableGrp0, banked per CPU
    for (const cpu of [0, 1]) bus.write(GICC + 4, 4, 0xff, cpu) // GICC_PMR: let everything through
    // uart1 → SPI 42, targeted at CPU 1
    bus.write32(GICD + 0x104, 1 << (42 - 32)) // GICD_ISENABLER1
    bus.write8(GICD + 0x800 + 42, 0b10) // GICD_ITARGETSR: CPU 1
    bus.write32(0x90c_0038, 1 << 4) // UARTIMSC.RXIM
    m.serial('uart1').send('x')
    expect([harts[0]!.irqIn, harts[1]!.irqIn]).toEqual([false, true])
    expect(bus.read(GICC + 0x0c, 4, 1)).toBe(42) // GICC_IAR
    expect(bus.read32(0x90c_0000) & 0xff).toBe(0x78) // UARTDR: the byte, which clears RXRIS
    bus.write(GICC + 0x10, 4, 42, 1) // GICC_EOIR
    expect(harts[1]!.irqIn).toBe(false)
    // CPU 0's virtual timer → its PPI 27 only
    bus.write(GICD + 0x100, 4, (1 << 27) | (1 << 30), 0) // GICD_ISENABLER0 of CPU 0 (banked)
    harts[0]!.timerOut.virt.set(true)
    expect([harts[0]!.irqIn, harts[1]!.irqIn]).toEqual([true, false])
    expect(bus.read(GICC + 0x0c, 4, 0)).toBe(27)
  })
})
