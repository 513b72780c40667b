import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../core/bus.ts'
import type { DeviceContext } from '../../../core/device.ts'
import type { IrqLine } from '../../../core/irq.ts'
import { Serial } from '../../../core/machine.ts'
import { Scheduler } from '../../../core/scheduler.ts'
import { Ns16550 } from '../ns16550.ts'

const BASE = 0x1000_0000
const [RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR] = [0, 1, 2, 3, 4, 5, 6, 7]
const FCR = IIR

function recorder(): IrqLine & { levels: boolean[]; level: boolean } {
  const r = { levels: [] as boolean[], level: false, set(l: boolean) { r.levels.push(l); r.level = l } }
  return r
}

function setup(params: Record<string, unknown> = {}) {
  const bus = new MemoryBus(0)
  const irq = recorder()
  const serials = new Map<string, Serial>()
  const serial = (n: string) => serials.get(n) ?? serials.set(n, new Serial(n)).get(n)!
  const ctx: DeviceContext = {
    name: 'uart0', base: BASE, size: 0x100, params, irqs: [irq], cpus: 1,
    cpuLine: () => recorder(), sched: new Scheduler(), timebaseHz: 10_000_000, cpuHz: 1_000_000_000,
    serial, machine: { poweroff() {}, reset() {} },
  }
  const uart = new Ns16550(ctx)
  bus.addMmio(BASE, 0x100, 'uart0', uart)
  const port = serial('uart0')
  const out: number[] = []
  port.onOutput((b) => out.push(b))
  const stride = 1 << ((params.regShift as number | undefined) ?? 0)
  const rd = (r: number) => bus.read8(BASE + r * stride)
  const wr = (r: number, v: number) => bus.write8(BASE + r * stride, v)
  return { bus, uart, irq, port, out, rd, wr }
}

describe('ns16550 registers', () => {
  it('powers on as QEMU resets it', () => {
    const { rd } = setup()
    expect([rd(IER), rd(IIR), rd(LCR), rd(MCR), rd(LSR), rd(MSR), rd(SCR)]).toEqual([0, 0x01, 0, 0x08, 0x60, 0xb0, 0])
  })

  it('banks DLL/DLM behind LCR.DLAB', () => {
    const { rd, wr } = setup()
    wr(LCR, 0x80)
    expect(rd(RBR)).toBe(0x0c) // QEMU's reset divisor
    wr(RBR, 0x01)
    wr(IER, 0x02)
    expect([rd(RBR), rd(IER)]).toEqual([0x01, 0x02])
    wr(LCR, 0x03)
    expect(rd(IER)).toBe(0) // the real IER was not touched
    wr(LCR, 0x83)
    expect([rd(RBR), rd(IER), rd(LCR)]).toEqual([0x01, 0x02, 0x83])
  })

  it('keeps SCR as scratch and ignores LSR writes', () => {
    const { rd, wr } = setup()
    wr(SCR, 0xa5)
    wr(LSR, 0)
    expect([rd(SCR), rd(LSR)]).toEqual([0xa5, 0x60])
  })

  it('emits THR bytes at once, so THRE and TEMT stay set', () => {
    const { rd, wr, out } = setup()
    for (const c of 'hi\n') wr(RBR, c.charCodeAt(0))
    expect(String.fromCharCode(...out)).toBe('hi\n')
    expect(rd(LSR) & 0x60).toBe(0x60)
  })

  it('receives into RBR and clears DR when drained', () => {
    const { rd, port } = setup()
    port.send('ab')
    expect(rd(LSR) & 1).toBe(1)
    expect([rd(RBR), rd(RBR)]).toEqual([0x61, 0x62])
    expect(rd(LSR) & 1).toBe(0)
  })

  it('loses no input beyond the 16-byte FIFO: it waits and moves in as RBR is read', () => {
    const { rd, wr, port } = setup()
    wr(FCR, 0x01)
    const text = 'abcdefghijklmnopqrstuvwxyz'
    port.send(text)
    let got = ''
    while (rd(LSR) & 1) got += String.fromCharCode(rd(RBR))
    expect(got).toBe(text)
  })

  it('clears the RX FIFO on FCR.RFR', () => {
    const { uart, rd, wr, port } = setup()
    wr(FCR, 0x01)
    port.send('xyz')
    wr(FCR, 0x03)
    expect(rd(LSR) & 1).toBe(0)
    expect(uart.snapshot().regs.FCR).toBe(0x01) // the command bit is self-clearing
  })

  it('honours regShift: registers 4 bytes apart, 32-bit accesses', () => {
    const { bus, rd, wr, out } = setup({ regShift: 2 })
    wr(SCR, 0x5a)
    expect(rd(SCR)).toBe(0x5a)
    expect(bus.read32(BASE + 4 * LSR)).toBe(0x60)
    bus.write32(BASE, 0x41)
    expect(out).toEqual([0x41])
  })
})

