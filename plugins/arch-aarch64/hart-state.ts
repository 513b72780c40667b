/**
 * Sessions: the shape of what `A64Cpu.snapshot` saves (registers, PSTATE and system registers
 * travel in the state area), checked before a restore so that a session edited by hand is
 * refused with the field at fault.
 */
import { z } from 'zod'
import { stateNum } from '../../core/state-check.ts'

export const a64HartState = z.object({
  irqIn: z.boolean(),
  fiqIn: z.boolean(),
  /** the virtual interrupt inputs (a GIC's virtual CPU interface) */
  virqIn: z.boolean().default(false),
  vfiqIn: z.boolean().default(false),
  idle: z.boolean(),
  halted: z.boolean(),
  /** powered off through PSCI, waiting for CPU_ON */
  off: z.boolean(),
  instret: stateNum.count,
  stalled: stateNum.count.default(0),
  stallTotal: stateNum.count.default(0),
}).strict()

export type A64HartState = z.infer<typeof a64HartState>
