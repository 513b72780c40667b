/**
 * The BCM2711 (Raspberry Pi 4) auxiliary peripherals block with its mini UART, UART1 (BCM2711 ARM
 * Peripherals, chapter 2 "Auxiliaries: UART1, SPI1 & SPI2", which keeps the BCM2835 layout). The
 * board places the whole AUX block (0xfe215000 on the Pi 4): AUX_IRQ and AUX_ENABLES at 0x00 and
 * 0x04, the mini UART's registers from 0x40 on, 4 bytes apart. SPI1 and SPI2 are not modelled
 * (their AUX_ENABLES bits are kept).
 *
 * Where the mini UART is not a 16550 (§2.2.1–2.2.2), and this model follows the manual:
 * - both FIFOs are 8 deep and always on: AUX_MU_IIR_REG bits 7:6 read 1, and writing IIR bit 1 /
 *   bit 2 clears the receive / transmit FIFO (there is no FCR);
 * - its interrupts are levels: the receive one while the receive FIFO holds a byte, the transmit
 *   one "whenever the transmit FIFO is empty". Reading IIR clears nothing, and IIR knows no
 *   character-timeout, line-status or modem-status IDs;
 * - the baud rate is one 16-bit register (AUX_MU_BAUD_REG); with LCR bit 7 (DLAB) set, IO and IER
 *   reach its low and high byte instead of the FIFOs and the interrupt enables;
 * - AUX_MU_CNTL_REG switches the receiver and transmitter (both on at reset): while the
 *   transmitter is off, written bytes wait in its FIFO; while the receiver is off, input waits;
 * - with AUX_ENABLES bit 0 clear "you can not even read or write the registers": the mini UART's
 *   registers read 0 and ignore writes, and it neither sends nor receives.
 * - IER bit 0 enables the receive interrupt and bit 1 the transmit one (the order of the BCM2711
 *   edition and of the hardware; the BCM2835 edition had them swapped).
 *
 * `params.firmwareInit` (default true): AUX_ENABLES bit 0 is set at power-on, as the Pi firmware
 * (`enable_uart=1`) hands the mini UART over before the hypervisor or a guest runs; false gives
 * the manual's reset value 0. Input and output pace as in the 16550 and PL011 models
 * (uart-common/serial-io.ts): bytes leave at once, input beyond the FIFO waits in a backlog, so
 * the receiver overrun bits never set.
 */
import type { Device, DeviceContext, SerialPort } from '../../core/device.ts'
import { Registers, type RegSpec } from '../../core/regs.ts'
import { boolParam, IrqOut, openPort, RxFifo, storedBits, TxFifo } from '../uart-common/serial-io.ts'
import { fifoUartSchema, FifoUartSaver, type FifoUartState } from '../uart-common/fifo-state.ts'

export const FIFO_DEPTH = 8
/** AUX_IRQ / AUX_ENABLES bit 0: the mini UART */
const AUX_MU = 0x1
// §2.2.2 AUX_MU_IER_REG, AUX_MU_IIR_REG
const IER_RX = 0x1
const IER_TX = 0x2
const IIR_NONE = 0x1
const IIR_TX = 0x2 // ID 01: transmit holding register empty
const IIR_RX = 0x4 // ID 10: receiver holds a valid byte
const IIR_FIFOS = 0xc0 // FIFO enables, always 1
const IIR_CLEAR_RX = 0x2 // on write
const IIR_CLEAR_TX = 0x4
const LCR_DLAB = 0x80
// AUX_MU_LSR_REG
const LSR_DATA_READY = 0x01
const LSR_TX_EMPTY = 0x20 // the transmit FIFO can take a byte
const LSR_TX_IDLE = 0x40 // the transmit FIFO is empty and the transmitter idle
// AUX_MU_MSR_REG bit 5: the inverse of the CTS input; no modem lines here, so CTS reads asserted
const MSR_CTS = 0x20
// AUX_MU_CNTL_REG
const CNTL_RX_ENABLE = 0x1
const CNTL_TX_ENABLE = 0x2
// AUX_MU_STAT_REG
const STAT_SYMBOL_AVAILABLE = 0x001
const STAT_SPACE_AVAILABLE = 0x002
const STAT_RX_IDLE = 0x004
const STAT_TX_IDLE = 0x008
const STAT_TX_FULL = 0x020
const STAT_TX_EMPTY = 0x100
const STAT_TX_DONE = 0x200

export type Bcm2835AuxUartState = FifoUartState

const savedState = fifoUartSchema(FIFO_DEPTH)

export class Bcm2835AuxUart implements Device {
  private readonly regs: Registers
  /** what each register may hold in a saved state */
  private readonly bits: Record<string, number>
  private readonly irq: IrqOut
  private readonly port: SerialPort
  private readonly rx = new RxFifo(() => (this.on() && this.cntl() & CNTL_RX_ENABLE ? FIFO_DEPTH : 0))
  private readonly tx: TxFifo

