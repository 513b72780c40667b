/**
 * The NXP Low Power UART with 32-bit registers (LPUART chapter of the i.MX 8QuadMax reference
 * manual; the i.MX8QM's LPUART0–4 in its DMA subsystem, console LPUART0 at 0x5a060000). Register
 * and bit names are the manual's: VERID, PARAM, GLOBAL, PINCFG, BAUD, STAT, CTRL, DATA, MATCH,
 * MODIR, FIFO, WATER.
 *
 * - FIFO sizes come from PARAM (log2 of the entries) and FIFO.RXFIFOSIZE/TXFIFOSIZE (their
 *   encoding); `params.fifoDepth` (default 64, as the i.MX8QM's DMA-subsystem LPUARTs) sets
 *   both. With FIFO.RXFE / TXFE clear each direction has a one-word buffer instead.
 * - STAT: TDRE while the transmit count is at most TXWATER (empty, FIFO off), TC while nothing
 *   waits to be sent, RDRF while the receive count exceeds RXWATER (holds a word, FIFO off).
 *   IDLE, OR, NF, FE, PF, MA1F, MA2F, RXEDGIF, LBKDIF are write-1-to-clear; FIFO.RXUF and TXOF too.
 * - CTRL.TE / RE run the transmitter and receiver (both off at reset): written words wait for TE,
 *   input waits for RE. A write to a full transmit FIFO is lost and sets FIFO.TXOF; a read of
 *   an empty receive buffer returns DATA.RXEMPT set and sets FIFO.RXUF.
 * - Idle line: the receiver idles right after each character (virtual time has no line rate), so
 *   STAT.IDLE rises as each character arrives, and with FIFO.RXIDEN non-zero RDRF holds while the
 *   FIFO holds anything, as the 16550 model reports its character timeout at once.
 * - CTRL.LOOPS with RSRC clear loops the transmitter into the receiver: nothing leaves, input is
 *   ignored. Single-wire mode (RSRC set) acts as normal operation here.
 * - GLOBAL.RST resets every other register and both FIFOs as it is written 1 (holding them in
 *   reset while it stays 1 is not modelled).
 * Output and input pace as in the 16550 and PL011 models (uart-common/serial-io.ts): words leave
 * at once, input beyond the FIFO waits in a backlog, so STAT.OR never sets.
 */
import type { Device, DeviceContext, SerialPort } from '../../core/device.ts'
import { Registers, type RegSpec } from '../../core/regs.ts'
import { choiceParam, IrqOut, openPort, RxFifo, storedBits, TxFifo } from '../uart-common/serial-io.ts'
import { fifoUartSchema, FifoUartSaver, type FifoUartState } from '../uart-common/fifo-state.ts'

/** VERID: major 4, minor 1, feature 3 (standard features with modem/IrDA) */
const VERID = 0x0401_0003
const GLOBAL_RST = 0x2
// STAT
const STAT_LBKDIF = 1 << 31
const STAT_RXEDGIF = 1 << 30
const STAT_RW = 0x3e00_0000 // MSBF, RXINV, RWUID, BRK13, LBKDE
const STAT_TDRE = 1 << 23
const STAT_TC = 1 << 22
const STAT_RDRF = 1 << 21
const STAT_IDLE = 1 << 20
const STAT_OR = 1 << 19
const STAT_NF = 1 << 18
const STAT_FE = 1 << 17
const STAT_PF = 1 << 16
const STAT_MA1F = 1 << 15
const STAT_MA2F = 1 << 14
const STAT_W1C = (STAT_LBKDIF | STAT_RXEDGIF | STAT_IDLE | STAT_OR | STAT_NF | STAT_FE | STAT_PF | STAT_MA1F | STAT_MA2F) >>> 0
// CTRL
const CTRL_RSRC = 1 << 5
const CTRL_LOOPS = 1 << 7
const CTRL_MA2IE = 1 << 14
const CTRL_MA1IE = 1 << 15
const CTRL_RE = 1 << 18
const CTRL_TE = 1 << 19
const CTRL_ILIE = 1 << 20
const CTRL_RIE = 1 << 21
const CTRL_TCIE = 1 << 22
const CTRL_TIE = 1 << 23
const CTRL_PEIE = 1 << 24
const CTRL_FEIE = 1 << 25
const CTRL_NEIE = 1 << 26
const CTRL_ORIE = 1 << 27
// BAUD interrupt enables
const BAUD_RXEDGIE = 1 << 14
const BAUD_LBKDIE = 1 << 15
// DATA
const DATA_RXEMPT = 1 << 12
// FIFO
const FIFO_RXFE = 1 << 3
const FIFO_TXFE = 1 << 7
const FIFO_RXUFE = 1 << 8
const FIFO_TXOFE = 1 << 9
const FIFO_RXIDEN = 0x7 << 10
const FIFO_RXFLUSH = 1 << 14
const FIFO_TXFLUSH = 1 << 15
const FIFO_RXUF = 1 << 16
const FIFO_TXOF = 1 << 17
const FIFO_RXEMPT = 1 << 22
const FIFO_TXEMPT = 1 << 23
const FIFO_RW = FIFO_RXFE | FIFO_TXFE | FIFO_RXUFE | FIFO_TXOFE | FIFO_RXIDEN
/** [enable, flag]: CTRL's interrupt enables for STAT flags */
const CTRL_ENABLES: readonly (readonly [number, number])[] = [
  [CTRL_TIE, STAT_TDRE], [CTRL_TCIE, STAT_TC], [CTRL_RIE, STAT_RDRF], [CTRL_ILIE, STAT_IDLE], [CTRL_ORIE, STAT_OR],
  [CTRL_NEIE, STAT_NF], [CTRL_FEIE, STAT_FE], [CTRL_PEIE, STAT_PF], [CTRL_MA1IE, STAT_MA1F], [CTRL_MA2IE, STAT_MA2F],
]
/** BAUD's interrupt enables for STAT flags */
const BAUD_ENABLES: readonly (readonly [number, number])[] = [[BAUD_LBKDIE, STAT_LBKDIF], [BAUD_RXEDGIE, STAT_RXEDGIF]]
/** FIFO's interrupt enables for its own flags */
const FIFO_ENABLES: readonly (readonly [number, number])[] = [[FIFO_RXUFE, FIFO_RXUF], [FIFO_TXOFE, FIFO_TXOF]]
/** the FIFO sizes `params.fifoDepth` may name (FIFO.RXFIFOSIZE encodes 1, 4, 8, … 256) */
const DEPTHS = [4, 8, 16, 32, 64, 128] as const

