/**
 * A 16550A UART as QEMU's hw/char/serial.c models it (register names from the TI/National
 * PC16550D datasheet).
 *
 * Board params, as Linux's `reg-shift` / `reg-io-width` device-tree properties describe an 8250:
 * - `regShift` (0–3, default 0): register i sits at offset i << regShift. 0 is the byte-spaced
 *   16550 (QEMU virt); 2 the 32-bit spaced 8250s of Tegra186 (TX2 UARTA), RK3399 and CVA6. With a
 *   stride every byte of a register's slot reaches the whole register, as in QEMU's serial_mm.
 * - `regIoWidth` (1, 2 or 4; default any size): the only access size the register file decodes;
 *   an access of another size reads 0 and writes nothing. Without it every size is accepted.
 * There is no register offset param: a block whose registers start inside its page (Bao's
 * UART8250_PAGE_OFFSET 0x40 for CVA6) is placed by the board at base + offset, which is also the
 * address its device-tree `reg` gives.
 *
 * Deterministic by construction: a THR write is emitted at once, so the transmitter is always
 * empty (LSR.THRE and LSR.TEMT stay set). Input goes into the 16-byte RX FIFO (1 byte when the
 * FIFO is disabled); bytes that arrive while it is full wait in a host-side backlog and move in as
 * the guest reads RBR — QEMU gets the same effect by asking the chardev `can_receive` first, so
 * nothing is ever overrun (LSR.OE and the line-status interrupt never occur).
 */
import type { Device, DeviceContext, SerialPort } from '../../core/device.ts'
import { Registers, type RegsSnapshot } from '../../core/regs.ts'
import { checkState, stateNum } from '../../core/state-check.ts'
import { choiceParam, IrqOut, openPort, RxFifo } from '../uart-common/serial-io.ts'
import { z } from 'zod'

// PC16550D §8.6 (IER), §8.5 (IIR), §8.4 (FCR), §8.8 (MCR), §8.9 (LSR), §8.10 (MSR)
const IER_RDI = 0x01 // received data available
const IER_THRI = 0x02 // transmitter holding register empty
const IIR_NO_INT = 0x01
const IIR_THRI = 0x02
const IIR_RDI = 0x04
const IIR_CTI = 0x0c // character timeout
const IIR_FIFO = 0xc0 // FIFOs enabled
const FCR_FE = 0x01
const FCR_RFR = 0x02 // clear RX FIFO (self-clearing)
const FCR_XFR = 0x04 // clear TX FIFO (self-clearing)
const LCR_DLAB = 0x80
const MCR_LOOP = 0x10
const LSR_DR = 0x01
const LSR_THRE = 0x20
const LSR_TEMT = 0x40
/** RX trigger levels selected by FCR[7:6] (datasheet table 5) */
const RX_TRIGGER = [1, 4, 8, 14]
const FIFO_BYTES = 16

export interface Ns16550State {
  regs: RegsSnapshot
  rx: number[]
  backlog: number[]
  thrIpending: boolean
}

/** a saved state's shape (fields missing in older sessions take their reset values) */
const savedState = z.object({
  regs: z.unknown(),
  rx: z.array(stateNum.u8).max(1 << 16).optional(),
  backlog: z.array(stateNum.u8).max(1 << 24).optional(),
  thrIpending: z.boolean().optional(),
}).strict()

export class Ns16550 implements Device {
  private readonly regs: Registers
  private readonly irq: IrqOut
  private readonly port: SerialPort
  private readonly rx = new RxFifo(() => (this.fifoOn() ? FIFO_BYTES : 1))
  /** the one access size decoded (`params.regIoWidth`), 0: any */
  private readonly ioWidth: number
  /** QEMU's thr_ipending: a THR-empty interrupt is owed until IIR reports it or THR is written */
  private thrIpending = false

  constructor(ctx: DeviceContext) {
    this.irq = new IrqOut(ctx)
    const shift = choiceParam(ctx, 'regShift', [0, 1, 2, 3], 0)
    this.ioWidth = choiceParam(ctx, 'regIoWidth', [1, 2, 4], 0)
    const dlab = (): boolean => (this.regs.get('LCR') & LCR_DLAB) !== 0
    const notDlab = (): boolean => !dlab()
    this.regs = new Registers(
      [
        { name: 'RBR', offset: 0, width: 1, access: 'r', when: notDlab, read: () => this.readRbr() },
        { name: 'THR', offset: 0, width: 1, access: 'w', when: notDlab, write: (v) => this.writeThr(v) },
        { name: 'DLL', offset: 0, width: 1, when: dlab, reset: 0x0c },
        { name: 'IER', offset: 1, width: 1, when: notDlab, mask: 0x0f, write: (v, old) => this.writeIer(v, old) },
        { name: 'DLM', offset: 1, width: 1, when: dlab },
        { name: 'IIR', offset: 2, width: 1, access: 'r', reset: IIR_NO_INT, read: () => this.readIir() },
        { name: 'FCR', offset: 2, width: 1, access: 'w', mask: 0xc9, write: (v, old, written) => this.writeFcr(v, old, written) },
        { name: 'LCR', offset: 3, width: 1 },
        // QEMU serial_reset: MCR = OUT2
        { name: 'MCR', offset: 4, width: 1, mask: 0x1f, reset: 0x08 },
        { name: 'LSR', offset: 5, width: 1, access: 'r', read: () => this.lsr() },
        { name: 'MSR', offset: 6, width: 1, access: 'r', read: () => this.msr() },
        { name: 'SCR', offset: 7, width: 1 },
      ],
      { shift },
    )
    this.port = openPort(ctx, (b) => this.receive(b))
  }

