/**
 * The LPUART against the i.MX 8QuadMax reference manual's LPUART chapter (32-bit registers,
 * VERID/PARAM/GLOBAL/PINCFG first, BAUD at 0x10).
 */
import { describe, expect, it } from 'vitest'
import { StateError } from '../../../core/state-check.ts'
import { emulatedInVm, onBus } from '../../uart-common/test/harness.ts'
import { Lpuart } from '../lpuart.ts'

const VERID = 0x00
const PARAM = 0x04
const GLOBAL = 0x08
const PINCFG = 0x0c
const BAUD = 0x10
const STAT = 0x14
const CTRL = 0x18
const DATA = 0x1c
const MATCH = 0x20
const MODIR = 0x24
const FIFO = 0x28
const WATER = 0x2c

const TDRE = 1 << 23
const TC = 1 << 22
const RDRF = 1 << 21
const IDLE = 1 << 20
const OR = 1 << 19
const RE = 1 << 18
const TE = 1 << 19
const ILIE = 1 << 20
const RIE = 1 << 21
const TCIE = 1 << 22
const TIE = 1 << 23
const RXEMPT = 1 << 12
const RXFE = 1 << 3
const TXFE = 1 << 7
const RXUFE = 1 << 8
const RXUF = 1 << 16
const TXOF = 1 << 17
const FIFO_RXEMPT = 1 << 22
const FIFO_TXEMPT = 1 << 23

const setup = (params: Record<string, unknown> = {}) => {
  const t = onBus((ctx) => new Lpuart(ctx), params, 0x5a06_0000)
  /** read DATA until RXEMPT, as Linux's lpuart32 driver drains the FIFO */
  const drain = (): string => {
    let got = ''
    for (let d = t.rd(DATA); !(d & RXEMPT); d = t.rd(DATA)) got += String.fromCharCode(d & 0xff)
    return got
  }
  return { ...t, drain }
}

/** set up as a driver does: FIFOs on, transmitter and receiver on */
const ready = (params: Record<string, unknown> = {}) => {
  const t = setup(params)
  t.wr(FIFO, RXFE | TXFE)
  t.wr(CTRL, TE | RE)
  return t
}

describe('lpuart registers', () => {
  it('powers on with the reference manual reset values; PARAM and FIFO give the 64-entry FIFOs', () => {
    const { rd } = setup()
    expect([rd(VERID), rd(PARAM), rd(GLOBAL), rd(PINCFG), rd(BAUD), rd(STAT), rd(CTRL)])
      .toEqual([0x0401_0003, 0x0606, 0, 0, 0x0f00_0004, TDRE | TC, 0])
    // RXFIFOSIZE / TXFIFOSIZE 5 = 64 words, both empty
    expect([rd(MATCH), rd(MODIR), rd(FIFO), rd(WATER)]).toEqual([0, 0, 0x00c0_0055, 0])
  })

  it('derives PARAM and the FIFO size fields from params.fifoDepth', () => {
    const { rd } = setup({ fifoDepth: 4 })
    expect([rd(PARAM), rd(FIFO)]).toEqual([0x0202, 0x00c0_0011])
    expect(() => setup({ fifoDepth: 5 })).toThrow(/fifoDepth must be one of 4, 8, 16, 32, 64, 128/)
  })

  it('keeps BAUD as written (SBR 12:0, OSR 28:24, reserved bit 22 reads 0)', () => {
    const { rd, wr } = setup()
    // 80 MHz / ((OSR 15 + 1) * SBR 43) ≈ 116279 baud
    wr(BAUD, 0x0f00_002b)
    expect(rd(BAUD)).toBe(0x0f00_002b)
    wr(BAUD, 0xffff_ffff)
    expect(rd(BAUD)).toBe(0xffbf_ffff)
  })

  it('ignores writes to VERID and PARAM and keeps MATCH/MODIR/PINCFG bits', () => {
    const { rd, wr } = setup()
    wr(VERID, 0)
    wr(PARAM, 0)
    wr(MATCH, 0xffff_ffff)
    wr(PINCFG, 0xff)
    expect([rd(VERID), rd(PARAM), rd(MATCH), rd(PINCFG)]).toEqual([0x0401_0003, 0x0606, 0x03ff_03ff, 3])
  })

  it('resets every other register on GLOBAL.RST', () => {
    const { rd, wr, port } = ready()
    wr(BAUD, 0x0f00_002b)
    port.send('abc')
    wr(GLOBAL, 2)
    expect([rd(GLOBAL), rd(BAUD), rd(CTRL), rd(FIFO), rd(WATER)]).toEqual([2, 0x0f00_0004, 0, 0x00c0_0055, 0])
  })
})

