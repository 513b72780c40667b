import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../core/bus.ts'
import type { DeviceContext } from '../../../core/device.ts'
import type { IrqLine } from '../../../core/irq.ts'
import { Serial } from '../../../core/machine.ts'
import { Scheduler } from '../../../core/scheduler.ts'
import { StateError } from '../../../core/state-check.ts'
import { Pl011 } from '../pl011.ts'

const BASE = 0x0900_0000
const DR = 0x000
const RSR = 0x004 // UARTRSR on read, UARTECR on write
const FR = 0x018
const ILPR = 0x020
const IBRD = 0x024
const FBRD = 0x028
const LCR_H = 0x02c
const CR = 0x030
const IFLS = 0x034
const IMSC = 0x038
const RIS = 0x03c
const MIS = 0x040
const ICR = 0x044
const DMACR = 0x048

const FR_RXFE = 0x10
const FR_TXFF = 0x20
const FR_RXFF = 0x40
const FR_TXFE = 0x80
const FR_BUSY = 0x08
const FEN = 0x10
const INT_RX = 0x10
const INT_TX = 0x20
const INT_RT = 0x40

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
    name: 'uart0', base: BASE, size: 0x1000, params, irqs: [irq], cpus: 1,
    cpuLine: () => recorder(), sched: new Scheduler(), timebaseHz: 62_500_000, cpuHz: 1_000_000_000,
    serial, machine: { poweroff() {}, reset() {} },
  }
  const uart = new Pl011(ctx)
  bus.addMmio(BASE, 0x1000, 'uart0', uart)
  const port = serial('uart0')
  const out: number[] = []
  port.onOutput((b) => out.push(b))
  const rd = (r: number) => bus.read32(BASE + r)
  const wr = (r: number, v: number) => bus.write32(BASE + r, v)
  /** read UARTDR until UARTFR.RXFE, as a driver drains the FIFO */
  const drain = () => {
    let got = ''
    while (!(rd(FR) & FR_RXFE)) got += String.fromCharCode(rd(DR))
    return got
  }
  return { bus, uart, irq, port, out, rd, wr, drain }
}

describe('pl011 registers', () => {
  it('powers on as QEMU resets it', () => {
    const { rd } = setup()
    expect([rd(FR), rd(CR), rd(IFLS), rd(LCR_H), rd(IMSC), rd(RIS), rd(MIS), rd(RSR)]).toEqual([0x90, 0x300, 0x12, 0, 0, 0, 0, 0])
    expect([rd(ILPR), rd(IBRD), rd(FBRD), rd(DMACR)]).toEqual([0, 0, 0, 0])
  })

  it('reads the baud divisors back at their widths: IBRD 16 bits, FBRD 6 bits', () => {
    const { rd, wr } = setup()
    // 24 MHz UARTCLK, 115200 baud: divisor 13.0208 → IBRD 13, FBRD round(0.0208 * 64) = 1
    wr(IBRD, 13)
    wr(FBRD, 1)
    expect([rd(IBRD), rd(FBRD)]).toEqual([13, 1])
    wr(IBRD, 0x12345)
    wr(FBRD, 0xff)
    wr(ILPR, 0x1ff)
    wr(DMACR, 0xff)
    expect([rd(IBRD), rd(FBRD), rd(ILPR), rd(DMACR)]).toEqual([0x2345, 0x3f, 0xff, 0x7])
  })

  it('reports the PrimeCell identification of QEMU pl011 and ignores writes to it', () => {
    const { rd, wr } = setup()
    const ids = () => Array.from({ length: 8 }, (_, i) => rd(0xfe0 + 4 * i))
    expect(ids()).toEqual([0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1])
    wr(0xfe0, 0x55)
    expect(ids()[0]).toBe(0x11)
  })

  it('ignores writes to UARTFR, UARTRIS and UARTMIS', () => {
    const { rd, wr } = setup()
    wr(FR, 0xffff)
    wr(RIS, 0x7ff)
    wr(MIS, 0x7ff)
    expect([rd(FR), rd(RIS), rd(MIS)]).toEqual([0x90, 0, 0])
  })

  it('sends UARTDR writes at once, so TXFE stays set and TXFF and BUSY clear', () => {
    const { bus, rd, wr, out } = setup()
    for (const c of 'hi') wr(DR, c.charCodeAt(0))
    bus.write8(BASE + DR, 0x21) // earlycon's writeb
    bus.write16(BASE + DR, 0x0a) // the Linux driver's writew
    expect(String.fromCharCode(...out)).toBe('hi!\n')
    expect(rd(FR) & (FR_TXFE | FR_TXFF | FR_BUSY)).toBe(FR_TXFE)
  })

  it('returns 0 from UARTDR when nothing was received, as QEMU before any input', () => {
    const { rd } = setup()
    expect(rd(DR)).toBe(0)
    expect([rd(FR), rd(RSR)]).toEqual([0x90, 0])
  })
})

