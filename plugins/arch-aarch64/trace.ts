/**
 * A debugging aid for bringing up a guest: `BAOBAB_TRACE=traps` writes every exception an
 * AArch64 hart takes (class, syndrome, return address, target EL) to stderr. Read once at load;
 * off, it costs one boolean test per exception.
 */
const kinds = new Set((process.env.BAOBAB_TRACE ?? '').split(',').map((s) => s.trim()))

export const TRACE_TRAPS = kinds.has('traps')

export function trace(line: string): void {
  process.stderr.write(`[trace] ${line}\n`)
}

export const hex = (n: number | bigint): string => '0x' + (typeof n === 'bigint' ? BigInt.asUintN(64, n) : n < 0 ? n >>> 0 : n).toString(16)
