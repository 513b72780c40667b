/**
 * A config as plain data, before zod or any rule sees it. A `.ts`/`.js` config is the user's
 * code: its export may nest thousands deep, refer back to itself, or hide a getter or Proxy that
 * throws. Zod and the rules recurse over the object and read every field, so any of these would
 * escape as a RangeError or the user's own exception (exit 70). Here one bounded, iterative walk
 * copies the value into fresh arrays and objects, reading each field exactly once inside a
 * `try`, and reports what it cannot copy as a ConfigError at the field's path. After it nothing
 * user-defined runs again.
 *
 * The walk needs no Node API: the config loader's worker runs it on the module's export before
 * structured-cloning the copy back (config-module.ts), and config.ts runs it on every raw config.
 */
import { ConfigError, formatPath } from './config-error.ts'

/** Objects and arrays nested deeper than this are refused (a VM-stack child adds two levels). */
export const MAX_DEPTH = 100
/** More values than this in one config are refused (shared sub-objects are copied each time). */
export const MAX_VALUES = 1_000_000

/** A field's place: its key and its parent's place (no path strings are built unless needed). */
interface Place {
  key: string | number
  up: Place | undefined
}

function pathOf(p: Place | undefined): string {
  const keys: (string | number)[] = []
  for (let q = p; q; q = q.up) keys.push(q.key)
  keys.reverse()
  // a path thousands of levels deep is unreadable: its first and last fields say where it is
  if (keys.length <= 12) return formatPath(keys)
  const tail = formatPath(keys.slice(-4))
  return `${formatPath(keys.slice(0, 6))}…${tail.startsWith('[') ? '' : '.'}${tail}`
}

/** What a thrown value says, in one line, whatever it is. */
function said(e: unknown): string {
  try {
    const m = e instanceof Error ? e.message : String(e)
    return m.split('\n')[0]!
  } catch {
    return 'an unprintable value'
  }
}

/** `o[key] = v`, except that a field named `__proto__` (JSON.parse makes those) stays a field. */
function define(o: object, key: string | number, v: unknown): void {
  Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true })
}

type Task =
  | { kind: 'visit'; value: unknown; at: Place | undefined; depth: number; put: (v: unknown) => void }
  | { kind: 'leave'; obj: object }

/**
 * Copy `raw` into plain arrays, objects and primitives; or the errors that stop it, each with
 * the path of the field. Shared sub-objects are fine (copied twice); a cycle is not.
 */
export function plainConfig(raw: unknown, file?: string): { data: unknown } | { errors: ConfigError[] } {
  const errors: ConfigError[] = []
  const fail = (at: Place | undefined, rule: string): void => { errors.push(new ConfigError(pathOf(at), rule, file)) }
  // objects on the path from the root to the one being copied, with their paths (cycle detection)
  const open = new Map<object, Place | undefined>()
  let result: unknown
  const stack: Task[] = [{ kind: 'visit', value: raw, at: undefined, depth: 0, put: (v) => { result = v } }]
  let values = 0
  while (stack.length && errors.length < 20) {
    const t = stack.pop()!
    if (t.kind === 'leave') { open.delete(t.obj); continue }
    const { value, at, depth, put } = t
    if (++values > MAX_VALUES) { fail(undefined, `has more than ${MAX_VALUES} values`); break }
    if (typeof value === 'function') { fail(at, 'is a function; a config is data (numbers, strings, booleans, arrays and objects)'); continue }
    if (typeof value === 'symbol') { fail(at, 'is a symbol; a config is data (numbers, strings, booleans, arrays and objects)'); continue }
    if (typeof value !== 'object' || value === null) { put(value); continue }
    if (open.has(value)) {
      const back = open.get(value)
      fail(at, `refers back to ${back ? pathOf(back) : 'the config itself'} (a cycle)`)
      continue
    }
    // one such error says it all (the deepest object's siblings are as deep)
    if (depth >= MAX_DEPTH) { fail(at, `nested deeper than ${MAX_DEPTH} levels`); break }
    let keys: (string | number)[]
    let out: unknown[] | Record<string, unknown>
    try {
      if (Array.isArray(value)) {
        const n = value.length
        if (!(Number.isSafeInteger(n) && n >= 0 && n <= MAX_VALUES)) { fail(at, `is an array of length ${String(n)}`); continue }
        keys = Array.from({ length: n }, (_, i) => i)
        out = new Array<unknown>(n)
      } else {
        keys = Object.keys(value)
        out = {}
      }
    } catch (e) {
      fail(at, `cannot be read: ${said(e)}`)
      continue
    }
    put(out)
    open.set(value, at)
    stack.push({ kind: 'leave', obj: value })
    // read in the config's order (errors come out in it); push in reverse (copied in it too)
    const children: Task[] = []
    for (const key of keys) {
      const place: Place = { key, up: at }
      let child: unknown
      try {
        child = (value as Record<string | number, unknown>)[key]
      } catch (e) {
        fail(place, `reading it threw: ${said(e)}`)
        continue
      }
      const target = out
      children.push({ kind: 'visit', value: child, at: place, depth: depth + 1, put: (v) => { define(target, key, v) } })
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!)
  }
  return errors.length ? { errors } : { data: result }
}
