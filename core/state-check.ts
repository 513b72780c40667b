/**
 * Saved state is data from disk, not from us (sessions, hot reload hand-overs): whoever restores
 * a piece checks it first and refuses with the path of the field and the rule it breaks
 * (STYLE §8), before it changes anything. Devices, CPUs and the arch glue throw `StateError`;
 * the session code adds where the piece sits (`machine.devices.uart0.`) and turns it into a
 * refusal. Any other exception during a restore is a bug of ours, not a bad session.
 */
import { z } from 'zod'
import { formatPath } from './hypervisor/config-error.ts'

export class StateError extends Error {
  override readonly name = 'StateError'
  constructor(
    /** the field inside the piece of state: `regs.LSR`, `cpus[0].pcLo`; '' for the piece itself */
    readonly path: string,
    readonly rule: string,
  ) {
    super(path ? `${path}: ${rule}` : rule)
  }

  /** the same error seen from the enclosing state: `prefix.path` */
  within(prefix: string): StateError {
    const joined = !this.path ? prefix : this.path.startsWith('[') ? `${prefix}${this.path}` : `${prefix}.${this.path}`
    return new StateError(joined, this.rule)
  }
}

/** `value` parsed by `schema`, or a StateError at `path` + the first field zod found wrong. */
export function checkState<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, path = ''): T {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  const i = r.error.issues[0]!
  const rule = i.code === 'invalid_type' && i.received === 'undefined' ? 'missing' : i.message
  const inner = formatPath(i.path)
  const e = new StateError(inner, rule)
  throw path ? e.within(path) : e
}

/** Field schemas the state of registers and counters is made of. */
export const stateNum = {
  int32: z.number().int().min(-0x80000000, 'must be a signed 32-bit integer').max(0x7fffffff, 'must be a signed 32-bit integer'),
  u32: z.number().int().min(0, 'must be an unsigned 32-bit integer').max(0xffffffff, 'must be an unsigned 32-bit integer'),
  u8: z.number().int().min(0, 'must be a byte (0..255)').max(255, 'must be a byte (0..255)'),
  /** counts and cycle numbers: integers a double holds exactly */
  count: z.number().int().min(0, 'must be a non-negative integer').max(Number.MAX_SAFE_INTEGER, 'must be at most 2^53-1'),
}
