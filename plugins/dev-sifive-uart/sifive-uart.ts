/**
 * The SiFive UART (SiFive FU540-C000 Manual, chapter "Universal Asynchronous Receiver/Transmitter
 * (UART)"; the sifive-blocks UART of Rocket Chip and Chipyard SoCs, QEMU's sifive_uart). Registers
 * by the manual's names: txdata 0x00, rxdata 0x04, txctrl 0x08, rxctrl 0x0c, ie 0x10, ip 0x14,
 * div 0x18.
 *
 * - 8-entry FIFOs each way. txdata reads its `full` flag (bit 31); a write while full is ignored.
 *   rxdata reads the oldest entry with `empty` (bit 31) clear, or `empty` set when there is none.
 * - txctrl.txen / rxctrl.rxen run the transmitter and receiver (both off at reset): written
 *   characters wait in the transmit FIFO, input waits too.
 * - Watermark interrupts: ip.txwm while the transmit FIFO holds fewer than txctrl.txcnt entries,
 *   ip.rxwm while the receive FIFO holds more than rxctrl.rxcnt; the line is (ie & ip) != 0.
 * - div holds the baud divisor (f_baud = f_in / (div + 1)). Its reset value is fixed when the SoC
 *   is generated, so it comes from `params.divReset` (default 0, as QEMU resets it).
 * Output and input pace as in the 16550 and PL011 models (uart-common/serial-io.ts): characters
 * leave at once, input beyond the FIFO waits in a backlog.
 */
import type { Device, DeviceContext, SerialPort } from '../../core/device.ts'
import { Registers, type RegSpec } from '../../core/regs.ts'
import { IrqOut, openPort, RxFifo, storedBits, TxFifo } from '../uart-common/serial-io.ts'
import { fifoUartSchema, FifoUartSaver, type FifoUartState } from '../uart-common/fifo-state.ts'

export const FIFO_DEPTH = 8
/** txdata.full, rxdata.empty */
const FLAG = 0x8000_0000
const TXEN = 0x1
const RXEN = 0x1
/** the watermark count field of txctrl / rxctrl, bits 18:16 */
const CNT_SHIFT = 16
const IP_TXWM = 0x1
const IP_RXWM = 0x2

export type SifiveUartState = FifoUartState

const savedState = fifoUartSchema(FIFO_DEPTH)

export class SifiveUart implements Device {
  private readonly regs: Registers
  /** what each register may hold in a saved state */
  private readonly bits: Record<string, number>
  private readonly irq: IrqOut
  private readonly port: SerialPort
  private readonly rx = new RxFifo(() => (this.regs.get('rxctrl') & RXEN ? FIFO_DEPTH : 0))
  private readonly tx = new TxFifo(() => FIFO_DEPTH, () => (this.regs.get('txctrl') & TXEN) !== 0, (b) => this.port.emit(b))

  constructor(ctx: DeviceContext) {
    this.irq = new IrqOut(ctx)
    const div = ctx.params.divReset ?? 0
    if (typeof div !== 'number' || !Number.isInteger(div) || div < 0 || div > 0xffff) {
      throw new Error(`${ctx.name}: params.divReset must be an integer from 0 to 0xffff`)
    }
    const specs: RegSpec[] = [
      { name: 'txdata', offset: 0x00, mask: 0, read: () => (this.tx.length >= FIFO_DEPTH ? FLAG : 0), write: (_v, _o, w) => this.writeTxdata(w) },
      { name: 'rxdata', offset: 0x04, access: 'r', read: () => this.readRxdata() },
      // txen, nstop, txcnt
      { name: 'txctrl', offset: 0x08, mask: 0x0007_0003, write: () => this.changed() },
      // rxen, rxcnt
      { name: 'rxctrl', offset: 0x0c, mask: 0x0007_0001, write: () => this.changed() },
      { name: 'ie', offset: 0x10, mask: IP_TXWM | IP_RXWM, write: () => this.update() },
      { name: 'ip', offset: 0x14, access: 'r', read: () => this.ip() },
      { name: 'div', offset: 0x18, mask: 0xffff, reset: div },
    ]
    this.regs = new Registers(specs)
    this.bits = storedBits(specs)
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
    this.rx.arrive(byte)
    this.update()
  }

  private writeTxdata(written: number): void {
    // ignored while the FIFO is full
    this.tx.write(written & 0xff)
    this.update()
  }

  private readRxdata(): number {
    const c = this.rx.pop()
    this.update()
    return c === undefined ? FLAG : c
  }

  /** txctrl or rxctrl changed: the transmitter or receiver may have come on */
  private changed(): void {
    this.tx.drain()
    this.rx.refill()
    this.update()
  }

  private ip(): number {
    const txcnt = (this.regs.get('txctrl') >>> CNT_SHIFT) & 7
    const rxcnt = (this.regs.get('rxctrl') >>> CNT_SHIFT) & 7
    return (this.tx.length < txcnt ? IP_TXWM : 0) | (this.rx.length > rxcnt ? IP_RXWM : 0)
  }

  private update(force = false): void {
    this.irq.set((this.regs.get('ie') & this.ip()) !== 0, force)
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

  snapshot(): SifiveUartState {
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
