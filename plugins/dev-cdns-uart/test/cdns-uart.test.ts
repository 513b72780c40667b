/**
 * The Cadence UART against the Zynq UltraScale+ TRM (UG1085, UART controller chapter and the UART
 * module's register reference).
 */
import { describe, expect, it } from 'vitest'
import { StateError } from '../../../core/state-check.ts'
import { emulatedInVm, onBus } from '../../uart-common/test/harness.ts'
import { CdnsUart } from '../cdns-uart.ts'

const CR = 0x00
const MR = 0x04
const IER = 0x08
const IDR = 0x0c
const IMR = 0x10
const ISR = 0x14
const BAUDGEN = 0x18
const RXTOUT = 0x1c
const RXWM = 0x20
const MODEMCR = 0x24
const MODEMSR = 0x28
const SR = 0x2c
const FIFO = 0x30
const BAUDDIV = 0x34
const FLOWDEL = 0x38
const TXWM = 0x44

// CR: RXEN | TXEN | STOPBRK, as drivers leave it
const CR_ON = 0x114
const CR_TX_OFF = 0x124 // RXEN | TXDIS | STOPBRK
const SR_RXOVR = 0x01
const SR_RXEMPTY = 0x02
const SR_RXFULL = 0x04
const SR_TXEMPTY = 0x08
const SR_TXFULL = 0x10
const RTRIG = 0x001
const REMPTY = 0x002
const RFUL = 0x004
const TEMPTY = 0x008
const TFUL = 0x010
const ROVR = 0x020
const TIMEOUT = 0x100
const TTRIG = 0x400
const TOVR = 0x1000

const setup = () => {
  const t = onBus((ctx) => new CdnsUart(ctx), {}, 0xff00_0000)
  /** read FIFO until SR.RXEMPTY, as a driver drains it */
  const drain = (): string => {
    let got = ''
    while (!(t.rd(SR) & SR_RXEMPTY)) got += String.fromCharCode(t.rd(FIFO))
    return got
  }
  return { ...t, drain }
}

/** enabled as a driver does: receiver and transmitter on, the sticky events so far cleared */
const ready = () => {
  const t = setup()
  t.wr(CR, CR_ON)
  t.wr(ISR, 0x1fff)
  return t
}

describe('cdns-uart registers', () => {
  it('powers on with the UG1085 reset values', () => {
    const { rd } = setup()
    expect([rd(CR), rd(MR), rd(IMR), rd(ISR), rd(BAUDGEN), rd(RXTOUT), rd(RXWM), rd(MODEMCR), rd(MODEMSR)])
      .toEqual([0x128, 0, 0, 0, 0x28b, 0, 0x20, 0, 0])
    expect([rd(SR), rd(BAUDDIV), rd(FLOWDEL), rd(TXWM)]).toEqual([SR_RXEMPTY | SR_TXEMPTY, 0xf, 0, 0x20])
  })

  it('keeps the baud generator (16 bits) and divider (8 bits) as written', () => {
    const { rd, wr } = setup()
    // 100 MHz reference, 115200 baud: CD 124, BDIV 6 → 100e6 / (124 * 7) ≈ 115207
    wr(BAUDGEN, 124)
    wr(BAUDDIV, 6)
    expect([rd(BAUDGEN), rd(BAUDDIV)]).toEqual([124, 6])
    wr(BAUDGEN, 0x12345)
    wr(BAUDDIV, 0x1ff)
    expect([rd(BAUDGEN), rd(BAUDDIV)]).toEqual([0x2345, 0xff])
  })

  it('self-clears the RXRST/TXRST commands and keeps the enable bits', () => {
    const { rd, wr } = setup()
    wr(CR, CR_ON | 0x03)
    expect(rd(CR)).toBe(CR_ON)
  })

  it('sets IMR bits through IER and clears them through IDR; IMR itself ignores writes', () => {
    const { rd, wr } = setup()
    wr(IER, TEMPTY | RTRIG | TIMEOUT)
    expect(rd(IMR)).toBe(TEMPTY | RTRIG | TIMEOUT)
    wr(IDR, TEMPTY)
    expect(rd(IMR)).toBe(RTRIG | TIMEOUT)
    wr(IMR, 0)
    expect(rd(IMR)).toBe(RTRIG | TIMEOUT)
    expect([rd(IER), rd(IDR)]).toEqual([0, 0]) // write-only
  })

  it('mirrors MODEMCR.FCM in MODEMSR.FCMS', () => {
    const { rd, wr } = setup()
    wr(MODEMCR, 0x23)
    expect([rd(MODEMCR), rd(MODEMSR)]).toEqual([0x23, 0x100])
  })
})