describe('ns16550 interrupts', () => {
  it('raises received-data-available and identifies it in IIR', () => {
    const { rd, wr, irq, port } = setup()
    wr(IER, 0x01)
    expect(irq.level).toBe(false)
    port.send('q')
    expect(irq.level).toBe(true)
    expect(rd(IIR)).toBe(0x04)
    rd(RBR)
    expect(irq.level).toBe(false)
    expect(rd(IIR)).toBe(0x01)
  })

  it('with FIFOs on, reports RDA at the trigger level and a character timeout below it', () => {
    const { rd, wr, port } = setup()
    wr(IER, 0x01)
    wr(FCR, 0x41) // FIFO on, trigger level 4
    port.send('ab')
    expect(rd(IIR)).toBe(0xcc)
    port.send('cd')
    expect(rd(IIR)).toBe(0xc4)
  })

  it('raises THR-empty when enabled, clears it by reading IIR, owes it again after a THR write', () => {
    const { rd, wr, irq } = setup()
    wr(IER, 0x02)
    expect(irq.level).toBe(true)
    expect(rd(IIR)).toBe(0x02)
    expect(irq.level).toBe(false)
    expect(rd(IIR)).toBe(0x01)
    wr(RBR, 0x41)
    expect(irq.level).toBe(true)
    wr(IER, 0)
    expect(irq.level).toBe(false)
  })

  it('gives received data priority over THR empty', () => {
    const { rd, wr, port } = setup()
    wr(IER, 0x03)
    port.send('z')
    expect(rd(IIR)).toBe(0x04)
    rd(RBR)
    expect(rd(IIR)).toBe(0x02)
  })
})

describe('ns16550 loopback', () => {
  it('loops THR to RBR and MCR to MSR', () => {
    const { rd, wr, out } = setup()
    wr(MCR, 0x10 | 0x0f)
    wr(RBR, 0x55)
    expect(out).toEqual([])
    expect(rd(RBR)).toBe(0x55)
    expect(rd(MSR)).toBe(0xf0)
    wr(MCR, 0x10 | 0x02)
    expect(rd(MSR)).toBe(0x10)
  })
})

describe('ns16550 snapshot', () => {
  it('round-trips through JSON, FIFO, backlog and interrupt state included', () => {
    const a = setup()
    a.wr(FCR, 0x01)
    a.wr(LCR, 0x03)
    a.wr(SCR, 0x77)
    a.wr(IER, 0x03)
    a.port.send('0123456789abcdefXYZ')
    a.rd(IIR)
    const state = JSON.parse(JSON.stringify(a.uart.snapshot()))
    const b = setup()
    b.uart.restore(state)
    expect(b.irq.level).toBe(true)
    expect([b.rd(LCR), b.rd(SCR), b.rd(IER), b.rd(IIR)]).toEqual([0x03, 0x77, 0x03, 0xc4])
    let got = ''
    while (b.rd(LSR) & 1) got += String.fromCharCode(b.rd(RBR))
    expect(got).toBe('0123456789abcdefXYZ')
  })

  it('reset returns registers to power-on values and drops the interrupt', () => {
    const { uart, rd, wr, irq } = setup()
    wr(IER, 0x02)
    wr(LCR, 0x83)
    uart.reset()
    expect(irq.level).toBe(false)
    expect([rd(LCR), rd(IER), rd(IIR)]).toEqual([0, 0, 0x01])
  })
})

describe('ns16550 register layout params (Linux reg-shift / reg-io-width)', () => {
  it('with regShift 2 and regIoWidth 4 (TX2 UARTA, RK3399, CVA6) decodes 32-bit accesses at i << 2 only', () => {
    const { bus, out } = setup({ regShift: 2, regIoWidth: 4 })
    bus.write32(BASE + 4 * SCR, 0x5a)
    expect(bus.read32(BASE + 4 * SCR)).toBe(0x5a)
    expect(bus.read32(BASE + 4 * LSR)).toBe(0x60)
    // other sizes are not decoded: reads give 0, writes do nothing
    expect(bus.read8(BASE + 4 * LSR)).toBe(0)
    bus.write8(BASE + 4 * SCR, 0x11)
    expect(bus.read32(BASE + 4 * SCR)).toBe(0x5a)
    bus.write8(BASE, 0x41)
    bus.write32(BASE, 0x42)
    expect(out).toEqual([0x42])
  })

  it('with regIoWidth 1 decodes byte accesses only', () => {
    const { bus } = setup({ regIoWidth: 1 })
    bus.write8(BASE + SCR, 0x77)
    expect(bus.read8(BASE + SCR)).toBe(0x77)
    expect(bus.read32(BASE + 4)).toBe(0)
  })

  it('refuses a regShift or regIoWidth it cannot lay out', () => {
    expect(() => setup({ regShift: 5 })).toThrow(/params.regShift must be one of 0, 1, 2, 3/)
    expect(() => setup({ regIoWidth: 3 })).toThrow(/params.regIoWidth must be one of 1, 2, 4/)
  })
})
