/**
 * The BCM2711 mini UART against the BCM2711 ARM Peripherals manual, chapter 2 (AUX block at the
 * board's base, mini UART registers from 0x40, 4 bytes apart).
 */
import { describe, expect, it } from 'vitest'
import { StateError } from '../../../core/state-check.ts'
import { emulatedInVm, onBus } from '../../uart-common/test/harness.ts'
import { Bcm2835AuxUart } from '../bcm2835-aux-uart.ts'

const AUX_IRQ = 0x00
const AUX_ENABLES = 0x04
const IO = 0x40
const IER = 0x44
const IIR = 0x48
const LCR = 0x4c
const MCR = 0x50
const LSR = 0x54
const MSR = 0x58
const SCRATCH = 0x5c
const CNTL = 0x60
const STAT = 0x64
const BAUD = 0x68

const setup = (params: Record<string, unknown> = {}) => {
  const t = onBus((ctx) => new Bcm2835AuxUart(ctx), params, 0xfe21_5000)
  /** read IO until LSR.data-ready clears, as a driver drains the FIFO */
  const drain = (): string => {
    let got = ''
    while (t.rd(LSR) & 0x01) got += String.fromCharCode(t.rd(IO))
    return got
  }
  return { ...t, drain }
}

describe('bcm2835-aux-uart registers', () => {
  it('powers on with the manual reset values (firmwareInit: false): nothing readable until AUX_ENABLES bit 0', () => {
    const { rd, wr } = setup({ firmwareInit: false })
    expect([rd(AUX_IRQ), rd(AUX_ENABLES)]).toEqual([0, 0])
    // "If the enable bits are clear you will have no access to a peripheral"
    wr(SCRATCH, 0x5a)
    expect([rd(IIR), rd(LSR), rd(CNTL), rd(STAT), rd(SCRATCH)]).toEqual([0, 0, 0, 0, 0])
    wr(AUX_ENABLES, 1)
    expect([rd(IER), rd(IIR), rd(LCR), rd(MCR), rd(LSR), rd(MSR), rd(SCRATCH), rd(CNTL), rd(STAT), rd(BAUD)])
      .toEqual([0, 0xc1, 0, 0, 0x60, 0x20, 0, 0x03, 0x30e, 0])
  })

  it('is enabled at power-on by default, as the Pi firmware hands it over', () => {
    const { rd } = setup()
    expect(rd(AUX_ENABLES)).toBe(1)
    expect([rd(IIR), rd(LSR), rd(CNTL)]).toEqual([0xc1, 0x60, 0x03])
  })

  it('keeps the 16-bit baud register and reaches its bytes through IO/IER while LCR.DLAB is set', () => {
    const { rd, wr } = setup()
    wr(BAUD, 541) // 500 MHz / (8 * (541 + 1)) ≈ 115200 baud
    expect(rd(BAUD)).toBe(541)
    wr(BAUD, 0x12345)
    expect(rd(BAUD)).toBe(0x2345) // 16 bits
    wr(LCR, 0x83)
    expect([rd(IO), rd(IER)]).toEqual([0x45, 0x23])
    wr(IO, 0x1d)
    wr(IER, 0x02)
    expect(rd(BAUD)).toBe(0x021d)
    wr(LCR, 0x03)
    expect([rd(IER), rd(LCR)]).toEqual([0, 0x03]) // the interrupt enables were not touched
  })

  it('keeps SCRATCH, the LCR and MCR bits it has, and ignores writes to LSR, MSR and STAT', () => {
    const { rd, wr } = setup()
    wr(SCRATCH, 0xa5)
    wr(LCR, 0xff)
    wr(MCR, 0xff)
    wr(LSR, 0)
    wr(STAT, 0)
    wr(MSR, 0)
    expect([rd(SCRATCH), rd(LCR), rd(MCR), rd(LSR), rd(STAT), rd(MSR)]).toEqual([0xa5, 0xc3, 0x02, 0x60, 0x30e, 0x20])
  })
})

