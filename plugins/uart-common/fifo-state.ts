/**
 * The saved state of a UART model that is its registers plus a receive FIFO (with the input
 * waiting behind it) and a transmit FIFO — every FIFO UART here but the NS16550 and PL011, whose
 * formats came first. One schema, one snapshot, one check and one restore for all of them.
 */
import type { Registers, RegsSnapshot } from '../../core/regs.ts'
import { checkState } from '../../core/state-check.ts'
import { z } from 'zod'
import { checkStoredBits, savedBacklog, savedBytes, type RxFifo, type TxFifo } from './serial-io.ts'

export interface FifoUartState {
  regs: RegsSnapshot
  rx: number[]
  tx: number[]
  backlog: number[]
}

/** a saved state's shape (fields missing take their reset values) for FIFOs `depth` deep */
export function fifoUartSchema(depth: number) {
  return z.object({
    regs: z.unknown(),
    rx: savedBytes(depth).optional(),
    tx: savedBytes(depth).optional(),
    backlog: savedBacklog.optional(),
  }).strict()
}

/** One UART's registers and FIFOs, as its snapshot/checkState/restore see them. */
export class FifoUartSaver {
  constructor(
    private readonly schema: ReturnType<typeof fifoUartSchema>,
    private readonly regs: Registers,
    private readonly rx: RxFifo,
    private readonly tx: TxFifo,
    /** what each register may hold in a saved state (serial-io.ts storedBits) */
    private readonly bits: Record<string, number>,
  ) {}

  snapshot(): FifoUartState {
    return { regs: this.regs.snapshot(), rx: [...this.rx.entries], tx: [...this.tx.entries], backlog: [...this.rx.backlog] }
  }

  /** Throws StateError for a state `restore` would refuse; the computed status bits never come from one. */
  check(state: unknown): void {
    const s = checkState(this.schema, state)
    this.regs.check(s.regs, 'regs')
    checkStoredBits(s.regs, this.bits)
  }

  restore(state: unknown): void {
    this.check(state)
    const s = state as Partial<FifoUartState>
    this.regs.restore(s.regs)
    this.rx.restore(s.rx, s.backlog)
    this.tx.restore(s.tx)
  }
}
