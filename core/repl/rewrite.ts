/**
 * What the REPL does to a line before the sandbox runs it, the way Node's own REPL does it:
 * top-level `await`, declarations that outlive the line, `{ a: 1 }` read as an object, and
 * "is this input finished?" for multi-line entry.
 *
 * Parsing uses acorn, which is already in node_modules as vm2's own parser (vm2 parses every
 * script with it before running it), so the REPL and the sandbox agree on what is JavaScript.
 */
import { parse, type Options } from 'acorn'

/** An ESTree node as acorn returns it; only the fields this file reads are typed. */
interface Node {
  type: string
  start: number
  end: number
  [field: string]: unknown
}

const OPTIONS: Options = { ecmaVersion: 'latest', sourceType: 'script', allowAwaitOutsideFunction: true }

function tryParse(code: string, opts: Options = OPTIONS): Node | null {
  try {
    return parse(code, opts) as unknown as Node
  } catch {
    return null
  }
}

/** `#!/usr/bin/env …` on the first line of a script file becomes a comment of the same length. */
function stripHashbang(code: string): string {
  return code.startsWith('#!') ? `//${code.slice(2)}` : code
}

/**
 * True when `code` is unfinished input: an unclosed bracket, block, template or comment, a string
 * running to the end of the input, or an operator waiting for its operand. A plain syntax error
 * (`foo)`) is finished input: evaluating it reports the error.
 */
export function isIncomplete(code: string): boolean {
  if (!code.trim()) return false
  try {
    parse(stripHashbang(code), OPTIONS)
    return false
  } catch (e) {
    const err = e as SyntaxError & { pos?: number; raisedAt?: number }
    const msg = String(err.message)
    if (/^Unterminated (template|comment)/.test(msg)) return true
    if (/^Unterminated string/.test(msg)) return (err.raisedAt ?? 0) >= code.length
    if (/^Unterminated regular expression/.test(msg)) return false
    return (err.pos ?? -1) >= code.length
  }
}

export interface Prepared {
  /** the script to give the sandbox */
  code: string
  /** true when `code` evaluates to a promise of the line's value (top-level await) */
  async: boolean
}

interface Edit {
  start: number
  end: number
  text: string
}

function applyEdits(src: string, edits: Edit[]): string {
  let out = ''
  let at = 0
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    out += src.slice(at, e.start) + e.text
    at = e.end
  }
  return out + src.slice(at)
}

/** Names bound by a declaration pattern (`a`, `{ b, c: [d] }`, `...e`, `f = 1`). */
function boundNames(pattern: Node, out: string[]): void {
  switch (pattern.type) {
    case 'Identifier': out.push(pattern.name as string); break
    case 'ObjectPattern':
      for (const p of pattern.properties as Node[]) boundNames(p.type === 'RestElement' ? p : (p.value as Node), out)
      break
    case 'ArrayPattern': for (const el of pattern.elements as (Node | null)[]) if (el) boundNames(el, out); break
    case 'RestElement': boundNames(pattern.argument as Node, out); break
    case 'AssignmentPattern': boundNames(pattern.left as Node, out); break
  }
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'])

/** Whether `await` (or `for await`) occurs outside every function: the line needs an async wrapper. */
function hasTopLevelAwait(node: Node): boolean {
  if (node.type === 'AwaitExpression' || (node.type === 'ForOfStatement' && node.await === true)) return true
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' || !value || typeof value !== 'object') continue
    for (const child of Array.isArray(value) ? value : [value]) {
      if (!child || typeof (child as Node).type !== 'string') continue
      const c = child as Node
      // a function body is its own scope; class field initialisers and methods are functions too
      if (FUNCTION_TYPES.has(c.type) || c.type === 'PropertyDefinition' || c.type === 'StaticBlock') continue
      if (hasTopLevelAwait(c)) return true
    }
  }
  return false
}

/**
 * Rewrite one REPL entry so that what it declares outlives it and top-level `await` works:
 *
 * - without `await`, the entry runs as a script in the sandbox's global scope; its completion
 *   value is the result. Top-level `let`/`const` become `var` and `class C {}` becomes
 *   `var C = class C {}`, so a later entry sees them and may declare them again (var-style, as
 *   the Node REPL allows re-declaring);
 * - with `await`, the entry becomes `var <names>; (async () => { … })()`: every top-level
 *   declaration turns into an assignment to a global declared in front, function declarations are
 *   hoisted as assignments, and the last expression statement is returned;
 * - an entry that is `{ … }` and parses as an object literal is read as one.
 *
 * Input that does not parse is returned unchanged, so the sandbox reports the syntax error.
 */
export function prepare(source: string): Prepared {
  let src = stripHashbang(source)
  if (/^\s*\{/.test(src) && /\}\s*$/.test(src) && tryParse(`(${src}\n)`)) src = `(${src}\n)`
  const ast = tryParse(src)
  if (!ast) return { code: src, async: false }
  const body = ast.body as Node[]
  const edits: Edit[] = []
  const text = (n: Node): string => src.slice(n.start, n.end)

  if (!hasTopLevelAwait(ast)) {
    for (const st of body) {
      if (st.type === 'VariableDeclaration' && (st.kind === 'let' || st.kind === 'const')) {
        edits.push({ start: st.start, end: st.start + (st.kind as string).length, text: 'var' })
      } else if (st.type === 'ClassDeclaration') {
        edits.push({ start: st.start, end: st.end, text: `var ${(st.id as Node).name as string} = ${text(st)};` })
      }
    }
    return { code: applyEdits(src, edits), async: false }
  }

  const names: string[] = []
  const hoisted: string[] = []
  const last = body[body.length - 1]
  for (const st of body) {
    if (st.type === 'VariableDeclaration' && ['var', 'let', 'const'].includes(st.kind as string)) {
      const parts: string[] = []
      for (const d of st.declarations as Node[]) {
        const id = d.id as Node
        boundNames(id, names)
        // inside `void ( … )` a `{ a } = o` pattern is not at a statement start: no parentheses needed
        if (d.init) parts.push(`${text(id)} = ${text(d.init as Node)}`)
        else if (st.kind !== 'var') parts.push(`${text(id)} = undefined`)
      }
      edits.push({ start: st.start, end: st.end, text: parts.length ? `void (${parts.join(', ')});` : ';' })
    } else if (st.type === 'FunctionDeclaration') {
      const name = (st.id as Node).name as string
      names.push(name)
      hoisted.push(`${name} = ${text(st)};`)
      edits.push({ start: st.start, end: st.end, text: '' })
    } else if (st.type === 'ClassDeclaration') {
      const name = (st.id as Node).name as string
      names.push(name)
      edits.push({ start: st.start, end: st.end, text: `${name} = ${text(st)};` })
    } else if (st === last && st.type === 'ExpressionStatement') {
      edits.push({ start: st.start, end: st.end, text: `return (${text(st.expression as Node)}\n);` })
    }
  }
  const decl = names.length ? `var ${[...new Set(names)].join(', ')};\n` : ''
  return { code: `${decl}(async () => {\n${hoisted.join('\n')}${applyEdits(src, edits)}\n})()`, async: true }
}

/**
 * A whole script file as one async program: top-level `await` and `return` allowed, its own
 * scope (nothing it declares leaks into the REPL's globals). The value is what it `return`s.
 */
export function prepareProgram(source: string): string {
  return `(async () => {${stripHashbang(source)}\n})()` // same line: error positions match the file
}