describe('bcm2835-aux-uart data path', () => {
  it('sends IO writes at once: LSR transmitter empty/idle and STAT TX empty/done stay set', () => {
    const { rd, wr, text } = setup()
    for (const c of 'ok\n') wr(IO, c.charCodeAt(0))
    expect(text()).toBe('ok\n')
    expect(rd(LSR) & 0x60).toBe(0x60)
    expect(rd(STAT) & 0x30f).toBe(0x30e)
  })

  it('reports received bytes in LSR.data-ready and STAT (symbol available, fill level 19:16) and clears them as they drain', () => {
    const { rd, port, drain } = setup()
    port.send('abc')
    expect(rd(LSR) & 0x01).toBe(1)
    expect(rd(STAT) & 0x000f_0001).toBe(0x0003_0001)
    expect(rd(IO)).toBe(0x61)
    expect((rd(STAT) >>> 16) & 0xf).toBe(2)
    expect(drain()).toBe('bc')
    expect([rd(LSR) & 0x01, rd(STAT) & 0x000f_0001]).toEqual([0, 0])
  })

  it('reads 0 from an empty receive FIFO', () => {
    const { rd } = setup()
    expect(rd(IO)).toBe(0)
    expect(rd(LSR)).toBe(0x60)
  })

  it('holds 8 bytes in the receive FIFO; more wait for room instead of overrunning (LSR bit 1 and STAT bit 4 stay clear)', () => {
    const { rd, port, drain } = setup()
    port.send('0123456789AB')
    expect((rd(STAT) >>> 16) & 0xf).toBe(8)
    expect(rd(LSR) & 0x02).toBe(0)
    expect(rd(STAT) & 0x10).toBe(0)
    expect(drain()).toBe('0123456789AB')
  })

  it('with the transmitter off (CNTL bit 1) holds 8 bytes in the transmit FIFO, loses the 9th, and sends them when it comes on', () => {
    const { rd, wr, out, text } = setup()
    wr(CNTL, 0x01)
    for (const c of '012345678') wr(IO, c.charCodeAt(0))
    expect(out).toEqual([])
    // STAT: TX fill level 8 (27:24), FIFO full (5), no space (1), not empty/done (8, 9)
    expect(rd(STAT)).toBe(0x0800_002c)
    expect(rd(LSR)).toBe(0x00)
    wr(CNTL, 0x03)
    expect(text()).toBe('01234567')
    expect(rd(STAT)).toBe(0x30e)
  })

  it('with the receiver off (CNTL bit 0) keeps input waiting until it comes on', () => {
    const { rd, wr, port, drain } = setup()
    wr(CNTL, 0x02)
    port.send('hi')
    expect(rd(LSR) & 0x01).toBe(0)
    wr(CNTL, 0x03)
    expect(drain()).toBe('hi')
  })

  it('clears the receive FIFO when IIR is written with bit 1, the transmit FIFO with bit 2', () => {
    const { rd, wr, port, out } = setup()
    port.send('xyz')
    wr(IIR, 0x02)
    expect(rd(LSR) & 0x01).toBe(0)
    wr(CNTL, 0x01)
    wr(IO, 0x41)
    wr(IIR, 0x04)
    wr(CNTL, 0x03)
    expect(out).toEqual([])
  })
})