describe('pl011 receive FIFO', () => {
  it('with FEN clear holds one character: RXFF with it, the next waits until it is read', () => {
    const { uart, rd, port } = setup()
    port.send('ab')
    expect(rd(FR) & (FR_RXFE | FR_RXFF)).toBe(FR_RXFF)
    expect(uart.snapshot().rx).toEqual([0x61])
    expect(rd(DR)).toBe(0x61)
    expect(rd(FR) & (FR_RXFE | FR_RXFF)).toBe(FR_RXFF)
    expect(rd(DR)).toBe(0x62)
    expect(rd(FR) & (FR_RXFE | FR_RXFF)).toBe(FR_RXFE)
  })

  it('with FEN set keeps 16 characters in order, flags RXFF when full and loses none beyond', () => {
    const { bus, uart, rd, wr, port, drain } = setup()
    wr(LCR_H, FEN | 0x60)
    const text = 'abcdefghijklmnopqrstuvwxyz'
    port.send(text.slice(0, 15))
    expect(rd(FR) & (FR_RXFE | FR_RXFF)).toBe(0)
    port.send(text.slice(15))
    expect(rd(FR) & FR_RXFF).toBe(FR_RXFF)
    expect(uart.snapshot().rx.length).toBe(16)
    expect(uart.snapshot().backlog.length).toBe(10)
    expect(bus.read16(BASE + DR)).toBe(0x61) // the Linux driver's readw
    expect('a' + drain()).toBe(text)
  })

  it('empties the FIFO when FEN changes, as QEMU (the characters in it are lost)', () => {
    const { rd, wr, port } = setup()
    wr(LCR_H, FEN)
    port.send('xyz')
    wr(LCR_H, 0)
    expect(rd(FR) & FR_RXFE).toBe(FR_RXFE)
    wr(LCR_H, FEN | 0x60)
    port.send('k')
    wr(LCR_H, FEN) // the word length changes, FEN stays: the FIFO keeps its character
    expect(rd(FR) & FR_RXFE).toBe(0)
  })
})

describe('pl011 interrupts', () => {
  it('raises RXRIS as a character arrives and drops the line when UARTDR is read empty', () => {
    const { rd, wr, irq, port } = setup()
    wr(IMSC, INT_RX)
    port.send('a')
    expect(irq.level).toBe(true)
    expect([rd(RIS), rd(MIS)]).toEqual([INT_RX, INT_RX])
    rd(DR)
    expect(irq.level).toBe(false)
    expect(rd(RIS)).toBe(0)
  })

  it('masks through UARTIMSC: RIS shows what MIS and the line do not', () => {
    const { rd, wr, irq, port } = setup()
    port.send('a')
    expect([rd(RIS), rd(MIS), irq.level]).toEqual([INT_RX, 0, false])
    wr(IMSC, INT_RX | INT_TX)
    expect([rd(MIS), irq.level]).toEqual([INT_RX, true])
    wr(IMSC, INT_TX)
    expect(irq.level).toBe(false)
  })

  it('raises TXRIS with each UARTDR write, not at reset', () => {
    const { rd, wr, irq } = setup()
    wr(IMSC, INT_TX)
    expect([rd(RIS), irq.level]).toEqual([0, false])
    wr(DR, 0x41)
    expect([rd(RIS), rd(MIS), irq.level]).toEqual([INT_TX, INT_TX, true])
  })

  it('clears through UARTICR the bits written as one, and only those', () => {
    const { rd, wr, irq, port } = setup()
    wr(IMSC, 0x7ff)
    wr(DR, 0x41)
    port.send('a')
    expect(rd(RIS)).toBe(INT_RX | INT_TX)
    wr(ICR, 0)
    expect(rd(RIS)).toBe(INT_RX | INT_TX)
    wr(ICR, INT_TX)
    expect([rd(RIS), irq.level]).toEqual([INT_RX, true])
    wr(ICR, INT_RX)
    expect([rd(RIS), irq.level]).toEqual([0, false])
    expect(rd(FR) & FR_RXFE).toBe(0) // clearing the interrupt leaves the data
  })

  it('by default keeps QEMU\'s one-character trigger whatever UARTIFLS says, and no receive timeout', () => {
    const { rd, wr, port } = setup()
    wr(LCR_H, FEN)
    wr(IFLS, 0x04 << 3) // 7/8 full
    expect(rd(IFLS)).toBe(0x20)
    port.send('a')
    expect(rd(RIS)).toBe(INT_RX)
    port.send('bcdefghijklmnopq')
    expect(rd(RIS) & INT_RT).toBe(0)
  })

  it('with rxTrigger "ifls" raises RXRIS at the UARTIFLS level and RTRIS for the data below it', () => {
    const levels = [2, 4, 8, 12, 14] // RXIFLSEL 1/8, 1/4, 1/2, 3/4, 7/8 of 16
    levels.forEach((level, sel) => {
      const { rd, wr, port } = setup({ rxTrigger: 'ifls' })
      wr(LCR_H, FEN)
      wr(IFLS, sel << 3)
      port.send('x'.repeat(level - 1))
      expect(rd(RIS) & (INT_RX | INT_RT)).toBe(INT_RT)
      port.send('x')
      expect(rd(RIS) & (INT_RX | INT_RT)).toBe(INT_RX | INT_RT)
    })
  })

  it('with rxTrigger "ifls" clears RXRIS below the level and RTRIS once the FIFO is empty', () => {
    const { rd, wr, irq, port } = setup({ rxTrigger: 'ifls' })
    wr(LCR_H, FEN)
    wr(IFLS, 0x01 << 3) // 1/4: four characters
    wr(IMSC, INT_RX)
    port.send('abc')
    expect(irq.level).toBe(false) // below the level only the (masked) timeout reports them
    port.send('d')
    expect(irq.level).toBe(true)
    rd(DR)
    expect([rd(RIS), irq.level]).toEqual([INT_RT, false])
    rd(DR); rd(DR); rd(DR)
    expect(rd(RIS)).toBe(0)
  })

  it('with rxTrigger "ifls" and FEN clear raises RXRIS for every character', () => {
    const { rd, port } = setup({ rxTrigger: 'ifls' })
    port.send('a')
    expect(rd(RIS) & INT_RX).toBe(INT_RX)
  })

  it('refuses an rxTrigger it does not know', () => {
    expect(() => setup({ rxTrigger: 'half' })).toThrow(/rxTrigger/)
  })
})