  read(offset: number, size: number): number {
    if (this.ioWidth && size !== this.ioWidth) return 0
    return this.regs.read(offset, size)
  }

  write(offset: number, size: number, value: number): void {
    if (this.ioWidth && size !== this.ioWidth) return
    this.regs.write(offset, size, value)
  }

  /** A byte from the outside world (the serial port). */
  receive(byte: number): void {
    this.rx.arrive(byte)
    this.update()
  }

  private fifoOn(): boolean {
    return (this.regs.get('FCR') & FCR_FE) !== 0
  }

  private readRbr(): number {
    const b = this.rx.pop() ?? 0
    this.update()
    return b
  }

  private writeThr(v: number): void {
    this.thrIpending = false
    // PC16550D §8.8: in loopback the transmitter output is looped to the receiver input
    if (this.regs.get('MCR') & MCR_LOOP) this.receive(v)
    else this.port.emit(v & 0xff)
    // transmitted at once, so THR is empty again and the THRE interrupt is owed anew (QEMU serial_xmit)
    this.thrIpending = true
    this.update()
  }

  private writeIer(v: number, old: number): void {
    // QEMU: enabling THRI while THR is empty raises the interrupt even if reading IIR had cleared it
    if ((v ^ old) & IER_THRI) this.thrIpending = (v & IER_THRI) !== 0
    this.update()
  }

  /** FCR[2:1] are self-clearing commands: they arrive in `written` but are not stored (mask 0xc9). */
  private writeFcr(v: number, old: number, written: number): void {
    // QEMU: toggling FE clears both FIFOs
    const raw = written | (((v ^ old) & FCR_FE) ? FCR_RFR | FCR_XFR : 0)
    // the TX FIFO is always empty here (bytes leave at once): XFR has nothing to do
    if (raw & FCR_RFR) this.rx.flush()
    else this.rx.refill()
    this.update()
  }

  /** Interrupt identification in datasheet priority order (table 4); line status never occurs here. */
  private pendingId(): number {
    const ier = this.regs.get('IER')
    if (ier & IER_RDI && this.rx.length) {
      const fcr = this.regs.get('FCR')
      if (!(fcr & FCR_FE) || this.rx.length >= RX_TRIGGER[fcr >>> 6]!) return IIR_RDI
      // Below the trigger level the 16550 reports a character timeout after four character times
      // of silence; virtual time has no line rate, so it is reported at once (drivers treat both alike).
      return IIR_CTI
    }
    if (ier & IER_THRI && this.thrIpending) return IIR_THRI
    // modem status (IER bit 3) never changes: MSR delta bits stay clear
    return IIR_NO_INT
  }

  private readIir(): number {
    const id = this.pendingId()
    // §8.5: reading IIR when it reports THRE clears that interrupt
    if (id === IIR_THRI) {
      this.thrIpending = false
      this.update()
    }
    return id | (this.fifoOn() ? IIR_FIFO : 0)
  }

  private lsr(): number {
    return (this.rx.length ? LSR_DR : 0) | LSR_THRE | LSR_TEMT
  }

  private msr(): number {
    const mcr = this.regs.get('MCR')
    // §8.10: in loopback CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2
    if (mcr & MCR_LOOP) return ((mcr & 0x02) << 3) | ((mcr & 0x01) << 5) | ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4)
    return 0xb0 // DCD | DSR | CTS, as QEMU with no chardev modem lines
  }

  private update(force = false): void {
    this.irq.set(this.pendingId() !== IIR_NO_INT, force)
  }

  reset(): void {
    this.regs.reset()
    this.thrIpending = false
    this.rx.flush()
    this.update(true)
  }

  snapshot(): Ns16550State {
    return { regs: this.regs.snapshot(), rx: [...this.rx.entries], backlog: [...this.rx.backlog], thrIpending: this.thrIpending }
  }

  checkState(state: unknown): void {
    checkState(savedState, state)
    this.regs.check((state as { regs?: unknown }).regs, 'regs')
  }

  restore(state: unknown): void {
    this.checkState(state)
    const s = state as Partial<Ns16550State>
    this.regs.restore(s.regs)
    this.rx.restore(s.rx, s.backlog)
    this.thrIpending = s.thrIpending === true
    this.update(true)
  }
}