describe('bcm2835-aux-uart interrupts', () => {
  it('raises the receive interrupt (IER bit 0) while the receive FIFO holds a byte; IIR reports ID 10 and AUX_IRQ bit 0', () => {
    const { rd, wr, irq, port } = setup()
    wr(IER, 0x01)
    expect([irq.level, rd(IIR), rd(AUX_IRQ)]).toEqual([false, 0xc1, 0])
    port.send('q')
    expect([irq.level, rd(IIR), rd(AUX_IRQ)]).toEqual([true, 0xc4, 1])
    rd(IO)
    expect([irq.level, rd(IIR), rd(AUX_IRQ)]).toEqual([false, 0xc1, 0])
  })

  it('raises the transmit interrupt (IER bit 1) whenever the transmit FIFO is empty: a level, not cleared by reading IIR', () => {
    const { rd, wr, irq } = setup()
    wr(IER, 0x02)
    expect(irq.level).toBe(true)
    expect(rd(IIR)).toBe(0xc2)
    expect(rd(IIR)).toBe(0xc2)
    expect(irq.level).toBe(true)
    wr(CNTL, 0x01)
    wr(IO, 0x41) // waits in the FIFO: not empty
    expect([irq.level, rd(IIR)]).toEqual([false, 0xc1])
    wr(CNTL, 0x03)
    expect(irq.level).toBe(true)
    wr(IER, 0)
    expect(irq.level).toBe(false)
  })

  it('identifies a received byte before an empty transmit FIFO', () => {
    const { rd, wr, port } = setup()
    wr(IER, 0x03)
    port.send('z')
    expect(rd(IIR)).toBe(0xc4)
    rd(IO)
    expect(rd(IIR)).toBe(0xc2)
  })

  it('drops the interrupt while AUX_ENABLES bit 0 is clear', () => {
    const { wr, irq } = setup()
    wr(IER, 0x02)
    expect(irq.level).toBe(true)
    wr(AUX_ENABLES, 0)
    expect(irq.level).toBe(false)
    wr(AUX_ENABLES, 1)
    expect(irq.level).toBe(true)
  })
})

describe('bcm2835-aux-uart state', () => {
  it('round-trips through JSON: FIFOs, backlog, baud and interrupt level', () => {
    const a = setup()
    a.wr(BAUD, 270)
    a.wr(SCRATCH, 0x77)
    a.wr(IER, 0x01)
    a.wr(CNTL, 0x01)
    a.wr(IO, 0x54)
    a.port.send('0123456789')
    const state = JSON.parse(JSON.stringify(a.dev.snapshot()))
    const b = setup()
    b.dev.restore(state)
    expect(b.irq.level).toBe(true)
    expect([b.rd(BAUD), b.rd(SCRATCH), b.rd(IER), b.rd(IIR)]).toEqual([270, 0x77, 0x01, 0xc4])
    expect(b.drain()).toBe('0123456789')
    b.wr(CNTL, 0x03)
    expect(b.text()).toBe('T')
  })

  it('refuses a corrupt state before changing anything', () => {
    const { dev, rd, wr } = setup()
    wr(SCRATCH, 0x11)
    const good = dev.snapshot()
    const bad = (s: unknown, path: string): void => {
      expect(() => dev.restore(s)).toThrow(StateError)
      try { dev.restore(s) } catch (e) { expect((e as StateError).path).toBe(path) }
    }
    bad({ ...good, rx: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, 'rx')
    bad({ ...good, tx: [256] }, 'tx[0]')
    bad({ ...good, backlog: 'abc' }, 'backlog')
    bad({ ...good, regs: { ...good.regs, AUX_MU_BAUD_REG: -1 } }, 'regs.AUX_MU_BAUD_REG')
    bad({ ...good, extra: 1 }, '')
    expect(rd(SCRATCH)).toBe(0x11)
  })

  it('reset empties the FIFOs and drops the interrupt', () => {
    const { dev, rd, wr, irq, port } = setup()
    wr(IER, 0x01)
    port.send('x')
    wr(LCR, 0x83)
    dev.reset()
    expect(irq.level).toBe(false)
    expect([rd(LCR), rd(IER), rd(IIR), rd(LSR)]).toEqual([0, 0, 0xc1, 0x60])
  })
})

describe('bcm2835-aux-uart as a VM\'s emulated device', () => {
  it('is made by the hypervisor from "emulate": its output is the VM\'s console, typed input reaches it, its interrupt is the VM\'s', async () => {
    const { vm, rd, wr, virqs } = await emulatedInVm('dev-bcm2835-aux-uart', 'bcm2835-aux-uart')
    for (const c of 'vm says hi') wr(IO, c.charCodeAt(0))
    expect(vm.console.text()).toBe('vm says hi')
    wr(IER, 0x01)
    vm.console.send('k')
    expect(virqs.at(-1)).toEqual([33, true])
    expect(rd(IO)).toBe(0x6b)
    expect(virqs.at(-1)).toEqual([33, false])
  })
})