describe('lpuart data path', () => {
  it('holds written words until CTRL.TE, then sends them; STAT.TDRE/TC follow the transmit FIFO', () => {
    const { rd, wr, text } = setup()
    wr(FIFO, TXFE)
    wr(DATA, 0x4f)
    wr(DATA, 0x4b)
    expect(text()).toBe('')
    expect(rd(STAT) & (TDRE | TC)).toBe(0)
    expect((rd(WATER) >>> 8) & 0x7f).toBe(2) // TXCOUNT
    wr(CTRL, TE)
    expect(text()).toBe('OK')
    expect(rd(STAT) & (TDRE | TC)).toBe(TDRE | TC)
  })

  it('sets TDRE while the transmit count is at most TXWATER', () => {
    const { rd, wr } = setup()
    wr(FIFO, TXFE)
    wr(WATER, 1)
    wr(DATA, 0x31)
    expect(rd(STAT) & (TDRE | TC)).toBe(TDRE)
    wr(DATA, 0x32)
    expect(rd(STAT) & (TDRE | TC)).toBe(0)
  })

  it('reports received words in STAT.RDRF (count > RXWATER), WATER.RXCOUNT and FIFO.RXEMPT as they arrive and drain', () => {
    const { rd, wr, port, drain } = ready()
    wr(WATER, 2 << 16)
    port.send('ab')
    expect(rd(STAT) & RDRF).toBe(0)
    expect(rd(WATER) >>> 24).toBe(2)
    port.send('c')
    expect(rd(STAT) & RDRF).toBe(RDRF)
    expect(rd(FIFO) & FIFO_RXEMPT).toBe(0)
    expect(drain()).toBe('abc')
    expect([rd(STAT) & RDRF, rd(WATER) >>> 24, rd(FIFO) & FIFO_RXEMPT]).toEqual([0, 0, FIFO_RXEMPT])
  })

  it('with FIFO.RXIDEN, RDRF holds for anything below the watermark (the idle line comes at once)', () => {
    const { rd, wr, port } = ready()
    wr(WATER, 7 << 16)
    port.send('a')
    expect(rd(STAT) & RDRF).toBe(0)
    wr(FIFO, RXFE | TXFE | (1 << 10))
    expect(rd(STAT) & RDRF).toBe(RDRF)
  })

  it('reads DATA.RXEMPT from an empty receive buffer and sets FIFO.RXUF (write 1 to clear)', () => {
    const { rd, wr } = ready()
    expect(rd(DATA)).toBe(RXEMPT)
    expect(rd(FIFO) & RXUF).toBe(RXUF)
    wr(FIFO, RXFE | TXFE | RXUF)
    expect(rd(FIFO) & RXUF).toBe(0)
    expect(rd(FIFO) & (RXFE | TXFE)).toBe(RXFE | TXFE)
  })

  it('holds 64 words; more wait for room instead of overrunning (STAT.OR stays clear)', () => {
    const { rd, port, drain } = ready()
    const text = Array.from({ length: 100 }, (_, i) => String.fromCharCode(0x21 + (i % 90))).join('')
    port.send(text)
    expect(rd(WATER) >>> 24).toBe(64)
    expect(rd(STAT) & OR).toBe(0)
    expect(drain()).toBe(text)
  })

  it('without the receive FIFO (RXFE clear) holds one word at a time', () => {
    const { rd, wr, port, drain } = setup()
    wr(CTRL, TE | RE)
    port.send('xyz')
    expect(rd(WATER) >>> 24).toBe(1)
    expect(drain()).toBe('xyz')
  })

  it('keeps input waiting while CTRL.RE is clear', () => {
    const { rd, wr, port, drain } = setup()
    wr(FIFO, RXFE | TXFE)
    port.send('hi')
    expect(rd(STAT) & RDRF).toBe(0)
    wr(CTRL, RE)
    expect(drain()).toBe('hi')
  })

  it('loses a word written to a full transmit FIFO and sets FIFO.TXOF', () => {
    const { rd, wr, text } = setup({ fifoDepth: 4 })
    wr(FIFO, TXFE)
    for (const c of 'abcde') wr(DATA, c.charCodeAt(0))
    expect(rd(FIFO) & TXOF).toBe(TXOF)
    wr(CTRL, TE)
    expect(text()).toBe('abcd')
  })

  it('flushes the FIFOs on FIFO.RXFLUSH / TXFLUSH, which read 0', () => {
    const { rd, wr, port, text } = setup()
    wr(FIFO, RXFE | TXFE)
    wr(CTRL, RE)
    port.send('zz')
    wr(DATA, 0x41)
    wr(FIFO, RXFE | TXFE | (1 << 14) | (1 << 15))
    expect(rd(FIFO) & 0xc000).toBe(0)
    expect(rd(WATER)).toBe(0)
    wr(CTRL, TE | RE)
    expect(text()).toBe('')
  })

  it('loops the transmitter into the receiver with CTRL.LOOPS (nothing leaves, input ignored)', () => {
    const { wr, port, out, drain } = ready()
    wr(CTRL, TE | RE | (1 << 7))
    port.send('x')
    wr(DATA, 0x55)
    expect(out).toEqual([])
    expect(drain()).toBe('U')
  })
})