export type LpuartState = FifoUartState

export class Lpuart implements Device {
  private readonly regs: Registers
  /** what each register may hold in a saved state */
  private readonly bits: Record<string, number>
  private readonly irq: IrqOut
  private readonly port: SerialPort
  /** entries of each FIFO (PARAM) */
  private readonly size: number
  private readonly rx = new RxFifo(() => this.rxDepth(), () => this.entered())
  private readonly tx = new TxFifo(() => (this.regs.get('FIFO') & FIFO_TXFE ? this.size : 1), () => (this.regs.get('CTRL') & CTRL_TE) !== 0, (b) => this.line(b))
  private readonly savedState: ReturnType<typeof fifoUartSchema>

  constructor(ctx: DeviceContext) {
    this.irq = new IrqOut(ctx)
    this.size = choiceParam(ctx, 'fifoDepth', DEPTHS, 64)
    const log2 = Math.log2(this.size)
    const param = (log2 << 8) | log2
    // FIFO.RXFIFOSIZE / TXFIFOSIZE: 0 is one word, then 4 << (n - 1)
    const sizeCode = log2 - 1
    const water = (this.size - 1) * 0x1_0001
    this.savedState = fifoUartSchema(this.size)
    const specs: RegSpec[] = [
      // identification: reads never consult the stored copy, so a restored state cannot change them
      { name: 'VERID', offset: 0x00, access: 'r', reset: VERID, read: () => VERID },
      { name: 'PARAM', offset: 0x04, access: 'r', reset: param, read: () => param },
      { name: 'GLOBAL', offset: 0x08, mask: GLOBAL_RST, write: (v, old) => { if (v & ~old & GLOBAL_RST) this.softReset() } },
      { name: 'PINCFG', offset: 0x0c, mask: 0x3 },
      // SBR 12:0 = 4, OSR 28:24 = 15 (16x oversampling); bit 22 is reserved
      { name: 'BAUD', offset: 0x10, mask: 0xffbf_ffff, reset: 0x0f00_0004, write: () => this.update() },
      // stored: the control bits and the latched flags; TDRE, TC, RDRF are computed
      { name: 'STAT', offset: 0x14, mask: STAT_RW, read: (s) => s | this.statNow(), write: (v, _o, w) => this.setStat(v & ~(w & STAT_W1C)) },
      // bits 13:12 are reserved
      { name: 'CTRL', offset: 0x18, mask: 0xffff_cfff, write: () => this.changed() },
      { name: 'DATA', offset: 0x1c, mask: 0, reset: DATA_RXEMPT, read: () => this.readData(), write: (_v, _o, w) => this.writeData(w) },
      { name: 'MATCH', offset: 0x20, mask: 0x03ff_03ff },
      { name: 'MODIR', offset: 0x24, mask: 0x0007_ff3f },
      // stored: the enables and the two latched flags; the sizes and empty flags are computed
      {
        name: 'FIFO', offset: 0x28, mask: FIFO_RW, read: (s) => s | this.fifoNow(sizeCode),
        write: (v, _o, w) => this.writeFifo(v, w),
      },
      // stored: the watermarks; TXCOUNT (from bit 8) and RXCOUNT (from bit 24) are computed
      { name: 'WATER', offset: 0x2c, mask: water, read: (s) => (s | (this.tx.length << 8) | (this.rx.length << 24)) >>> 0, write: () => this.update() },
    ]
    this.regs = new Registers(specs)
    this.bits = storedBits(specs, { STAT: STAT_W1C, FIFO: FIFO_RXUF | FIFO_TXOF })
    this.port = openPort(ctx, (b) => this.receive(b))
  }

