/**
 * The i.MX UART against the i.MX 8M Quad reference manual's UART chapter (URXD 0x00, UTXD 0x40,
 * control and status from 0x80).
 */
import { describe, expect, it } from 'vitest'
import { StateError } from '../../../core/state-check.ts'
import { emulatedInVm, onBus } from '../../uart-common/test/harness.ts'
import { ImxUart } from '../imx-uart.ts'

const URXD = 0x00
const UTXD = 0x40
const UCR1 = 0x80
const UCR2 = 0x84
const UCR3 = 0x88
const UCR4 = 0x8c
const UFCR = 0x90
const USR1 = 0x94
const USR2 = 0x98
const UESC = 0x9c
const UTIM = 0xa0
const UBIR = 0xa4
const UBMR = 0xa8
const UBRC = 0xac
const ONEMS = 0xb0
const UTS = 0xb4

const CHARRDY = 1 << 15
const UARTEN = 1 << 0
const TXMPTYEN = 1 << 6
const RRDYEN = 1 << 9
const TRDYEN = 1 << 13
const SRST = 1 << 0
const RXEN = 1 << 1
const TXEN = 1 << 2
const ATEN = 1 << 3
const DREN = 1 << 0
const TCEN = 1 << 3
const TRDY = 1 << 13
const RRDY = 1 << 9
const AGTIM = 1 << 8
const TXFE = 1 << 14
const TXDC = 1 << 3
const RDR = 1 << 0
const WAKE = 1 << 7
const RXFULL = 1 << 3
const TXFULL = 1 << 4
const RXEMPTY = 1 << 5
const TXEMPTY = 1 << 6

const setup = (params: Record<string, unknown> = {}) => {
  const t = onBus((ctx) => new ImxUart(ctx), params, 0x3086_0000, 0x1_0000)
  /** read URXD while USR2.RDR, as a driver drains the RxFIFO */
  const drain = (): string => {
    let got = ''
    while (t.rd(USR2) & RDR) got += String.fromCharCode(t.rd(URXD) & 0xff)
    return got
  }
  return { ...t, drain }
}

describe('imx-uart registers', () => {
  it('powers on with the reference manual reset values (firmwareInit: false)', () => {
    const { rd } = setup({ firmwareInit: false })
    expect([rd(UCR1), rd(UCR2), rd(UCR3), rd(UCR4), rd(UFCR), rd(USR1), rd(USR2)])
      .toEqual([0, 0x0001, 0x0700, 0x8000, 0x0801, 0x2040, 0x4028])
    expect([rd(UESC), rd(UTIM), rd(UBIR), rd(UBMR), rd(UBRC), rd(ONEMS), rd(UTS), rd(URXD)])
      .toEqual([0x2b, 0, 0, 0, 0x4, 0, 0x0060, 0])
  })

  it('comes up enabled as the boot loader leaves it by default', () => {
    const { rd, wr, text } = setup()
    expect([rd(UCR1), rd(UCR2)]).toEqual([UARTEN, 0x4027])
    wr(UTXD, 0x68)
    expect(text()).toBe('h')
  })

  it('keeps UBIR and UBMR as written (16 bits) and UBRC read-only', () => {
    const { rd, wr } = setup()
    // 25 MHz ref clock / 16: 115200 = ref * (UBIR + 1) / (16 * (UBMR + 1)) with UBIR 0xf, UBMR 0x15b
    wr(UBIR, 0xf)
    wr(UBMR, 0x15b)
    wr(UBRC, 0x1234)
    expect([rd(UBIR), rd(UBMR), rd(UBRC)]).toEqual([0xf, 0x15b, 0x4])
    wr(UBMR, 0x12345)
    expect(rd(UBMR)).toBe(0x2345)
  })

  it('keeps the control registers to 16 bits, UESC to 8, UTIM to 12, ONEMS to 24', () => {
    const { rd, wr } = setup({ firmwareInit: false })
    wr(UCR3, 0xffff_ffff)
    wr(UFCR, 0x1_0841)
    wr(UESC, 0x1ff)
    wr(UTIM, 0xffff)
    wr(ONEMS, 0xffff_ffff)
    expect([rd(UCR3), rd(UFCR), rd(UESC), rd(UTIM), rd(ONEMS)]).toEqual([0xffff, 0x0841, 0xff, 0xfff, 0xff_ffff])
  })

  it('soft-resets on UCR2.SRST written 0: FIFOs, status and baud registers; SRST reads 1 again', () => {
    const { rd, wr, port } = setup()
    wr(UBIR, 0xf)
    port.send('ab')
    expect(rd(USR2) & RDR).toBe(RDR)
    wr(UCR2, 0x4026) // SRST clear
    expect([rd(UCR2), rd(USR2) & RDR, rd(UBIR), rd(UTS)]).toEqual([0x4027, 0, 0, 0x60])
  })
})