describe('lpuart interrupts', () => {
  it('raises the line for RDRF with CTRL.RIE and drops it as the FIFO drains', () => {
    const { rd, wr, irq, port } = ready()
    wr(CTRL, TE | RE | RIE)
    expect(irq.level).toBe(false)
    port.send('q')
    expect(irq.level).toBe(true)
    rd(DATA)
    expect(irq.level).toBe(false)
  })

  it('raises the line for TDRE with TIE and for TC with TCIE while the transmit FIFO is empty', () => {
    const { wr, irq } = setup()
    wr(FIFO, TXFE)
    wr(DATA, 0x41) // waits: TE is clear
    wr(CTRL, TIE)
    expect(irq.level).toBe(false)
    wr(CTRL, TIE | TE)
    expect(irq.level).toBe(true)
    wr(CTRL, TE)
    expect(irq.level).toBe(false)
    wr(CTRL, TE | TCIE)
    expect(irq.level).toBe(true)
  })

  it('latches STAT.IDLE as input arrives (ILIE) until written 1', () => {
    const { rd, wr, irq, port } = ready()
    wr(CTRL, TE | RE | ILIE)
    port.send('i')
    expect(rd(STAT) & IDLE).toBe(IDLE)
    expect(irq.level).toBe(true)
    rd(DATA)
    expect(irq.level).toBe(true)
    wr(STAT, IDLE)
    expect(rd(STAT) & IDLE).toBe(0)
    expect(irq.level).toBe(false)
  })

  it('raises the line for FIFO.RXUF with RXUFE', () => {
    const { rd, wr, irq } = ready()
    wr(FIFO, RXFE | TXFE | RXUFE)
    rd(DATA)
    expect(irq.level).toBe(true)
    wr(FIFO, RXFE | TXFE | RXUFE | RXUF)
    expect(irq.level).toBe(false)
  })
})

describe('lpuart state', () => {
  it('round-trips through JSON: FIFOs, backlog, latched flags and line level', () => {
    const a = setup()
    a.wr(FIFO, RXFE | TXFE)
    a.wr(CTRL, RE | ILIE)
    a.wr(BAUD, 0x0f00_002b)
    a.wr(DATA, 0x21)
    a.port.send('0123456789'.repeat(7))
    const state = JSON.parse(JSON.stringify(a.dev.snapshot()))
    const b = setup()
    b.dev.restore(state)
    expect(b.irq.level).toBe(true)
    expect([b.rd(BAUD), b.rd(CTRL), b.rd(STAT) & IDLE]).toEqual([0x0f00_002b, RE | ILIE, IDLE])
    expect(b.drain()).toBe('0123456789'.repeat(7))
    b.wr(CTRL, RE | TE)
    expect(b.text()).toBe('!')
  })

  it('refuses a corrupt state before changing anything', () => {
    const { dev, rd, wr } = ready()
    wr(WATER, 3)
    const good = dev.snapshot()
    const refused = (s: unknown, path: string): void => {
      let err: unknown
      try { dev.restore(s) } catch (e) { err = e }
      expect(err).toBeInstanceOf(StateError)
      expect((err as StateError).path).toBe(path)
    }
    refused({ ...good, tx: new Array(65).fill(1) }, 'tx')
    refused({ ...good, backlog: [-1] }, 'backlog[0]')
    refused({ ...good, regs: { ...good.regs, STAT: TDRE } }, 'regs.STAT')
    refused({ ...good, regs: { ...good.regs, CTRL: 2 ** 32 } }, 'regs.CTRL')
    refused('state', '')
    expect(rd(WATER)).toBe(3)
  })

  it('reset empties the FIFOs and drops the line', () => {
    const { dev, rd, wr, irq, port } = ready()
    wr(CTRL, TE | RE | RIE)
    port.send('q')
    expect(irq.level).toBe(true)
    dev.reset()
    expect(irq.level).toBe(false)
    expect([rd(CTRL), rd(STAT), rd(WATER), rd(FIFO)]).toEqual([0, TDRE | TC, 0, 0x00c0_0055])
  })
})

describe('lpuart as a VM\'s emulated device', () => {
  it('is made by the hypervisor from "emulate": its output is the VM\'s console, typed input reaches it, its interrupt is the VM\'s', async () => {
    const { vm, rd, wr, virqs } = await emulatedInVm('dev-lpuart', 'lpuart')
    wr(FIFO, RXFE | TXFE)
    wr(CTRL, TE | RE | RIE)
    for (const c of 'imx8qm vm') wr(DATA, c.charCodeAt(0))
    expect(vm.console.text()).toBe('imx8qm vm')
    vm.console.send('k')
    expect(virqs.at(-1)).toEqual([33, true])
    expect(rd(DATA)).toBe(0x6b)
    expect(virqs.at(-1)).toEqual([33, false])
  })
})
