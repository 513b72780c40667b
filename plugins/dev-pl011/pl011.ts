/**
 * The ARM PrimeCell UART (PL011) as QEMU's hw/char/pl011.c models it (register and bit names
 * from the PL011 TRM, ARM DDI 0183). Facts follow QEMU 8.2, whose receive and transmit
 * interrupt logic is the same from 7.x through 9.x; the divisor widths follow the TRM, as later
 * QEMU releases do once they mask UARTIBRD/UARTFBRD.
 *
 * Deterministic by construction: a UARTDR write is emitted at once, so the transmit FIFO is
 * always empty (UARTFR.TXFE set, TXFF and BUSY clear) and every write raises TXRIS, as QEMU's
 * does. Input goes into the 16-entry receive FIFO (a one-character holding register while
 * UARTLCR_H.FEN is clear); characters that arrive while it is full wait in a host-side backlog
 * and move in as the guest reads UARTDR. QEMU gets the same effect by asking the chardev
 * `can_receive` first, so nothing is ever overrun: OE and the other error interrupts never occur.
 *
 * The receive trigger level comes from the board (`params.rxTrigger`):
 * - 'qemu' (default): one character, whatever UARTIFLS says. QEMU 7.x–9.x keep the IFLS levels
 *   under `#if 0` in pl011_set_read_trigger because Linux reads the FIFO only on an interrupt:
 *   RXRIS rises as a character lands in an empty FIFO, falls when the FIFO is read empty, and
 *   RTRIS is never raised. Guests developed on QEMU count on it: Bao's bare-metal guest turns
 *   the FIFO on and unmasks RXIM alone.
 * - 'ifls': the TRM's levels, UARTIFLS.RXIFLSEL of the 16 entries with FEN set (one character
 *   without). Below the level the receive timeout (RTRIS) reports the waiting data; the TRM
 *   raises it after 32 bit periods of silence, and virtual time has no line rate, so here it
 *   rises at once with each character received, as the 16550 model reports its character timeout.
 */
import type { Device, DeviceContext, SerialPort } from '../../core/device.ts'
import { NO_IRQ, type IrqLine } from '../../core/irq.ts'
import { Registers, type RegsSnapshot } from '../../core/regs.ts'
import { checkState, StateError } from '../../core/state-check.ts'
import { z } from 'zod'

// DDI 0183 §3.3.3 UARTFR
const FR_CTS = 0x001
const FR_DSR = 0x002
const FR_DCD = 0x004
const FR_RXFE = 0x010
const FR_RXFF = 0x040
const FR_TXFE = 0x080
const FR_RI = 0x100
const FR_MODEM = FR_RI | FR_DCD | FR_DSR | FR_CTS
// §3.3.1 UARTDR: bits 11:8 of a received entry are its OE, BE, PE, FE flags
const DR_BE = 0x400
// §3.3.7 UARTLCR_H
const LCR_H_BRK = 0x01
const LCR_H_FEN = 0x10
// §3.3.8 UARTCR
const CR_LBE = 0x0080
const CR_DTR = 0x0400
const CR_RTS = 0x0800
const CR_OUT1 = 0x1000
const CR_OUT2 = 0x2000
// §3.3.10–3.3.13: one bit layout for UARTIMSC, UARTRIS, UARTMIS and UARTICR (RIM..OEIM)
const INT_RI = 0x001
const INT_CTS = 0x002
const INT_DCD = 0x004
const INT_DSR = 0x008
const INT_RX = 0x010
const INT_TX = 0x020
const INT_RT = 0x040
const INT_MS = INT_RI | INT_CTS | INT_DCD | INT_DSR
const INT_ALL = 0x7ff
const FIFO_DEPTH = 16
/** §3.3.9 UARTIFLS.RXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 full; the reserved encodings act as 1/2 here */
const RX_TRIGGER = [2, 4, 8, 12, 14, 8, 8, 8]
/** §3.3.15–3.3.16, the values of QEMU's pl011_id_arm */
const PERIPH_ID = [0x11, 0x10, 0x14, 0x00]
const PCELL_ID = [0x0d, 0xf0, 0x05, 0xb1]

export type RxTrigger = 'qemu' | 'ifls'

export interface Pl011State {
  regs: RegsSnapshot
  /** receive FIFO, oldest first: each entry the character with its UARTDR error bits */
  rx: number[]
  backlog: number[]
}

const entry = z.number().int().min(0, 'must be a character with its error bits (0..0xfff)').max(0xfff, 'must be a character with its error bits (0..0xfff)')

/** a saved state's shape (fields missing in older sessions take their reset values) */
const savedState = z.object({
  regs: z.unknown(),
  rx: z.array(entry).max(FIFO_DEPTH).optional(),
  backlog: z.array(entry).max(1 << 24).optional(),
}).strict()

