/**
 * A debugging aid for bringing up a new guest: `BAOBAB_TRACE=traps,sbi` (either or both) writes
 * every trap a hart takes (cause, pc, tval, the mode it goes to) and every SBI call a VM makes
 * (extension, function, arguments, result) to stderr. Read once at load; off, it costs one
 * boolean test per trap or SBI call.
 */
const kinds = new Set((process.env.BAOBAB_TRACE ?? '').split(',').map((s) => s.trim()))

export const TRACE_TRAPS = kinds.has('traps')
export const TRACE_SBI = kinds.has('sbi')

export function trace(line: string): void {
  process.stderr.write(`[trace] ${line}\n`)
}

export const hex = (n: number | bigint): string => '0x' + (typeof n === 'bigint' ? BigInt.asUintN(64, n) : n < 0 ? n >>> 0 : n).toString(16)