describe('cdns-uart data path', () => {
  it('sends nothing while the transmitter is disabled (its reset state), then what waited once enabled', () => {
    const { rd, wr, text } = setup()
    wr(FIFO, 0x41)
    expect(text()).toBe('')
    expect(rd(SR) & (SR_TXEMPTY | SR_TXFULL)).toBe(0)
    wr(CR, CR_ON)
    wr(FIFO, 0x42)
    expect(text()).toBe('AB')
    expect(rd(SR) & SR_TXEMPTY).toBe(SR_TXEMPTY)
  })

  it('reports received bytes in SR (RXEMPTY, the RXWM trigger RXOVR, RXFULL) as they arrive and drain', () => {
    const { rd, wr, port, drain } = ready()
    wr(RXWM, 4)
    port.send('abc')
    expect(rd(SR) & 0x7).toBe(0)
    port.send('d')
    expect(rd(SR) & 0x7).toBe(SR_RXOVR)
    expect(rd(FIFO)).toBe(0x61)
    expect(rd(SR) & 0x7).toBe(0)
    expect(drain()).toBe('bcd')
    expect(rd(SR) & 0x7).toBe(SR_RXEMPTY)
  })

  it('reads 0 from an empty receive FIFO', () => {
    const { rd } = ready()
    expect(rd(FIFO)).toBe(0)
    expect(rd(SR) & SR_RXEMPTY).toBe(SR_RXEMPTY)
  })

  it('holds 64 bytes (SR.RXFULL, ISR.RFUL); more wait for room instead of overrunning (no ROVR)', () => {
    const { rd, port, drain } = ready()
    const text = Array.from({ length: 80 }, (_, i) => String.fromCharCode(0x30 + (i % 64))).join('')
    port.send(text)
    expect(rd(SR) & SR_RXFULL).toBe(SR_RXFULL)
    expect(rd(ISR) & (RFUL | ROVR)).toBe(RFUL)
    expect(drain()).toBe(text)
  })

  it('holds 64 bytes for a disabled transmitter (SR.TXFULL, ISR.TFUL); a 65th is lost and raises TOVR', () => {
    const { rd, wr, text } = ready()
    wr(CR, CR_TX_OFF)
    for (let i = 0; i < 65; i++) wr(FIFO, 0x40 + (i % 26))
    expect(rd(SR) & (SR_TXFULL | SR_TXEMPTY)).toBe(SR_TXFULL)
    expect(rd(ISR) & (TFUL | TOVR)).toBe(TFUL | TOVR)
    wr(CR, CR_ON)
    expect(text().length).toBe(64)
    expect(rd(ISR) & TEMPTY).toBe(TEMPTY)
  })

  it('keeps input waiting while the receiver is disabled and clears the receive FIFO on RXRST', () => {
    const { rd, wr, port, drain } = setup()
    port.send('hi')
    expect(rd(SR) & SR_RXEMPTY).toBe(SR_RXEMPTY)
    wr(CR, CR_ON)
    expect(drain()).toBe('hi')
    port.send('xyz')
    wr(CR, CR_ON | 0x01)
    expect(rd(SR) & SR_RXEMPTY).toBe(SR_RXEMPTY)
  })

  it('loops written bytes back in local loopback (MR.CHMODE 10) and echoes input in automatic echo (01)', () => {
    const { wr, port, out, drain } = ready()
    wr(MR, 0x200)
    wr(FIFO, 0x55)
    expect(out).toEqual([])
    expect(drain()).toBe('U')
    wr(MR, 0x100)
    port.send('e')
    expect(out).toEqual([0x65])
    expect(drain()).toBe('e')
  })
})

