/**
 * The Cadence UART of the Xilinx Zynq UltraScale+ MPSoC (UG1085 chapter 21 "UART Controller" and
 * its register reference, module UART; the zynq_uart of ZCU102/ZCU104/Ultra96). Register names
 * are Linux's (xilinx_uartps.c), the UG1085 names beside them: CR (Control), MR (mode), IER / IDR
 * / IMR / ISR (Intrpt_en / _dis / _mask, Chnl_int_sts), BAUDGEN, RXTOUT (Rcvr_timeout), RXWM
 * (Rcvr_FIFO_trigger_level), MODEMCR, MODEMSR, SR (Channel_sts), FIFO (TX_RX_FIFO), BAUDDIV,
 * FLOWDEL, TXWM (Tx_FIFO_trigger_level).
 *
 * - FIFOs of 64 bytes each way. The receiver and transmitter run only while enabled (CR: RXEN and
 *   not RXDIS; TXEN and not TXDIS; both disabled at reset). Bytes written while the transmitter
 *   is off wait in its FIFO; a write to a full FIFO is lost and raises TOVR.
 * - ISR bits are events latched until written 1 (UG1085: sticky, write 1 to clear): RTRIG as a
 *   byte arrives with the fill level at or above RXWM, RFUL as one fills the FIFO, REMPTY as a
 *   read empties it, TEMPTY as the transmitter empties its FIFO, TFUL / TTRIG as a write fills it
 *   to the top / to TXWM, TOVR as above. SR reports the same conditions continuously.
 * - The interrupt line is (ISR & IMR) != 0; IER sets IMR bits, IDR clears them.
 * - The receiver timeout (TIMEOUT) counts RXTOUT × 4 character times of silence; virtual time has
 *   no line rate, so with RXTOUT non-zero it is raised as each byte arrives, as the 16550 model
 *   reports its character timeout at once. RXTOUT 0 disables it.
 * - MR.CHMODE: normal; automatic echo (input is received and sent back; FIFO writes are ignored);
 *   local loopback (what is written is received, nothing leaves, input is ignored); remote loopback
 *   (input is sent back, not received; FIFO writes are ignored).
 * Output and input pace as in the 16550 and PL011 models (uart-common/serial-io.ts): bytes leave
 * at once, input beyond the FIFO waits in a backlog, so ROVR never rises.
 */
import type { Device, DeviceContext, SerialPort } from '../../core/device.ts'
import { Registers, type RegSpec } from '../../core/regs.ts'
import { IrqOut, openPort, RxFifo, storedBits, TxFifo } from '../uart-common/serial-io.ts'
import { fifoUartSchema, FifoUartSaver, type FifoUartState } from '../uart-common/fifo-state.ts'

export const FIFO_DEPTH = 64
// CR (Control)
const CR_RXRST = 0x001 // self-clearing commands: reset the receive / transmit path
const CR_TXRST = 0x002
const CR_RX_EN = 0x004
const CR_RX_DIS = 0x008
const CR_TX_EN = 0x010
const CR_TX_DIS = 0x020
const CR_STORED = 0x1bc // RX_EN, RX_DIS, TX_EN, TX_DIS, STARTBRK, STOPBRK (TORST, bit 6, self-clears too)
// MR.CHMODE, bits 9:8
const MR_CHMODE_SHIFT = 8
const CHMODE_NORMAL = 0
const CHMODE_ECHO = 1
const CHMODE_LOCAL_LOOP = 2
const CHMODE_REMOTE_LOOP = 3
// one layout for IER, IDR, IMR and ISR
const IXR_RTRIG = 0x0001
const IXR_REMPTY = 0x0002
const IXR_RFUL = 0x0004
const IXR_TEMPTY = 0x0008
const IXR_TFUL = 0x0010
const IXR_TIMEOUT = 0x0100
const IXR_TTRIG = 0x0400
const IXR_TOVR = 0x1000
const IXR_ALL = 0x1fff
// SR (Channel_sts)
const SR_RXOVR = 0x0001 // the receive FIFO trigger: fill level >= RXWM
const SR_RXEMPTY = 0x0002
const SR_RXFULL = 0x0004
const SR_TXEMPTY = 0x0008
const SR_TXFULL = 0x0010
const SR_FDELT = 0x1000
const SR_TTRIG = 0x2000
const SR_TNFUL = 0x4000 // the transmit FIFO is nearly full: one byte of room or none
// MODEMCR.FCM mirrored in MODEMSR.FCMS
const MODEMCR_FCM = 0x20
const MODEMSR_FCMS = 0x100

export type CdnsUartState = FifoUartState

const savedState = fifoUartSchema(FIFO_DEPTH)

export class CdnsUart implements Device {
  private readonly regs: Registers
  /** what each register may hold in a saved state */
  private readonly bits: Record<string, number>
  private readonly irq: IrqOut
  private readonly port: SerialPort
  private readonly rx = new RxFifo(() => (this.rxOn() ? FIFO_DEPTH : 0), () => this.entered())
  private readonly tx: TxFifo