describe('imx-uart data path', () => {
  it('sends UTXD at once while enabled: USR1.TRDY, USR2.TXFE/TXDC and UTS.TXEMPTY stay set', () => {
    const { rd, wr, text } = setup()
    for (const c of 'imx\n') wr(UTXD, c.charCodeAt(0))
    expect(text()).toBe('imx\n')
    expect([rd(USR1) & TRDY, rd(USR2) & (TXFE | TXDC), rd(UTS) & TXEMPTY]).toEqual([TRDY, TXFE | TXDC, TXEMPTY])
  })

  it('holds 32 characters while the transmitter is off (UTS.TXFULL), loses the 33rd, sends them on TXEN', () => {
    const { rd, wr, text } = setup()
    wr(UCR2, SRST | RXEN)
    for (let i = 0; i < 33; i++) wr(UTXD, 0x41 + (i % 26))
    expect(text()).toBe('')
    expect([rd(UTS) & (TXFULL | TXEMPTY), rd(USR1) & TRDY, rd(USR2) & (TXFE | TXDC)]).toEqual([TXFULL, 0, 0])
    wr(UCR2, SRST | RXEN | TXEN)
    expect(text().length).toBe(32)
  })

  it('reports received characters in USR2.RDR, USR1.RRDY (at RXTL) and UTS.RXEMPTY as they arrive and drain', () => {
    const { rd, wr, port, drain } = setup()
    wr(UFCR, (2 << 10) | 3) // RXTL 3
    port.send('ab')
    expect([rd(USR2) & RDR, rd(USR1) & RRDY, rd(UTS) & RXEMPTY]).toEqual([RDR, 0, 0])
    port.send('c')
    expect(rd(USR1) & RRDY).toBe(RRDY)
    expect(rd(URXD)).toBe(CHARRDY | 0x61)
    expect(rd(USR1) & RRDY).toBe(0)
    expect(drain()).toBe('bc')
    expect([rd(USR2) & RDR, rd(UTS) & RXEMPTY]).toEqual([0, RXEMPTY])
  })

  it('reads 0 (URXD.CHARRDY clear) from an empty RxFIFO', () => {
    const { rd } = setup()
    expect(rd(URXD)).toBe(0)
  })

  it('holds 32 characters (UTS.RXFULL); more wait for room instead of overrunning (USR2.ORE stays clear)', () => {
    const { rd, port, drain } = setup()
    const text = Array.from({ length: 50 }, (_, i) => String.fromCharCode(0x30 + (i % 40))).join('')
    port.send(text)
    expect(rd(UTS) & RXFULL).toBe(RXFULL)
    expect(rd(USR2) & 0x2).toBe(0)
    expect(drain()).toBe(text)
  })

  it('keeps input waiting while the receiver is off', () => {
    const { wr, port, drain } = setup()
    wr(UCR2, SRST | TXEN)
    port.send('hi')
    expect(drain()).toBe('')
    wr(UCR2, SRST | TXEN | RXEN)
    expect(drain()).toBe('hi')
  })

  it('loops the transmitter into the receiver with UTS.LOOP; UTS.RXDBG reads without advancing', () => {
    const { rd, wr, out, drain } = setup()
    wr(UTS, 1 << 12)
    wr(UTXD, 0x55)
    expect(out).toEqual([])
    wr(UTS, (1 << 12) | (1 << 9))
    expect([rd(URXD), rd(URXD)]).toEqual([CHARRDY | 0x55, CHARRDY | 0x55])
    wr(UTS, 0)
    expect(drain()).toBe('U')
  })
})

