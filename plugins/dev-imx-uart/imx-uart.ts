/**
 * The i.MX UART as on i.MX 8M Quad (i.MX 8M Dual/8M QuadLite/8M Quad Applications Processor
 * Reference Manual, chapter "Universal Asynchronous Receiver/Transmitter (UART)"; the same block as
 * i.MX6/7, QEMU's imx_serial). Register and bit names are the manual's: URXD 0x00, UTXD 0x40,
 * UCR1–UCR4 0x80–0x8c, UFCR, USR1, USR2, UESC, UTIM, UBIR, UBMR, UBRC, ONEMS, UTS 0x90–0xb4, each
 * 16 bits wide in a 32-bit slot (ONEMS 24).
 *
 * - 32-entry FIFOs each way. The transmitter runs while UCR1.UARTEN and UCR2.TXEN are set, the
 *   receiver while UARTEN and RXEN are: written characters wait in the TxFIFO (a write to a full
 *   one is lost), input waits too.
 * - Status: USR1.TRDY while the TxFIFO holds fewer than UFCR.TXTL, USR1.RRDY while the RxFIFO holds
 *   at least RXTL (and something), USR2.RDR while it holds anything, USR2.TXFE / TXDC while the
 *   TxFIFO is empty (nothing is ever mid-character); UTS.TXEMPTY/RXEMPTY/TXFULL/RXFULL likewise.
 *   Read characters carry URXD.CHARRDY; a read of an empty RxFIFO returns 0 (CHARRDY clear).
 * - The ageing timer (USR1.AGTIM) fires 8 character times after the last character while the
 *   RxFIFO is below RXTL; virtual time has no line rate, so it fires as such a character arrives.
 *   USR2.WAKE latches as any character arrives (start bit seen). Both are write-1-to-clear, as
 *   are USR1's and USR2's other event flags.
 * - The interrupt line: TRDY & UCR1.TRDYEN, RRDY & UCR1.RRDYEN, TXFE & UCR1.TXMPTYEN, AGTIM &
 *   UCR2.ATEN, RDR & UCR4.DREN, TXDC & UCR4.TCEN, ORE & UCR4.OREN, WAKE & UCR4.WKEN,
 *   RXDS & UCR3.RXDSEN (the receiver is always idle between characters here).
 * - UCR2.SRST written 0 resets the state machines, the FIFOs, USR1, USR2, UBIR, UBMR, UBRC and
 *   UTS's status bits, and reads 1 again at once. UTS.LOOP loops the transmitter into the receiver
 *   (nothing leaves, input is ignored); UTS.RXDBG keeps URXD reads from advancing the RxFIFO.
 *
 * `params.firmwareInit` (default true): the UART comes up as the boot loader leaves it (U-Boot's
 * mxc_serial: UCR1.UARTEN, UCR2 = SRST | RXEN | TXEN | WS | IRTS), which Bao's imx driver counts on
 * (its uart_init does nothing); false gives the manual's reset values (UCR1 0, UCR2 0x0001).
 * Output and input pace as in the 16550 and PL011 models (uart-common/serial-io.ts): characters
 * leave at once, input beyond the FIFO waits in a backlog, so USR2.ORE never sets.
 */
import type { Device, DeviceContext, SerialPort } from '../../core/device.ts'
import { Registers, type RegSpec } from '../../core/regs.ts'
import { boolParam, IrqOut, openPort, RxFifo, storedBits, TxFifo } from '../uart-common/serial-io.ts'
import { fifoUartSchema, FifoUartSaver, type FifoUartState } from '../uart-common/fifo-state.ts'

export const FIFO_DEPTH = 32
// URXD
const URXD_CHARRDY = 1 << 15
// UCR1
const UCR1_UARTEN = 1 << 0
const UCR1_TXMPTYEN = 1 << 6
const UCR1_RRDYEN = 1 << 9
const UCR1_TRDYEN = 1 << 13
// UCR2
const UCR2_SRST = 1 << 0
const UCR2_RXEN = 1 << 1
const UCR2_TXEN = 1 << 2
const UCR2_ATEN = 1 << 3
const UCR2_WS = 1 << 5
const UCR2_IRTS = 1 << 14
// UCR3
const UCR3_RXDSEN = 1 << 6
// UCR4
const UCR4_DREN = 1 << 0
const UCR4_OREN = 1 << 1
const UCR4_TCEN = 1 << 3
const UCR4_WKEN = 1 << 7
// USR1: stored are the write-1-to-clear flags; TRDY, RRDY, RXDS (and RTSS, the RTS pin: 0) are computed
const USR1_TRDY = 1 << 13
const USR1_RRDY = 1 << 9
const USR1_AGTIM = 1 << 8
const USR1_RXDS = 1 << 6
const USR1_W1C = 0x9db8 // PARITYERR, RTSD, ESCF, FRAMERR, AGTIM, DTRD, AIRINT, AWAKE, SAD
// USR2: stored are the write-1-to-clear flags; TXFE, TXDC, RDR and the DCDIN / RIIN pins are computed
const USR2_TXFE = 1 << 14
const USR2_WAKE = 1 << 7
const USR2_DCDIN = 1 << 5
const USR2_TXDC = 1 << 3
const USR2_ORE = 1 << 1
const USR2_RDR = 1 << 0
const USR2_W1C = 0xbdd6 // ADET, DTRF, IDLE, ACST, RIDELT, IRINT, WAKE, DCDDELT, RTSF, BRCD, ORE
// UTS
const UTS_RXFULL = 1 << 3
const UTS_TXFULL = 1 << 4
const UTS_RXEMPTY = 1 << 5
const UTS_TXEMPTY = 1 << 6
const UTS_RXDBG = 1 << 9
const UTS_LOOP = 1 << 12
const UTS_RW = 0x3e00 // RXDBG, LOOPIR, DBGEN, LOOP, FRCPERR

