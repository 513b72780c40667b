/**
 * The SiFive UART against the FU540-C000 manual's UART chapter (txdata, rxdata, txctrl, rxctrl,
 * ie, ip, div).
 */
import { describe, expect, it } from 'vitest'
import { StateError } from '../../../core/state-check.ts'
import { emulatedInVm, onBus } from '../../uart-common/test/harness.ts'
import { SifiveUart } from '../sifive-uart.ts'

const TXDATA = 0x00
const RXDATA = 0x04
const TXCTRL = 0x08
const RXCTRL = 0x0c
const IE = 0x10
const IP = 0x14
const DIV = 0x18

const FULL = 0x8000_0000
const EMPTY = 0x8000_0000
const TXWM = 0x1
const RXWM = 0x2
const cnt = (n: number): number => n << 16

const setup = (params: Record<string, unknown> = {}) => {
  const t = onBus((ctx) => new SifiveUart(ctx), params, 0x6400_0000)
  /** read rxdata until `empty`, as OpenSBI's and Linux's drivers do */
  const drain = (): string => {
    let got = ''
    for (let d = t.rd(RXDATA); !(d & EMPTY); d = t.rd(RXDATA)) got += String.fromCharCode(d & 0xff)
    return got
  }
  return { ...t, drain }
}

/** transmitter and receiver on, as a driver sets them */
const ready = () => {
  const t = setup()
  t.wr(TXCTRL, 1)
  t.wr(RXCTRL, 1)
  return t
}

describe('sifive-uart registers', () => {
  it('powers on with the manual reset values: everything off, div from params.divReset', () => {
    const { rd } = setup()
    expect([rd(TXDATA), rd(RXDATA), rd(TXCTRL), rd(RXCTRL), rd(IE), rd(IP), rd(DIV)]).toEqual([0, EMPTY, 0, 0, 0, 0, 0])
    expect(setup({ divReset: 4339 }).rd(DIV)).toBe(4339)
    expect(() => setup({ divReset: 0x10000 })).toThrow(/divReset must be an integer/)
  })

  it('keeps the 16-bit divisor as written', () => {
    const { rd, wr } = setup()
    // 500 MHz / (4339 + 1) ≈ 115207 baud
    wr(DIV, 4339)
    expect(rd(DIV)).toBe(4339)
    wr(DIV, 0x12345)
    expect(rd(DIV)).toBe(0x2345)
  })

  it('keeps txen, nstop, txcnt and rxen, rxcnt; ignores writes to rxdata and ip', () => {
    const { rd, wr } = setup()
    wr(TXCTRL, 0xffff_ffff)
    wr(RXCTRL, 0xffff_ffff)
    wr(RXDATA, 0)
    wr(IP, 0xff)
    expect([rd(TXCTRL), rd(RXCTRL), rd(IE)]).toEqual([0x0007_0003, 0x0007_0001, 0])
  })
})

describe('sifive-uart data path', () => {
  it('holds written characters until txen, 8 of them: txdata.full, and a 9th write is ignored', () => {
    const { rd, wr, text } = setup()
    for (const c of '012345678') wr(TXDATA, c.charCodeAt(0))
    expect(text()).toBe('')
    expect(rd(TXDATA)).toBe(FULL)
    wr(TXCTRL, 1)
    expect(text()).toBe('01234567')
    expect(rd(TXDATA)).toBe(0)
  })

  it('sends at once while txen: txdata never reads full', () => {
    const { rd, wr, text } = ready()
    for (const c of 'rocket\n') {
      expect(rd(TXDATA) & FULL).toBe(0)
      wr(TXDATA, c.charCodeAt(0))
    }
    expect(text()).toBe('rocket\n')
  })

  it('reads received characters with rxdata.empty clear, and empty set (data 0) once drained', () => {
    const { rd, port } = ready()
    port.send('ab')
    expect(rd(RXDATA)).toBe(0x61)
    expect(rd(RXDATA)).toBe(0x62)
    expect(rd(RXDATA)).toBe(EMPTY)
  })

  it('holds 8 characters; more wait for room instead of being lost', () => {
    const { rd, wr, port, drain } = ready()
    wr(RXCTRL, 1 | cnt(7))
    wr(IE, RXWM)
    port.send('0123456789ABCDEF')
    // rxwm: more than rxcnt 7 entries, i.e. all 8
    expect(rd(IP) & RXWM).toBe(RXWM)
    expect(drain()).toBe('0123456789ABCDEF')
  })

  it('keeps input waiting while rxen is clear', () => {
    const { wr, port, drain } = setup()
    port.send('hi')
    expect(drain()).toBe('')
    wr(RXCTRL, 1)
    expect(drain()).toBe('hi')
  })
})

