/**
 * Numeric options, checked when yargs parses them. yargs' `type: 'number'` turns `abc` into NaN
 * and lets it through: `--max-insns abc` ran no instruction and never stopped, `--timeout -1`
 * timed out at once. Every numeric option of every command is declared with `numberOption`
 * instead: a value that is not a number in the option's range is a UsageError — one line on
 * stderr naming the option and what it got, exit 2 — before the command starts.
 */
import { UsageError } from '../errors.ts'

export interface NumberRule {
  /** what the option counts, for help and errors: 'seconds', 'instructions' */
  unit: string
  integer?: boolean
  /** smallest allowed value */
  min?: number
  /** the value must be greater than this */
  above?: number
  /** largest allowed value */
  max?: number
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i

/** `v` (what yargs parsed: a number, a string, or an array when given twice) as a checked number. */
export function parseNumberOption(name: string, v: unknown, rule: NumberRule): number {
  const shown = (x: unknown): string => (typeof x === 'string' ? `'${x}'` : String(x))
  if (Array.isArray(v)) throw new UsageError(`--${name} is given ${v.length} times (${v.map(shown).join(', ')}); give it once`)
  const n = typeof v === 'number' ? v : typeof v === 'string' && DECIMAL.test(v.trim()) ? Number(v.trim()) : NaN
  if (!Number.isFinite(n) || (rule.integer && !Number.isSafeInteger(n)) ||
    (rule.min !== undefined && n < rule.min) || (rule.above !== undefined && n <= rule.above) || (rule.max !== undefined && n > rule.max)) {
    throw new UsageError(`--${name} must be ${expected(rule)} (got ${shown(v)})`)
  }
  return n
}

/** "a whole number of instructions >= 1" */
function expected(rule: NumberRule): string {
  const bounds = [
    rule.min !== undefined ? `>= ${rule.min}` : '',
    rule.above !== undefined ? `> ${rule.above}` : '',
    rule.max !== undefined ? `<= ${rule.max}` : '',
  ].filter(Boolean).join(' and ')
  return `${rule.integer ? 'a whole number of' : 'a number of'} ${rule.unit}${bounds ? ` ${bounds}` : ''}`
}

/**
 * A yargs option for a number. No `type`: yargs would parse `abc` to NaN and lose what was typed;
 * `requiresArg` makes a bare `--timeout` an error too. A default goes in by spreading:
 * `{ ...numberOption(...), default: 1 }`.
 */
export function numberOption(name: string, rule: NumberRule, describe: string) {
  return {
    describe,
    requiresArg: true as const,
    coerce: (v: unknown) => parseNumberOption(name, v, rule),
  }
}