  read(offset: number, size: number): number {
    return this.regs.read(offset, size)
  }

  write(offset: number, size: number, value: number): void {
    this.regs.write(offset, size, value)
  }

  /** A byte from the outside world (the serial port). */
  receive(byte: number): void {
    // internal loopback: the receiver hears the transmitter only
    if (this.loopback()) return
    this.rx.arrive(byte)
    this.update()
  }

  private loopback(): boolean {
    return (this.regs.get('CTRL') & (CTRL_LOOPS | CTRL_RSRC)) === CTRL_LOOPS
  }

  private rxDepth(): number {
    if (!(this.regs.get('CTRL') & CTRL_RE)) return 0
    return this.regs.get('FIFO') & FIFO_RXFE ? this.size : 1
  }

  private line(b: number): void {
    if (this.loopback()) this.rx.arrive(b)
    else this.port.emit(b)
  }

  /** a word moved into the receive buffer: the line goes idle after it at once */
  private entered(): void {
    this.regs.set('STAT', this.regs.get('STAT') | STAT_IDLE)
  }

  private readData(): number {
    const b = this.rx.pop()
    if (b === undefined) {
      // RXUF asserts whatever RXUFE says
      this.regs.set('FIFO', this.regs.get('FIFO') | FIFO_RXUF)
      this.update()
      return DATA_RXEMPT
    }
    this.update()
    return b
  }

  private writeData(written: number): void {
    if (!this.tx.write(written & 0xff)) this.regs.set('FIFO', this.regs.get('FIFO') | FIFO_TXOF)
    this.update()
  }

  private writeFifo(v: number, written: number): void {
    // v holds the old RXUF/TXOF (outside the mask): written 1s clear them
    this.regs.set('FIFO', v & ~(written & (FIFO_RXUF | FIFO_TXOF)))
    if (written & FIFO_TXFLUSH) this.tx.flush()
    if (written & FIFO_RXFLUSH) this.rx.flush()
    this.changed()
  }

  private setStat(v: number): void {
    this.regs.set('STAT', v)
    this.update()
  }

  /** CTRL or FIFO changed: the transmitter or receiver may have come on, a buffer grown */
  private changed(): void {
    this.tx.drain()
    this.rx.refill()
    this.update()
  }

  private softReset(): void {
    this.regs.reset()
    this.regs.set('GLOBAL', GLOBAL_RST)
    this.tx.flush()
    this.rx.flush()
    this.update()
  }

  /** TDRE, TC and RDRF from the FIFOs */
  private statNow(): number {
    const fifo = this.regs.get('FIFO')
    const water = this.regs.get('WATER')
    const txwater = water & (this.size - 1)
    const rxwater = (water >>> 16) & (this.size - 1)
    const tx = this.tx.length
    const rx = this.rx.length
    const tdre = fifo & FIFO_TXFE ? tx <= txwater : tx === 0
    const rdrf = fifo & FIFO_RXFE ? rx > rxwater || ((fifo & FIFO_RXIDEN) !== 0 && rx > 0) : rx > 0
    return ((tdre ? STAT_TDRE : 0) | (tx === 0 ? STAT_TC : 0) | (rdrf ? STAT_RDRF : 0)) >>> 0
  }

  private fifoNow(sizeCode: number): number {
    return ((this.rx.length === 0 ? FIFO_RXEMPT : 0) | (this.tx.length === 0 ? FIFO_TXEMPT : 0) | (sizeCode << 4) | sizeCode) >>> 0
  }

  /** the one interrupt output: any flag whose enable (CTRL, BAUD, FIFO) is set */
  private pending(): boolean {
    const stat = this.regs.get('STAT') | this.statNow()
    const ctrl = this.regs.get('CTRL')
    const baud = this.regs.get('BAUD')
    const fifo = this.regs.get('FIFO')
    for (const [enable, flag] of CTRL_ENABLES) if (ctrl & enable && stat & flag) return true
    for (const [enable, flag] of BAUD_ENABLES) if (baud & enable && stat & flag) return true
    for (const [enable, flag] of FIFO_ENABLES) if (fifo & enable && fifo & flag) return true
    return false
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
    return new FifoUartSaver(this.savedState, this.regs, this.rx, this.tx, this.bits)
  }

  snapshot(): LpuartState {
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