  constructor(ctx: DeviceContext) {
    this.irq = new IrqOut(ctx)
    this.tx = new TxFifo(() => FIFO_DEPTH, () => this.txOn(), (b) => this.line(b))
    const specs: RegSpec[] = [
      { name: 'CR', offset: 0x00, mask: CR_STORED, reset: 0x128, write: (_v, _o, w) => this.writeCr(w) },
      { name: 'MR', offset: 0x04, mask: 0x3ff },
      // write-only commands on IMR; IMR itself is read-only
      { name: 'IER', offset: 0x08, access: 'w', mask: 0, write: (_v, _o, w) => this.setImr(this.regs.get('IMR') | w) },
      { name: 'IDR', offset: 0x0c, access: 'w', mask: 0, write: (_v, _o, w) => this.setImr(this.regs.get('IMR') & ~w) },
      { name: 'IMR', offset: 0x10, access: 'r', mask: IXR_ALL },
      // write 1 to clear
      { name: 'ISR', offset: 0x14, mask: 0, write: (_v, old, w) => this.setIsr(old & ~w) },
      { name: 'BAUDGEN', offset: 0x18, mask: 0xffff, reset: 0x28b },
      { name: 'RXTOUT', offset: 0x1c, mask: 0xff },
      { name: 'RXWM', offset: 0x20, mask: 0x3f, reset: 0x20 },
      // DTR, RTS, FCM
      { name: 'MODEMCR', offset: 0x24, mask: 0x23 },
      // no modem lines: DCTS..DCD read 0; FCMS mirrors MODEMCR.FCM
      { name: 'MODEMSR', offset: 0x28, access: 'r', read: () => (this.regs.get('MODEMCR') & MODEMCR_FCM ? MODEMSR_FCMS : 0) },
      { name: 'SR', offset: 0x2c, access: 'r', read: () => this.sr() },
      { name: 'FIFO', offset: 0x30, mask: 0, read: () => this.readFifo(), write: (_v, _o, w) => this.writeFifo(w) },
      { name: 'BAUDDIV', offset: 0x34, mask: 0xff, reset: 0xf },
      { name: 'FLOWDEL', offset: 0x38, mask: 0x3f },
      { name: 'TXWM', offset: 0x44, mask: 0x3f, reset: 0x20 },
    ]
    this.regs = new Registers(specs)
    this.bits = storedBits(specs, { ISR: IXR_ALL })
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
    const mode = this.chmode()
    if (mode === CHMODE_NORMAL || mode === CHMODE_ECHO) this.rx.arrive(byte)
    if (mode === CHMODE_ECHO || mode === CHMODE_REMOTE_LOOP) this.port.emit(byte & 0xff)
    this.update()
  }

  private chmode(): number {
    return (this.regs.get('MR') >>> MR_CHMODE_SHIFT) & 3
  }

  private rxOn(): boolean {
    const cr = this.regs.get('CR')
    return (cr & CR_RX_EN) !== 0 && (cr & CR_RX_DIS) === 0
  }

  private txOn(): boolean {
    const cr = this.regs.get('CR')
    return (cr & CR_TX_EN) !== 0 && (cr & CR_TX_DIS) === 0
  }

  /** where the transmitter's bytes go */
  private line(b: number): void {
    if (this.chmode() === CHMODE_LOCAL_LOOP) this.rx.arrive(b)
    else this.port.emit(b)
  }

  /** a byte moved into the receive FIFO */
  private entered(): void {
    const n = this.rx.length
    const rxwm = this.regs.get('RXWM')
    let isr = this.regs.get('ISR')
    if (rxwm && n >= rxwm) isr |= IXR_RTRIG
    if (n === FIFO_DEPTH) isr |= IXR_RFUL
    if (this.regs.get('RXTOUT')) isr |= IXR_TIMEOUT
    this.regs.set('ISR', isr)
  }

  private readFifo(): number {
    const had = this.rx.length
    // an empty receive FIFO reads 0
    const b = this.rx.pop() ?? 0
    if (had && !this.rx.length) this.setIsr(this.regs.get('ISR') | IXR_REMPTY)
    this.update()
    return b
  }

  private writeFifo(written: number): void {
    const mode = this.chmode()
    if (mode === CHMODE_ECHO || mode === CHMODE_REMOTE_LOOP) return
    if (!this.tx.write(written)) this.setIsr(this.regs.get('ISR') | IXR_TOVR)
    else this.txEvents(this.tx.length === 0)
    this.update()
  }

  /** after the transmit FIFO changed: `sent` when bytes left and emptied it */
  private txEvents(sent: boolean): void {
    const n = this.tx.length
    const txwm = this.regs.get('TXWM')
    let isr = this.regs.get('ISR')
    if (sent && n === 0) isr |= IXR_TEMPTY
    if (n === FIFO_DEPTH) isr |= IXR_TFUL
    if (txwm && n >= txwm) isr |= IXR_TTRIG
    this.regs.set('ISR', isr)
  }

  private writeCr(written: number): void {
    if (written & CR_TXRST) this.tx.flush()
    if (written & CR_RXRST) this.rx.flush()
    // the transmitter or receiver may have come on
    if (this.tx.drain() > 0) this.txEvents(true)
    this.rx.refill()
    this.update()
  }

  private setImr(v: number): void {
    this.regs.set('IMR', v & IXR_ALL)
    this.update()
  }

  private setIsr(v: number): void {
    this.regs.set('ISR', v & IXR_ALL)
    this.update()
  }

  private sr(): number {
    const rx = this.rx.length
    const tx = this.tx.length
    const rxwm = this.regs.get('RXWM')
    const txwm = this.regs.get('TXWM')
    const fdel = this.regs.get('FLOWDEL')
    return (rxwm && rx >= rxwm ? SR_RXOVR : 0) | (rx === 0 ? SR_RXEMPTY : 0) | (rx === FIFO_DEPTH ? SR_RXFULL : 0)
      | (tx === 0 ? SR_TXEMPTY : 0) | (tx === FIFO_DEPTH ? SR_TXFULL : 0) | (fdel && rx >= fdel ? SR_FDELT : 0)
      | (txwm && tx >= txwm ? SR_TTRIG : 0) | (tx >= FIFO_DEPTH - 1 ? SR_TNFUL : 0)
  }

  private update(force = false): void {
    this.irq.set((this.regs.get('ISR') & this.regs.get('IMR')) !== 0, force)
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

  snapshot(): CdnsUartState {
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