describe('cdns-uart interrupts', () => {
  it('latches ISR events, clears them by writing 1, and drives the line while ISR & IMR', () => {
    const { rd, wr, irq, port } = ready()
    wr(RXWM, 1)
    port.send('a')
    expect(rd(ISR) & (RTRIG | REMPTY)).toBe(RTRIG)
    expect(irq.level).toBe(false) // nothing unmasked
    wr(IER, RTRIG)
    expect(irq.level).toBe(true)
    rd(FIFO)
    expect(rd(ISR) & (RTRIG | REMPTY)).toBe(RTRIG | REMPTY) // sticky: the trigger stays latched
    expect(irq.level).toBe(true)
    wr(ISR, RTRIG)
    expect(rd(ISR) & RTRIG).toBe(0)
    expect(irq.level).toBe(false)
  })

  it('raises TEMPTY as the transmitter empties its FIFO', () => {
    const { rd, wr, irq } = ready()
    wr(IER, TEMPTY)
    expect(irq.level).toBe(false)
    wr(FIFO, 0x41)
    expect(irq.level).toBe(true)
    wr(ISR, TEMPTY)
    expect(irq.level).toBe(false)
    wr(IDR, TEMPTY)
    wr(FIFO, 0x42)
    expect([rd(ISR) & TEMPTY, irq.level]).toEqual([TEMPTY, false])
  })

  it('raises the receiver timeout as bytes arrive while RXTOUT is non-zero (below the trigger level)', () => {
    const { rd, wr, irq, port } = ready()
    wr(IER, RTRIG | TIMEOUT)
    port.send('a')
    expect([rd(ISR) & (RTRIG | TIMEOUT), irq.level]).toEqual([0, false])
    wr(RXTOUT, 10)
    port.send('b')
    expect([rd(ISR) & (RTRIG | TIMEOUT), irq.level]).toEqual([TIMEOUT, true])
  })

  it('raises TTRIG as a write brings the (waiting) transmit FIFO to TXWM', () => {
    const { rd, wr } = ready()
    wr(CR, CR_TX_OFF)
    wr(TXWM, 2)
    wr(FIFO, 0x31)
    expect(rd(ISR) & TTRIG).toBe(0)
    wr(FIFO, 0x32)
    expect(rd(ISR) & TTRIG).toBe(TTRIG)
    expect(rd(SR) & 0x2000).toBe(0x2000)
  })
})

describe('cdns-uart state', () => {
  it('round-trips through JSON: FIFOs, backlog, events and line level', () => {
    const a = ready()
    a.wr(BAUDGEN, 124)
    a.wr(RXWM, 8)
    a.wr(IER, RFUL)
    a.port.send('x'.repeat(70))
    a.wr(CR, CR_TX_OFF)
    a.wr(FIFO, 0x21)
    const state = JSON.parse(JSON.stringify(a.dev.snapshot()))
    const b = setup()
    b.dev.restore(state)
    expect(b.irq.level).toBe(true)
    expect([b.rd(BAUDGEN), b.rd(RXWM), b.rd(IMR), b.rd(CR)]).toEqual([124, 8, RFUL, CR_TX_OFF])
    expect(b.drain()).toBe('x'.repeat(70))
    b.wr(CR, CR_ON)
    expect(b.text()).toBe('!')
  })

  it('refuses a corrupt state before changing anything', () => {
    const { dev, rd, wr } = ready()
    wr(RXWM, 5)
    const good = dev.snapshot()
    const refused = (s: unknown, path: string): void => {
      let err: unknown
      try { dev.restore(s) } catch (e) { err = e }
      expect(err).toBeInstanceOf(StateError)
      expect((err as StateError).path).toBe(path)
    }
    refused({ ...good, rx: new Array(65).fill(0) }, 'rx')
    refused({ ...good, tx: [0.5] }, 'tx[0]')
    refused({ ...good, regs: { ...good.regs, ISR: 'x' } }, 'regs.ISR')
    refused(null, '')
    expect(rd(RXWM)).toBe(5)
  })

  it('reset returns the reset values, empties the FIFOs and drops the line', () => {
    const { dev, rd, wr, irq, port } = ready()
    wr(IER, RTRIG)
    wr(RXWM, 1)
    port.send('q')
    expect(irq.level).toBe(true)
    dev.reset()
    expect(irq.level).toBe(false)
    expect([rd(CR), rd(IMR), rd(ISR), rd(SR)]).toEqual([0x128, 0, 0, SR_RXEMPTY | SR_TXEMPTY])
  })
})

describe('cdns-uart as a VM\'s emulated device', () => {
  it('is made by the hypervisor from "emulate": its output is the VM\'s console, typed input reaches it, its interrupt is the VM\'s', async () => {
    const { vm, rd, wr, virqs } = await emulatedInVm('dev-cdns-uart', 'cdns-uart')
    wr(CR, CR_ON)
    for (const c of 'zynq vm') wr(FIFO, c.charCodeAt(0))
    expect(vm.console.text()).toBe('zynq vm')
    wr(ISR, 0x1fff)
    wr(RXWM, 1)
    wr(IER, RTRIG)
    vm.console.send('k')
    expect(virqs.at(-1)).toEqual([33, true])
    expect(rd(FIFO)).toBe(0x6b)
    wr(ISR, RTRIG)
    expect(virqs.at(-1)).toEqual([33, false])
  })
})