export type ImxUartState = FifoUartState

const savedState = fifoUartSchema(FIFO_DEPTH)

export class ImxUart implements Device {
  private readonly regs: Registers
  /** what each register may hold in a saved state */
  private readonly bits: Record<string, number>
  private readonly irq: IrqOut
  private readonly port: SerialPort
  private readonly rx = new RxFifo(() => (this.enabled(UCR2_RXEN) ? FIFO_DEPTH : 0), () => this.entered())
  private readonly tx = new TxFifo(() => FIFO_DEPTH, () => this.enabled(UCR2_TXEN), (b) => this.line(b))

  constructor(ctx: DeviceContext) {
    this.irq = new IrqOut(ctx)
    const boot = boolParam(ctx, 'firmwareInit', true)
    const w16 = { mask: 0xffff }
    const specs: RegSpec[] = [
      { name: 'URXD', offset: 0x00, access: 'r', read: () => this.readUrxd() },
      { name: 'UTXD', offset: 0x40, access: 'w', mask: 0, write: (_v, _o, w) => this.writeUtxd(w) },
      { name: 'UCR1', offset: 0x80, ...w16, reset: boot ? UCR1_UARTEN : 0, write: () => this.changed() },
      {
        name: 'UCR2', offset: 0x84, ...w16, reset: boot ? UCR2_SRST | UCR2_RXEN | UCR2_TXEN | UCR2_WS | UCR2_IRTS : UCR2_SRST,
        write: (v) => this.writeUcr2(v),
      },
      // RI, DCD, DSR set
      { name: 'UCR3', offset: 0x88, ...w16, reset: 0x0700, write: () => this.update() },
      // CTSTL = 32
      { name: 'UCR4', offset: 0x8c, ...w16, reset: 0x8000, write: () => this.update() },
      // TXTL = 2, RXTL = 1
      { name: 'UFCR', offset: 0x90, ...w16, reset: 0x0801, write: () => this.update() },
      { name: 'USR1', offset: 0x94, mask: 0, read: (s) => s | this.usr1Now(), write: (_v, old, w) => this.setStatus('USR1', old & ~(w & USR1_W1C)) },
      { name: 'USR2', offset: 0x98, mask: 0, read: (s) => s | this.usr2Now(), write: (_v, old, w) => this.setStatus('USR2', old & ~(w & USR2_W1C)) },
      { name: 'UESC', offset: 0x9c, mask: 0xff, reset: 0x2b },
      { name: 'UTIM', offset: 0xa0, mask: 0xfff },
      // the baud rate: written UBIR first, then UBMR; both read back as written
      { name: 'UBIR', offset: 0xa4, ...w16 },
      { name: 'UBMR', offset: 0xa8, ...w16 },
      { name: 'UBRC', offset: 0xac, access: 'r', reset: 0x4 },
      { name: 'ONEMS', offset: 0xb0, mask: 0xff_ffff },
      { name: 'UTS', offset: 0xb4, mask: UTS_RW, read: (s) => s | this.utsNow(), write: () => this.changed() },
    ]
    this.regs = new Registers(specs)
    this.bits = storedBits(specs, { USR1: USR1_W1C, USR2: USR2_W1C })
    this.port = openPort(ctx, (b) => this.receive(b))
  }

  read(offset: number, size: number): number {
    return this.regs.read(offset, size)
  }

  write(offset: number, size: number, value: number): void {
    this.regs.write(offset, size, value)
  }

  /** A character from the outside world (the serial port). */
  receive(byte: number): void {
    // internal loopback: the receiver hears the transmitter only
    if (this.regs.get('UTS') & UTS_LOOP) return
    this.rx.arrive(byte)
    this.update()
  }