export class Pl011 implements Device {
  private readonly regs: Registers
  private readonly irq: IrqLine
  private readonly port: SerialPort
  private readonly rxTrigger: RxTrigger
  private rx: number[] = []
  private backlog: number[] = []
  private level = false

  constructor(ctx: DeviceContext) {
    this.irq = ctx.irqs[0] ?? NO_IRQ
    const mode = ctx.params.rxTrigger ?? 'qemu'
    if (mode !== 'qemu' && mode !== 'ifls') throw new Error(`${ctx.name}: params.rxTrigger must be 'qemu' or 'ifls'`)
    this.rxTrigger = mode
    // Write-only registers and UARTDR store nothing (mask 0): their handlers act on the value as written.
    this.regs = new Registers([
      { name: 'UARTDR', offset: 0x000, mask: 0, read: () => this.readDr(), write: (_v, _old, written) => this.writeDr(written) },
      // the error bits of the last character read; any write to UARTECR clears them
      { name: 'UARTRSR', offset: 0x004, access: 'r' },
      { name: 'UARTECR', offset: 0x004, access: 'w', mask: 0, write: () => this.regs.set('UARTRSR', 0) },
      // stored: the modem status inputs (RI, DCD, DSR, CTS); the FIFO flags are computed
      { name: 'UARTFR', offset: 0x018, access: 'r', read: (modem) => this.fr(modem) },
      { name: 'UARTILPR', offset: 0x020, mask: 0xff },
      { name: 'UARTIBRD', offset: 0x024, mask: 0xffff },
      { name: 'UARTFBRD', offset: 0x028, mask: 0x3f },
      { name: 'UARTLCR_H', offset: 0x02c, mask: 0xff, write: (v, old) => this.writeLcrH(v, old) },
      // reset: TXE | RXE; bits 6:3 are reserved
      { name: 'UARTCR', offset: 0x030, mask: 0xff87, reset: 0x300, write: () => this.writeCr() },
      // reset: both levels 1/2
      { name: 'UARTIFLS', offset: 0x034, mask: 0x3f, reset: 0x12 },
      { name: 'UARTIMSC', offset: 0x038, mask: INT_ALL, write: () => this.update() },
      // stored: the raw interrupt status (QEMU's int_level)
      { name: 'UARTRIS', offset: 0x03c, access: 'r' },
      { name: 'UARTMIS', offset: 0x040, access: 'r', read: () => this.regs.get('UARTRIS') & this.regs.get('UARTIMSC') },
      { name: 'UARTICR', offset: 0x044, access: 'w', mask: 0, write: (_v, _old, written) => this.clearInterrupts(written) },
      { name: 'UARTDMACR', offset: 0x048, mask: 0x7 },
      // constants: reads never consult the stored copy, so a restored state cannot change them
      { name: 'UARTPeriphID', offset: 0xfe0, count: 4, stride: 4, access: 'r', reset: PERIPH_ID, read: (_s, i) => PERIPH_ID[i]! },
      { name: 'UARTPCellID', offset: 0xff0, count: 4, stride: 4, access: 'r', reset: PCELL_ID, read: (_s, i) => PCELL_ID[i]! },
    ])
    this.port = ctx.serial(typeof ctx.params.serial === 'string' ? ctx.params.serial : ctx.name)
    this.port.onReceive((b) => this.receive(b))
  }

  read(offset: number, size: number): number {
    return this.regs.read(offset, size)
  }

  write(offset: number, size: number, value: number): void {
    this.regs.write(offset, size, value)
  }

  /** A byte from the outside world (the serial port). */
  receive(byte: number): void {
    // QEMU pl011_receive: in loopback the receiver hears the transmitter only, input is dropped
    if (this.loopback()) return
    this.enqueue(byte & 0xff)
  }

  private loopback(): boolean {
    return (this.regs.get('UARTCR') & CR_LBE) !== 0
  }

  private depth(): number {
    return this.regs.get('UARTLCR_H') & LCR_H_FEN ? FIFO_DEPTH : 1
  }

  private trigger(): number {
    if (this.rxTrigger === 'qemu' || this.depth() === 1) return 1
    return RX_TRIGGER[(this.regs.get('UARTIFLS') >>> 3) & 7]!
  }

  private enqueue(c: number): void {
    this.backlog.push(c)
    this.refill()
    this.update()
  }

  private refill(): void {
    const depth = this.depth()
    while (this.rx.length < depth && this.backlog.length) this.put(this.backlog.shift()!)
  }

