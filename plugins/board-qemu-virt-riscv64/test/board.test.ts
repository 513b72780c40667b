import { describe, expect, it } from 'vitest'
import type { ArchDesc, Cpu } from '../../../core/arch.ts'
import type { IrqLine } from '../../../core/irq.ts'
import { Machine } from '../../../core/machine.ts'
import { PluginHost } from '../../../core/plugins.ts'

/** A hart that never runs and records its interrupt inputs: enough to check the board's wiring. */
function stubArch(): { arch: ArchDesc; levels: Map<string, boolean> } {
  const levels = new Map<string, boolean>()
  const arch: ArchDesc = {
    name: 'riscv64',
    elfMachine: 243,
    createCpu(_host, id) {
      const hart: Partial<Cpu> = {
        id, idle: true, halted: false, elapsed: 0,
        run: () => 0, breakOut() {}, halt() {},
        irq: (line): IrqLine => ({ set: (l) => { levels.set(`${id}:${line}`, l) } }),
      }
      return hart as Cpu
    },
  }
  return { arch, levels }
}

describe('board qemu-virt-riscv64', () => {
  it('loads through the plugin host with the four device plugins it needs', async () => {
    const host = new PluginHost()
    const board = await host.loadBoard('qemu-virt-riscv64')
    expect(board.name).toBe('qemu-virt-riscv64')
    expect([board.arch, board.cpus, board.cpuHz, board.timebaseHz, board.console, board.resetPc])
      .toEqual(['riscv64', 2, 1_000_000_000, 10_000_000, 'uart0', 0x8000_0000])
    expect(board.memory).toEqual([{ base: 0x8000_0000, size: 0x8000_0000 }])
    for (const t of ['ns16550', 'plic', 'aclint', 'sifive-test']) expect(host.devices.has(t)).toBe(true)
    for (const p of ['dev-ns16550', 'dev-plic', 'dev-aclint', 'dev-sifive-test']) expect(host.has(p)).toBe(true)
    expect(board.devices.map((d) => [d.name, d.base])).toEqual([
      ['test0', 0x10_0000], ['clint0', 0x200_0000], ['plic0', 0xc00_0000], ['uart0', 0x1000_0000], ['uart1', 0x1000_1000],
    ])
  })

  it('builds a machine whose UART interrupts reach the harts through the PLIC', async () => {
    const host = new PluginHost()
    const board = await host.loadBoard('qemu-virt-riscv64')
    const { arch, levels } = stubArch()
    const m = new Machine(board, arch, host, { cpus: 3 })
    const { bus } = m
    // uart1 → PLIC source 12 → context 5 (hart 2, S-mode)
    bus.write32(0xc00_0000 + 4 * 12, 1)
    bus.write32(0xc00_2000 + 0x80 * 5, 1 << 12)
    bus.write8(0x1000_1001, 0x01) // IER: received data available
    m.serial('uart1').send('x')
    expect(levels.get('2:seip')).toBe(true)
    expect(bus.read32(0xc20_0004 + 0x1000 * 5)).toBe(12)
    expect(bus.read8(0x1000_1000)).toBe(0x78)
    bus.write32(0xc20_0004 + 0x1000 * 5, 12)
    expect(levels.get('2:seip')).toBe(false)
    // the CLINT reaches every hart, the test device powers the machine off
    bus.write32(0x200_0000 + 4 * 2, 1)
    expect(levels.get('2:msip')).toBe(true)
    bus.write32(0x10_0000, (3 << 16) | 0x3333)
    expect(m.power).toEqual({ off: true, code: 3 })
  })
})