describe('pl011 loopback', () => {
  it('loops UARTDR writes into the receive FIFO, still sends them out, and drops input', () => {
    const { rd, wr, out, port } = setup()
    wr(CR, 0x381) // UARTEN | TXE | RXE | LBE
    wr(DR, 0x5a)
    expect(out).toEqual([0x5a])
    expect(rd(DR)).toBe(0x5a)
    port.send('q')
    expect(rd(FR) & FR_RXFE).toBe(FR_RXFE)
  })

  it('loops a break in as a character with BE; UARTRSR shows it until UARTECR clears it', () => {
    const { rd, wr } = setup()
    wr(CR, 0x381)
    wr(LCR_H, 0x01) // BRK
    expect(rd(DR)).toBe(0x400)
    expect(rd(RSR)).toBe(0x4)
    wr(RSR, 0)
    expect(rd(RSR)).toBe(0)
  })

  it('loops the modem outputs into UARTFR and the modem status interrupts', () => {
    const { rd, wr } = setup()
    wr(CR, 0x381 | 0x2000 | 0x0800) // Out2 → RI, RTS → CTS
    expect(rd(FR)).toBe(0x100 | 0x01 | FR_TXFE | FR_RXFE)
    expect(rd(RIS)).toBe(0x001 | 0x002) // RIMIS, CTSMIS
  })
})

describe('pl011 snapshot', () => {
  it('round-trips through JSON, FIFO, backlog and interrupt state included', () => {
    const a = setup()
    a.wr(LCR_H, FEN | 0x60)
    a.wr(IBRD, 13)
    a.wr(FBRD, 1)
    a.wr(IMSC, INT_RX | INT_TX)
    a.wr(DR, 0x41)
    a.wr(ICR, INT_TX)
    a.port.send('0123456789abcdefXYZ')
    const state = JSON.parse(JSON.stringify(a.uart.snapshot()))
    const b = setup()
    b.uart.restore(state)
    expect(b.irq.level).toBe(true)
    expect([b.rd(LCR_H), b.rd(IBRD), b.rd(FBRD), b.rd(IMSC), b.rd(RIS), b.rd(FR)]).toEqual([0x70, 13, 1, 0x30, INT_RX, FR_TXFE | FR_RXFF])
    expect(b.drain()).toBe('0123456789abcdefXYZ')
  })

  it('refuses a corrupt state, with the path of the field, before changing anything', () => {
    const { uart, wr, port } = setup()
    wr(LCR_H, FEN)
    port.send('ok')
    const before = uart.snapshot()
    const cases: [unknown, string][] = [
      [{ regs: { UARTIBRD: 2 ** 32 } }, 'regs.UARTIBRD'],
      [{ regs: {}, rx: [0x1000] }, 'rx[0]'],
      [{ regs: {}, rx: 'ab' }, 'rx'],
      [{ regs: { UARTLCR_H: 0 }, rx: [1, 2] }, 'rx'],
      [{ regs: {}, rx: Array(17).fill(0) }, 'rx'],
      [{ regs: {}, fifo: [] }, ''],
      ['uart', ''],
    ]
    for (const [state, path] of cases) {
      let err: unknown
      try { uart.restore(state) } catch (e) { err = e }
      expect(err).toBeInstanceOf(StateError)
      expect((err as StateError).path).toBe(path)
    }
    expect(uart.snapshot()).toEqual(before)
  })

  it('reset returns the registers to power-on values and drops the interrupt', () => {
    const { uart, rd, wr, irq, port } = setup()
    wr(IMSC, INT_RX)
    wr(LCR_H, FEN)
    wr(IBRD, 13)
    port.send('a')
    expect(irq.level).toBe(true)
    uart.reset()
    expect(irq.level).toBe(false)
    expect([rd(IMSC), rd(LCR_H), rd(IBRD), rd(RIS), rd(FR), rd(CR)]).toEqual([0, 0, 0, 0, 0x90, 0x300])
  })
})
