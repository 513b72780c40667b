/**
 * How the REPL shows values: `util.inspect` (colours off, depth 3, `123n` for bigints) of a host-side
 * *mirror* of the value.
 *
 * Why a mirror: a value made in the sandbox reaches the host as a vm2 proxy, and `util.inspect`
 * looks through proxies at their targets (so a sandbox `Map` would print as `Map {}`), and it would
 * call a user-defined `[util.inspect.custom]` with host arguments — the inspect escapes of vm2's
 * history (#187, #241, #268). The mirror is built only by ordinary property reads through vm2's
 * bridge (getters are not run: they show as `[Getter]`), then inspected with `customInspect: false`.
 */
import { formatWithOptions, inspect, type InspectOptions } from 'node:util'

const OPTS: InspectOptions = { colors: false, depth: 3, customInspect: false, getters: false, showProxy: false }
const ONE_LINE: InspectOptions = { ...OPTS, breakLength: Infinity, compact: true }
/** inspect stops at depth 3; mirroring two levels further is enough for it to print `[Object]` */
const MIRROR_DEPTH = 5
const MAX_ITEMS = 100
const MAX_KEYS = 200

/** One mirroring pass: what was already mirrored, and how to name a sandbox object's class. */
interface Ctx {
  seen: Map<object, unknown>
  nameOf?: NameOf
}

/**
 * The class name of a sandbox object, asked inside the sandbox: through vm2's bridge the host sees
 * a sandbox class instance with the sandbox's `Object` as its constructor.
 */
export type NameOf = (v: object) => unknown

function attempt<T>(f: () => T, fallback: T): T {
  try {
    return f()
  } catch {
    return fallback
  }
}

/** An empty class of that name, so inspect prints `Name { … }` for the mirror. */
const classes = new Map<string, new () => object>()
function named(name: string): new () => object {
  const n = name.slice(0, 64)
  let c = classes.get(n)
  if (!c) {
    c = { [n]: class {} }[n]!
    classes.set(n, c)
  }
  return c
}

function ctorName(v: object, ctx: Ctx): string {
  const host = attempt(() => {
    const c = (v as { constructor?: unknown }).constructor
    return typeof c === 'function' ? String((c as { name?: unknown }).name ?? '') : ''
  }, '')
  if ((host && host !== 'Object') || !ctx.nameOf) return host
  const inner = attempt(() => ctx.nameOf!(v), '')
  return typeof inner === 'string' && inner ? inner : host
}

function noop(): void {}

function mirror(v: unknown, depth: number, ctx: Ctx): unknown {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v
  const o = v as object
  if (ctx.seen.has(o)) return ctx.seen.get(o)
  return attempt(() => mirrorObject(o, depth, ctx), new (named('Unreadable'))())
}

function mirrorObject(v: object, depth: number, ctx: Ctx): unknown {
  const seen = ctx.seen
  const deeper = depth < MIRROR_DEPTH
  if (typeof v === 'function') {
    const name = attempt(() => String((v as { name?: unknown }).name ?? ''), '')
    // read through the bridge: the sandbox's Function.prototype.toString gives the source
    const isClass = attempt(() => /^class\b/.test(String((v as { toString(): unknown }).toString())), false)
    const f = isClass ? { [name]: class {} }[name]! : { [name]: function () {} }[name]!
    seen.set(v, f)
    return f
  }
  if (Array.isArray(v)) {
    const out: unknown[] = []
    seen.set(v, out)
    const len = v.length
    if (deeper) for (let i = 0; i < Math.min(len, MAX_ITEMS); i++) out.push(mirror(v[i], depth + 1, ctx))
    out.length = len // inspect prints "... n more items" past its maxArrayLength (100)
    return out
  }
  if (v instanceof Map) {
    const out = new Map<unknown, unknown>()
    seen.set(v, out)
    let n = 0
    if (deeper) {
      for (const [k, val] of v.entries()) {
        if (n++ >= MAX_ITEMS) break
        out.set(mirror(k, depth + 1, ctx), mirror(val, depth + 1, ctx))
      }
    }
    return out
  }
  if (v instanceof Set) {
    const out = new Set<unknown>()
    seen.set(v, out)
    let n = 0
    if (deeper) {
      for (const val of v.values()) {
        if (n++ >= MAX_ITEMS) break
        out.add(mirror(val, depth + 1, ctx))
      }
    }
    return out
  }
  if (v instanceof Date) return new Date(v.getTime())
  if (v instanceof RegExp) return new RegExp(String(v.source), String(v.flags))
  if (v instanceof Error) {
    const name = attempt(() => String(v.name), 'Error')
    const message = attempt(() => String(v.message), '')
    const e = new Error(message)
    e.name = name
    e.stack = message ? `${name}: ${message}` : name // no frames: host frames are nobody's business
    return e
  }
  const tag = attempt(() => Object.prototype.toString.call(v).slice(8, -1), '')
  if (/^(Int8|Uint8|Uint8Clamped|Int16|Uint16|Int32|Uint32|Float32|Float64|BigInt64|BigUint64)Array$/.test(tag)) {
    const C = (globalThis as unknown as Record<string, { from(a: unknown[]): unknown }>)[tag]!
    const src = v as unknown as ArrayLike<unknown>
    return C.from(Array.from({ length: Math.min(src.length, MAX_ITEMS) }, (_, i) => src[i]))
  }
  if (v instanceof Promise) return new (named('Promise'))()
  const proto = attempt(() => Object.getPrototypeOf(v) as unknown, null)
  const name = ctorName(v, ctx)
  const out: Record<PropertyKey, unknown> = proto === null ? Object.create(null) : name && name !== 'Object' ? new (named(name))() : {}
  seen.set(v, out)
  if (!deeper) return out
  let n = 0
  for (const key of Reflect.ownKeys(v)) {
    if (n++ >= MAX_KEYS) break
    const d = Reflect.getOwnPropertyDescriptor(v, key)
    if (!d || !d.enumerable) continue
    if ('value' in d) out[key] = mirror(d.value, depth + 1, ctx)
    else Object.defineProperty(out, key, { get: d.get ? noop : undefined, set: d.set ? noop : undefined, enumerable: true })
  }
  return out
}

/** A value as the REPL prints it. */
export function display(value: unknown, nameOf?: NameOf): string {
  return inspect(mirror(value, 0, { seen: new Map(), nameOf }), OPTS)
}

/** `console.log(...args)` as one string (printf-style `%s`/`%o`/`%d` like Node's console). */
export function formatArgs(args: unknown[], nameOf?: NameOf): string {
  return formatWithOptions(OPTS, ...args.map((a) => mirror(a, 0, { seen: new Map(), nameOf })))
}

function oneLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).filter(Boolean).join('; ')
}

/**
 * What was thrown, on one line and without a stack: `Name: message` for an error, otherwise
 * `Uncaught <value>`.
 */
export function describeError(e: unknown, nameOf?: NameOf): string {
  const isError = e instanceof Error || attempt(() => typeof (e as Error).message === 'string' && typeof (e as Error).name === 'string', false)
  if (isError) {
    const err = e as Error
    const name = attempt(() => String(err.name), '') || 'Error'
    const message = attempt(() => String(err.message), '')
    return oneLine(message ? `${name}: ${message}` : name)
  }
  return `Uncaught ${inspect(mirror(e, 0, { seen: new Map(), nameOf }), ONE_LINE)}`
}