describe('imx-uart interrupts', () => {
  it('raises the line for RRDY with UCR1.RRDYEN and drops it as the RxFIFO drains below RXTL', () => {
    const { rd, wr, irq, port } = setup()
    wr(UCR1, UARTEN | RRDYEN)
    expect(irq.level).toBe(false)
    port.send('x')
    expect(irq.level).toBe(true)
    rd(URXD)
    expect(irq.level).toBe(false)
  })

  it('raises the line for TRDY with TRDYEN and TXFE with TXMPTYEN while the TxFIFO is empty', () => {
    const { wr, irq } = setup()
    wr(UCR1, UARTEN | TRDYEN)
    expect(irq.level).toBe(true)
    wr(UCR1, UARTEN | TXMPTYEN)
    expect(irq.level).toBe(true)
    wr(UCR2, SRST | RXEN) // transmitter off: a written character waits
    wr(UTXD, 0x41)
    expect(irq.level).toBe(false)
  })

  it('raises the line for RDR with UCR4.DREN and TXDC with TCEN', () => {
    const { rd, wr, irq, port } = setup()
    wr(UCR4, 0x8000 | DREN)
    port.send('r')
    expect(irq.level).toBe(true)
    rd(URXD)
    expect(irq.level).toBe(false)
    wr(UCR4, 0x8000 | TCEN)
    expect(irq.level).toBe(true)
  })

  it('fires the ageing timer (USR1.AGTIM, UCR2.ATEN) for characters below RXTL and clears it by writing 1', () => {
    const { rd, wr, irq, port } = setup()
    wr(UFCR, (2 << 10) | 8)
    wr(UCR2, 0x4027 | ATEN)
    port.send('ab')
    expect(rd(USR1) & AGTIM).toBe(AGTIM)
    expect(rd(USR2) & WAKE).toBe(WAKE)
    expect(irq.level).toBe(true)
    wr(USR1, AGTIM)
    expect(rd(USR1) & AGTIM).toBe(0)
    expect(irq.level).toBe(false)
    wr(USR2, WAKE)
    expect(rd(USR2) & WAKE).toBe(0)
  })
})

describe('imx-uart state', () => {
  it('round-trips through JSON: FIFOs, backlog, latched flags and line level', () => {
    const a = setup()
    a.wr(UBIR, 0xf)
    a.wr(UBMR, 0x15b)
    a.wr(UFCR, (2 << 10) | 8)
    a.wr(UCR2, 0x4027 | ATEN)
    a.port.send('0123456789'.repeat(4))
    a.wr(UCR2, 0x4023 | ATEN) // transmitter off
    a.wr(UTXD, 0x21)
    const state = JSON.parse(JSON.stringify(a.dev.snapshot()))
    const b = setup()
    b.dev.restore(state)
    expect(b.irq.level).toBe(true)
    expect([b.rd(UBIR), b.rd(UBMR), b.rd(USR1) & AGTIM]).toEqual([0xf, 0x15b, AGTIM])
    expect(b.drain()).toBe('0123456789'.repeat(4))
    b.wr(UCR2, 0x4027)
    expect(b.text()).toBe('!')
  })

  it('refuses a corrupt state before changing anything', () => {
    const { dev, rd, wr } = setup()
    wr(UESC, 0x11)
    const good = dev.snapshot()
    const refused = (s: unknown, path: string): void => {
      let err: unknown
      try { dev.restore(s) } catch (e) { err = e }
      expect(err).toBeInstanceOf(StateError)
      expect((err as StateError).path).toBe(path)
    }
    refused({ ...good, rx: new Array(33).fill(0x41) }, 'rx')
    refused({ ...good, tx: [300] }, 'tx[0]')
    refused({ ...good, regs: { ...good.regs, USR2: 0x4000 } }, 'regs.USR2')
    refused({ ...good, regs: { ...good.regs, UCR1: 1.5 } }, 'regs.UCR1')
    refused({ ...good, rx: [], extra: true }, '')
    expect(rd(UESC)).toBe(0x11)
  })

  it('reset returns the power-on values, empties the FIFOs and drops the line', () => {
    const { dev, rd, wr, irq, port } = setup()
    wr(UCR1, UARTEN | RRDYEN)
    port.send('q')
    expect(irq.level).toBe(true)
    dev.reset()
    expect(irq.level).toBe(false)
    expect([rd(UCR1), rd(UCR2), rd(USR1), rd(USR2), rd(UTS)]).toEqual([UARTEN, 0x4027, 0x2040, 0x4028, 0x60])
  })
})

describe('imx-uart as a VM\'s emulated device', () => {
  it('is made by the hypervisor from "emulate": its output is the VM\'s console, typed input reaches it, its interrupt is the VM\'s', async () => {
    const { vm, rd, wr, virqs } = await emulatedInVm('dev-imx-uart', 'imx-uart')
    for (const c of 'imx8mq vm') wr(UTXD, c.charCodeAt(0))
    expect(vm.console.text()).toBe('imx8mq vm')
    wr(UCR1, UARTEN | RRDYEN)
    vm.console.send('k')
    expect(virqs.at(-1)).toEqual([33, true])
    expect(rd(URXD)).toBe(CHARRDY | 0x6b)
    expect(virqs.at(-1)).toEqual([33, false])
  })
})