describe('sifive-uart interrupts', () => {
  it('raises ip.txwm while the transmit FIFO holds fewer than txcnt entries, the line with ie.txwm', () => {
    const { rd, wr, irq } = setup()
    expect(rd(IP) & TXWM).toBe(0) // txcnt 0: never fewer
    wr(TXCTRL, cnt(2)) // transmitter off: writes wait
    expect(rd(IP) & TXWM).toBe(TXWM)
    wr(IE, TXWM)
    expect(irq.level).toBe(true)
    wr(TXDATA, 0x31)
    expect(irq.level).toBe(true)
    wr(TXDATA, 0x32)
    expect([rd(IP) & TXWM, irq.level]).toEqual([0, false])
    wr(TXCTRL, 1 | cnt(2))
    expect([rd(IP) & TXWM, irq.level]).toEqual([TXWM, true])
  })

  it('raises ip.rxwm while the receive FIFO holds more than rxcnt entries, the line with ie.rxwm', () => {
    const { rd, wr, irq, port } = ready()
    wr(RXCTRL, 1 | cnt(1))
    wr(IE, RXWM)
    port.send('a')
    expect([rd(IP) & RXWM, irq.level]).toEqual([0, false])
    port.send('b')
    expect([rd(IP) & RXWM, irq.level]).toEqual([RXWM, true])
    rd(RXDATA)
    expect([rd(IP) & RXWM, irq.level]).toEqual([0, false])
  })
})

describe('sifive-uart state', () => {
  it('round-trips through JSON: FIFOs, backlog, watermarks and line level', () => {
    const a = setup()
    a.wr(DIV, 4339)
    a.wr(RXCTRL, 1)
    a.wr(IE, RXWM)
    a.wr(TXDATA, 0x21)
    a.port.send('0123456789ab')
    const state = JSON.parse(JSON.stringify(a.dev.snapshot()))
    const b = setup()
    b.dev.restore(state)
    expect(b.irq.level).toBe(true)
    expect([b.rd(DIV), b.rd(RXCTRL), b.rd(IE)]).toEqual([4339, 1, RXWM])
    expect(b.drain()).toBe('0123456789ab')
    b.wr(TXCTRL, 1)
    expect(b.text()).toBe('!')
  })

  it('refuses a corrupt state before changing anything', () => {
    const { dev, rd, wr } = setup()
    wr(DIV, 77)
    const good = dev.snapshot()
    const refused = (s: unknown, path: string): void => {
      let err: unknown
      try { dev.restore(s) } catch (e) { err = e }
      expect(err).toBeInstanceOf(StateError)
      expect((err as StateError).path).toBe(path)
    }
    refused({ ...good, rx: new Array(9).fill(0) }, 'rx')
    refused({ ...good, tx: ['a'] }, 'tx[0]')
    refused({ ...good, regs: { ...good.regs, div: 0x10000 } }, 'regs.div')
    refused({ ...good, regs: [] }, 'regs')
    expect(rd(DIV)).toBe(77)
  })

  it('reset turns everything off, empties the FIFOs and drops the line', () => {
    const { dev, rd, wr, irq, port } = ready()
    wr(IE, RXWM)
    port.send('q')
    expect(irq.level).toBe(true)
    dev.reset()
    expect(irq.level).toBe(false)
    expect([rd(TXCTRL), rd(RXCTRL), rd(IE), rd(IP), rd(RXDATA)]).toEqual([0, 0, 0, 0, EMPTY])
  })
})

describe('sifive-uart as a VM\'s emulated device', () => {
  it('is made by the hypervisor from "emulate": its output is the VM\'s console, typed input reaches it, its interrupt is the VM\'s', async () => {
    const { vm, rd, wr, virqs } = await emulatedInVm('dev-sifive-uart', 'sifive-uart')
    wr(TXCTRL, 1)
    wr(RXCTRL, 1)
    for (const c of 'rocket vm') wr(TXDATA, c.charCodeAt(0))
    expect(vm.console.text()).toBe('rocket vm')
    wr(IE, RXWM)
    vm.console.send('k')
    expect(virqs.at(-1)).toEqual([33, true])
    expect(rd(RXDATA)).toBe(0x6b)
    expect(virqs.at(-1)).toEqual([33, false])
  })
})
