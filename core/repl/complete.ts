/**
 * Tab completion for the REPL: the property path at the end of the line (`hv.cr`, `vm(1).con`,
 * `stats().ha`) is resolved against the sandbox's globals by plain property reads; a call in the
 * path is made only for functions the caller marks as side-effect free (`vm(1)`, `stats()`,
 * `hv.vms()`), with literal arguments. Nothing is evaluated as code.
 */

const IDENT = /^[A-Za-z_$][\w$]*$/

/** Index where the trailing path expression starts: identifiers, dots, balanced `( … )`. */
function pathStart(line: string): number {
  let i = line.length
  while (i > 0) {
    const c = line[i - 1]!
    if (/[\w$.]/.test(c)) {
      i--
    } else if (c === ')') {
      let depth = 0
      let j = i - 1
      for (; j >= 0; j--) {
        if (line[j] === ')') depth++
        else if (line[j] === '(' && --depth === 0) break
      }
      if (j < 0) return i
      i = j
    } else {
      break
    }
  }
  return i
}

/** `1`, `0x10`, `'vm2'`, `"vm2"` or nothing; undefined when the arguments are not literals. */
function literalArgs(text: string): unknown[] | undefined {
  const t = text.trim()
  if (!t) return []
  if (/^(0x[0-9a-f]+|\d+)$/i.test(t)) return [Number(t)]
  const m = /^(['"])([^'"\\]*)\1$/.exec(t)
  return m ? [m[2]] : undefined
}

/** Own property names along the prototype chain, stopping before Object/Function.prototype. */
function propertyNames(value: unknown): string[] {
  const names = new Set<string>()
  let o: unknown = typeof value === 'object' || typeof value === 'function' ? value : Object(value)
  for (let n = 0; o && n < 8; n++) {
    if (o === Object.prototype || o === Function.prototype) break
    try {
      for (const k of Object.getOwnPropertyNames(o)) names.add(k)
      o = Object.getPrototypeOf(o)
    } catch {
      break
    }
  }
  return [...names]
}

export interface CompletionScope {
  /** the global object whose properties are the top-level names */
  global: object
  /** names that never show (internals) */
  hidden(name: string): boolean
  /** functions a completion may call to see what they return */
  pure(f: unknown): boolean
}

/**
 * Candidates for the end of `line`, each a whole line (the line with the path completed), sorted.
 * Empty when nothing fits or the path cannot be resolved without running code.
 */
export function completeLine(line: string, scope: CompletionScope): string[] {
  const start = pathStart(line)
  const path = line.slice(start)
  if (!/^[A-Za-z_$]/.test(path)) return []
  // split into: root identifier, then `.name` and `(args)` segments, the last being the partial word
  const segments: string[] = path.match(/[A-Za-z_$][\w$]*|\.|\([^()]*\)/g) ?? []
  if (segments.join('') !== path) return []
  const dot = path.lastIndexOf('.')
  const partial = dot < 0 ? path : path.slice(dot + 1)
  if (partial && !IDENT.test(partial)) return []
  const prefix = line.slice(0, start) + (dot < 0 ? '' : path.slice(0, dot + 1))
  let names: string[]
  if (dot < 0) {
    names = propertyNames(scope.global)
  } else {
    let value: unknown = scope.global
    let holder: unknown
    const head = segments.slice(0, segments.lastIndexOf('.'))
    for (let i = 0; i < head.length; i++) {
      const seg = head[i]!
      if (seg === '.') continue
      try {
        if (seg.startsWith('(')) {
          const args = literalArgs(seg.slice(1, -1))
          if (!args || typeof value !== 'function' || !scope.pure(value)) return []
          value = (value as (...a: unknown[]) => unknown).apply(holder, args)
        } else {
          if (value === null || value === undefined) return []
          holder = value
          value = (value as Record<string, unknown>)[seg]
        }
      } catch {
        return []
      }
    }
    if (value === null || value === undefined) return []
    names = propertyNames(value)
  }
  return [...new Set(names)]
    .filter((n) => n.startsWith(partial) && IDENT.test(n) && !n.startsWith('__') && !(dot < 0 && scope.hidden(n)))
    .sort()
    .map((n) => prefix + n)
}