  constructor(ctx: DeviceContext) {
    this.irq = new IrqOut(ctx)
    const enables = boolParam(ctx, 'firmwareInit', true) ? AUX_MU : 0
    this.tx = new TxFifo(() => FIFO_DEPTH, () => this.on() && (this.cntl() & CNTL_TX_ENABLE) !== 0, (b) => this.port.emit(b))
    const on = (): boolean => this.on()
    // The mini UART's registers exist only while AUX_ENABLES bit 0 is set (`when: on`). Registers
    // whose reads are computed store nothing (mask 0) or their writable bits only.
    const specs: RegSpec[] = [
      { name: 'AUX_IRQ', offset: 0x00, access: 'r', read: () => (this.pending() ? AUX_MU : 0) },
      { name: 'AUX_ENABLES', offset: 0x04, mask: 0x7, reset: enables, write: () => this.changed() },
      { name: 'AUX_MU_IO_REG', offset: 0x40, mask: 0, when: on, read: () => this.readIo(), write: (_v, _o, w) => this.writeIo(w) },
      { name: 'AUX_MU_IER_REG', offset: 0x44, mask: 0, when: on, read: (ier) => (this.dlab() ? this.baud() >>> 8 : ier), write: (_v, _o, w) => this.writeIer(w) },
      { name: 'AUX_MU_IIR_REG', offset: 0x48, mask: 0, reset: IIR_FIFOS | IIR_NONE, when: on, read: () => this.iir(), write: (_v, _o, w) => this.clearFifos(w) },
      // bits 7 (DLAB), 6 (break) and 1:0 (data size: 0b11 is 8-bit)
      { name: 'AUX_MU_LCR_REG', offset: 0x4c, mask: 0xc3, when: on },
      // bit 1: RTS
      { name: 'AUX_MU_MCR_REG', offset: 0x50, mask: 0x02, when: on },
      { name: 'AUX_MU_LSR_REG', offset: 0x54, access: 'r', when: on, read: () => this.lsr() },
      { name: 'AUX_MU_MSR_REG', offset: 0x58, access: 'r', reset: MSR_CTS, when: on, read: () => MSR_CTS },
      { name: 'AUX_MU_SCRATCH', offset: 0x5c, mask: 0xff, when: on },
      { name: 'AUX_MU_CNTL_REG', offset: 0x60, mask: 0xff, reset: CNTL_RX_ENABLE | CNTL_TX_ENABLE, when: on, write: () => this.changed() },
      { name: 'AUX_MU_STAT_REG', offset: 0x64, access: 'r', when: on, read: () => this.stat() },
      { name: 'AUX_MU_BAUD_REG', offset: 0x68, mask: 0xffff, when: on },
    ]
    this.regs = new Registers(specs)
    this.bits = storedBits(specs, { AUX_MU_IER_REG: IER_RX | IER_TX })
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
    this.rx.arrive(byte)
    this.update()
  }

  private on(): boolean {
    return (this.regs.get('AUX_ENABLES') & AUX_MU) !== 0
  }

  private cntl(): number {
    return this.regs.get('AUX_MU_CNTL_REG')
  }

  private dlab(): boolean {
    return (this.regs.get('AUX_MU_LCR_REG') & LCR_DLAB) !== 0
  }

  private baud(): number {
    return this.regs.get('AUX_MU_BAUD_REG')
  }

  private readIo(): number {
    if (this.dlab()) return this.baud() & 0xff
    // an empty receive FIFO reads 0
    const b = this.rx.pop() ?? 0
    this.update()
    return b
  }

  private writeIo(written: number): void {
    if (this.dlab()) {
      this.regs.set('AUX_MU_BAUD_REG', (this.baud() & 0xff00) | (written & 0xff))
      return
    }
    // a byte written to a full transmit FIFO is lost
    this.tx.write(written)
    this.update()
  }

  private writeIer(written: number): void {
    if (this.dlab()) this.regs.set('AUX_MU_BAUD_REG', ((written & 0xff) << 8) | (this.baud() & 0xff))
    else this.regs.set('AUX_MU_IER_REG', written & (IER_RX | IER_TX))
    this.update()
  }

  private clearFifos(written: number): void {
    if (written & IIR_CLEAR_TX) this.tx.flush()
    if (written & IIR_CLEAR_RX) this.rx.flush()
    this.update()
  }

  /** AUX_ENABLES or AUX_MU_CNTL_REG changed: the transmitter or receiver may have come on. */
  private changed(): void {
    this.tx.drain()
    this.rx.refill()
    this.update()
  }

  /** the interrupt ID: a received byte before an empty transmit FIFO (the manual gives no order) */
  private pendingId(): number {
    if (!this.on()) return IIR_NONE
    const ier = this.regs.get('AUX_MU_IER_REG')
    if (ier & IER_RX && this.rx.length) return IIR_RX
    if (ier & IER_TX && this.tx.length === 0) return IIR_TX
    return IIR_NONE
  }

  private pending(): boolean {
    return this.pendingId() !== IIR_NONE
  }

  private iir(): number {
    return IIR_FIFOS | this.pendingId()
  }

  private lsr(): number {
    return (this.rx.length ? LSR_DATA_READY : 0) | (this.tx.length < FIFO_DEPTH ? LSR_TX_EMPTY : 0) | (this.tx.length === 0 ? LSR_TX_IDLE : 0)
  }

  private stat(): number {
    const rx = this.rx.length
    const tx = this.tx.length
    return (rx ? STAT_SYMBOL_AVAILABLE : 0) | (tx < FIFO_DEPTH ? STAT_SPACE_AVAILABLE : 0) | STAT_RX_IDLE | STAT_TX_IDLE
      | (tx === FIFO_DEPTH ? STAT_TX_FULL : 0) | (tx === 0 ? STAT_TX_EMPTY | STAT_TX_DONE : 0) | (rx << 16) | (tx << 24)
  }

  /** the mini UART's interrupt, the AUX block's output (shared with SPI1/SPI2 on the chip) */
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

  snapshot(): Bcm2835AuxUartState {
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