  /** QEMU pl011_put_fifo: the receive interrupt rises as the FIFO reaches the trigger level. */
  private put(c: number): void {
    this.rx.push(c)
    let ris = this.regs.get('UARTRIS')
    if (this.rx.length === this.trigger()) ris |= INT_RX
    if (this.rxTrigger === 'ifls') ris |= INT_RT
    this.regs.set('UARTRIS', ris)
  }

  private readDr(): number {
    // QEMU returns the stale FIFO slot when empty; 0 here, with no error bits
    const c = this.rx.length ? this.rx.shift()! : 0
    this.regs.set('UARTRSR', c >>> 8)
    // TRM: RXRIS clears as reads take the FIFO below the trigger level, RTRIS as they empty it
    let ris = this.regs.get('UARTRIS')
    if (this.rx.length < this.trigger()) ris &= ~INT_RX
    if (this.rx.length === 0) ris &= ~INT_RT
    this.regs.set('UARTRIS', ris)
    this.refill()
    this.update()
    return c
  }

  private writeDr(written: number): void {
    const c = written & 0xff
    // QEMU sends the character out even in loopback (pl011_write, then pl011_loopback_tx)
    this.port.emit(c)
    if (this.loopback()) this.enqueue(c)
    // sent at once: the transmit FIFO has fallen through its level again (QEMU: int_level |= INT_TX)
    this.regs.set('UARTRIS', this.regs.get('UARTRIS') | INT_TX)
    this.update()
  }

  private writeLcrH(v: number, old: number): void {
    // QEMU: turning the FIFO on or off empties it (the characters in it are lost)
    if ((v ^ old) & LCR_H_FEN) this.rx = []
    // QEMU pl011_loopback_break: a break started in loopback arrives as a break character
    if ((v & ~old & LCR_H_BRK) && this.loopback()) this.backlog.push(DR_BE)
    this.refill()
    this.update()
  }

  private writeCr(): void {
    const cr = this.regs.get('UARTCR')
    if (!(cr & CR_LBE)) return
    // QEMU pl011_loopback_mdmctrl: in loopback the modem outputs drive the modem status inputs,
    // and each modem interrupt follows its input's level (the TRM raises them on a change)
    const fr = (cr & CR_OUT2 ? FR_RI : 0) | (cr & CR_OUT1 ? FR_DCD : 0) | (cr & CR_RTS ? FR_CTS : 0) | (cr & CR_DTR ? FR_DSR : 0)
    const ms = (fr & FR_RI ? INT_RI : 0) | (fr & FR_DCD ? INT_DCD : 0) | (fr & FR_CTS ? INT_CTS : 0) | (fr & FR_DSR ? INT_DSR : 0)
    this.regs.set('UARTFR', fr)
    this.regs.set('UARTRIS', (this.regs.get('UARTRIS') & ~INT_MS) | ms)
    this.update()
  }

  private clearInterrupts(written: number): void {
    this.regs.set('UARTRIS', this.regs.get('UARTRIS') & ~written)
    this.update()
  }

  private fr(modem: number): number {
    const n = this.rx.length
    return (modem & FR_MODEM) | FR_TXFE | (n === 0 ? FR_RXFE : 0) | (n >= this.depth() ? FR_RXFF : 0)
  }

  /** UARTINTR, the combined line: any unmasked raw interrupt (QEMU's irq[0]). */
  private update(force = false): void {
    const level = (this.regs.get('UARTRIS') & this.regs.get('UARTIMSC')) !== 0
    if (level === this.level && !force) return
    this.level = level
    this.irq.set(level)
  }

  reset(): void {
    this.regs.reset()
    this.rx = []
    this.refill()
    this.update(true)
  }

  snapshot(): Pl011State {
    return { regs: this.regs.snapshot(), rx: [...this.rx], backlog: [...this.backlog] }
  }

  checkState(state: unknown): void {
    const s = checkState(savedState, state)
    this.regs.check(s.regs, 'regs')
    // as QEMU's pl011_post_load: no more characters than the FIFO holds in the saved mode
    const lcrH = (s.regs as Record<string, unknown> | null | undefined)?.UARTLCR_H
    const depth = typeof lcrH === 'number' && lcrH & LCR_H_FEN ? FIFO_DEPTH : 1
    const n = s.rx?.length ?? 0
    if (n > depth) throw new StateError('rx', `holds ${n} characters, the receive FIFO holds ${depth} with UARTLCR_H.FEN ${depth === 1 ? 'clear' : 'set'}`)
  }

  restore(state: unknown): void {
    this.checkState(state)
    const s = state as Partial<Pl011State>
    this.regs.restore(s.regs)
    this.rx = Array.isArray(s.rx) ? [...s.rx] : []
    this.backlog = Array.isArray(s.backlog) ? [...s.backlog] : []
    this.update(true)
  }
}
