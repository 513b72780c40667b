/**
 * Checks for the public API's arguments (REPL, scripts, host code): a wrong type or range is an
 * `ApiArgumentError` naming the call and the argument — never a hang, a NaN run or a huge
 * allocation. The REPL shows it as `TypeError: run(ms): ms must be …`.
 */

export class ApiArgumentError extends TypeError {
  override name = 'TypeError'
}

function fail(call: string, what: string, rule: string, got: unknown): never {
  throw new ApiArgumentError(`${call}: ${what} must be ${rule} (got ${describe(got)})`)
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)
  if (typeof v === 'bigint') return `${v}n`
  if (v === null || typeof v !== 'object') return String(v)
  return Array.isArray(v) ? 'an array' : 'an object'
}

/** a finite number in [min, max] (an integer when `int`); bigints in range are taken too */
export function num(call: string, what: string, v: unknown, min: number, max: number, int = true): number {
  const n = typeof v === 'bigint' && v >= BigInt(Math.ceil(min)) && v <= BigInt(Math.floor(max)) ? Number(v) : v
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max || (int && !Number.isInteger(n))) {
    fail(call, what, `${int ? 'an integer' : 'a number'} from ${min} to ${max}`, v)
  }
  return n
}

/** an address or 64-bit value: a non-negative integer number or bigint below 2^64 */
export function u64(call: string, what: string, v: unknown): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === 'bigint' && v >= 0n && v < 1n << 64n) return v
  return fail(call, what, 'a non-negative integer below 2^64 (a number or a bigint)', v)
}

/** a 64-bit register value: any integer number or bigint that fits 64 bits, signed or not */
export function reg64(call: string, what: string, v: unknown): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v)
  if (typeof v === 'bigint' && v >= -(1n << 63n) && v < 1n << 64n) return v
  return fail(call, what, 'an integer that fits 64 bits (a number or a bigint)', v)
}

export function str(call: string, what: string, v: unknown): string {
  return typeof v === 'string' ? v : fail(call, what, 'a string', v)
}

export function oneOf<T extends string>(call: string, what: string, v: unknown, allowed: readonly T[]): T {
  return (allowed as readonly unknown[]).includes(v) ? (v as T) : fail(call, what, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v)
}

export function bool(call: string, what: string, v: unknown): boolean {
  return typeof v === 'boolean' ? v : fail(call, what, 'true or false', v)
}

/** a VM id or name */
export function vmRef(call: string, v: unknown): number | string {
  if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) return v
  return fail(call, 'the VM', 'an id (integer) or a name (string)', v)
}

/** a plain options object (or undefined); its fields are checked by the caller */
export function opts<T extends object>(call: string, v: unknown): Partial<T> {
  if (v === undefined) return {}
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(call, 'the options', 'an object', v)
  return v as Partial<T>
}

export function fn(call: string, what: string, v: unknown): (() => boolean) | undefined {
  if (v === undefined) return undefined
  return typeof v === 'function' ? (v as () => boolean) : fail(call, what, 'a function', v)
}