  /** the UART is on (UCR1.UARTEN) and so is the transmitter or receiver (`en` of UCR2) */
  private enabled(en: number): boolean {
    return (this.regs.get('UCR1') & UCR1_UARTEN) !== 0 && (this.regs.get('UCR2') & en) !== 0
  }

  private line(b: number): void {
    if (this.regs.get('UTS') & UTS_LOOP) this.rx.arrive(b)
    else this.port.emit(b)
  }

  private rxtl(): number {
    return this.regs.get('UFCR') & 0x3f
  }

  /** a character moved into the RxFIFO: its start bit woke the receiver; below RXTL the ageing timer fires */
  private entered(): void {
    this.regs.set('USR2', this.regs.get('USR2') | USR2_WAKE)
    if (this.rx.length < this.rxtl()) this.regs.set('USR1', this.regs.get('USR1') | USR1_AGTIM)
  }

  private readUrxd(): number {
    const c = this.regs.get('UTS') & UTS_RXDBG ? this.rx.entries[0] : this.rx.pop()
    this.update()
    return c === undefined ? 0 : c | URXD_CHARRDY
  }

  private writeUtxd(written: number): void {
    // a character written to a full TxFIFO is lost
    this.tx.write(written)
    this.update()
  }

  private writeUcr2(v: number): void {
    if (!(v & UCR2_SRST)) {
      this.softReset()
      this.regs.set('UCR2', v | UCR2_SRST)
    }
    this.changed()
  }

  /** UCR2.SRST: the state machines, FIFOs and status registers (and the baud registers) */
  private softReset(): void {
    for (const r of ['USR1', 'USR2', 'UBIR', 'UBMR']) this.regs.set(r, 0)
    this.regs.set('UBRC', 0x4)
    this.regs.set('UTS', this.regs.get('UTS') & UTS_RW)
    this.tx.flush()
    this.rx.flush()
  }

  /** UCR1, UCR2 or UTS changed: the transmitter or receiver may have come on */
  private changed(): void {
    this.tx.drain()
    this.rx.refill()
    this.update()
  }

  private setStatus(name: 'USR1' | 'USR2', v: number): void {
    this.regs.set(name, v)
    this.update()
  }

  private usr1Now(): number {
    const rx = this.rx.length
    const txtl = (this.regs.get('UFCR') >>> 10) & 0x3f
    return (this.tx.length < txtl ? USR1_TRDY : 0) | (rx > 0 && rx >= this.rxtl() ? USR1_RRDY : 0) | USR1_RXDS
  }

  private usr2Now(): number {
    const txEmpty = this.tx.length === 0
    return (txEmpty ? USR2_TXFE | USR2_TXDC : 0) | (this.rx.length ? USR2_RDR : 0) | USR2_DCDIN
  }

  private utsNow(): number {
    const rx = this.rx.length
    const tx = this.tx.length
    return (rx === FIFO_DEPTH ? UTS_RXFULL : 0) | (tx === FIFO_DEPTH ? UTS_TXFULL : 0) | (rx === 0 ? UTS_RXEMPTY : 0) | (tx === 0 ? UTS_TXEMPTY : 0)
  }

  private pending(): boolean {
    const usr1 = this.regs.get('USR1') | this.usr1Now()
    const usr2 = this.regs.get('USR2') | this.usr2Now()
    const ucr1 = this.regs.get('UCR1')
    const ucr2 = this.regs.get('UCR2')
    const ucr3 = this.regs.get('UCR3')
    const ucr4 = this.regs.get('UCR4')
    // TRDYEN and RRDYEN sit at TRDY's and RRDY's positions; DREN, OREN, TCEN, WKEN at RDR's, ORE's, TXDC's, WAKE's
    return (usr1 & ucr1 & (USR1_TRDY | USR1_RRDY)) !== 0
      || (ucr2 & UCR2_ATEN && usr1 & USR1_AGTIM) !== 0
      || (ucr3 & UCR3_RXDSEN && usr1 & USR1_RXDS) !== 0
      || (ucr1 & UCR1_TXMPTYEN && usr2 & USR2_TXFE) !== 0
      || (usr2 & ucr4 & (UCR4_DREN | UCR4_OREN | UCR4_TCEN | UCR4_WKEN)) !== 0
  }

  private update(force = false): void {
    this.irq.set(this.pending(), force)
  }

  reset(): void {
    this.regs.reset()
    this.tx.flush()
    this.rx.flush()
    this.update(true)
  }

  private saver(): FifoUartSaver {
    return new FifoUartSaver(savedState, this.regs, this.rx, this.tx, this.bits)
  }

  snapshot(): ImxUartState {
    return this.saver().snapshot()
  }

  /** the computed status bits never come from a state (storedBits) */
  checkState(state: unknown): void {
    this.saver().check(state)
  }

  restore(state: unknown): void {
    this.saver().restore(state)
    this.update(true)
  }
}
