/**
 * Writing board plugin files (`board new`, `board from-dtb`): values and block comments as
 * TypeScript source, import paths back into the project, the checks before writing (a board
 * name, never overwriting, whether Node will read the .ts there as an ES module).
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { UsageError } from '../errors.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** what a board may be named: it becomes a plugin name and a folder */
export const BOARD_NAME = /^[a-z0-9][a-z0-9-]*$/

/** An import specifier from `fromDir` to the project's file `file` (a type-only import: erased when the plugin loads, so it may dangle once the file moves). */
export function importPath(fromDir: string, file: string): string {
  const rel = relative(fromDir, join(ROOT, file)).split(sep).join('/')
  return rel.startsWith('.') ? rel : `./${rel}`
}

const HEX_KEYS = /^(base|size|resetPc|\w+Offset)$/

function num(n: number, key: string): string {
  const group = (s: string, k: number): string => s.replace(new RegExp(`\\B(?=(\\w{${k}})+$)`, 'g'), '_')
  if (HEX_KEYS.test(key)) return `0x${group(n.toString(16), 4)}`
  return n >= 10_000 ? group(String(n), 3) : String(n)
}

/**
 * A value as TypeScript source: one line when it fits in 120 columns after the `lead` characters
 * before it on its line, else one member per line.
 */
export function tsLiteral(v: unknown, indent = '', key = '', lead = indent.length): string {
  if (typeof v === 'number') return num(v, key)
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  if (typeof v !== 'object' || v === null) return String(v)
  const inner = indent + '  '
  const entries = Array.isArray(v)
    ? v.map((x) => tsLiteral(x, inner, key))
    : Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => {
      const name = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`
      return `${name}: ${tsLiteral(x, inner, k, inner.length + name.length + 2)}`
    })
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{ ', ' }']
  const flat = entries.length ? `${open}${entries.join(', ')}${close}` : Array.isArray(v) ? '[]' : '{}'
  if (!flat.includes('\n') && lead + flat.length + 1 <= 120) return flat
  return `${open.trim()}\n${entries.map((e) => `${inner}${e},`).join('\n')}\n${indent}${close.trim()}`
}

/** Lines of a block comment, each wrapped to fit 100 columns. */
export function comment(paragraphs: string[]): string {
  const out: string[] = []
  for (const p of paragraphs) {
    if (p === '') { out.push(' *'); continue }
    const indent = p.startsWith('- ') ? '   ' : ' * '
    let line = ' * '
    for (const word of p.replace(/\*\//g, '* /').split(' ')) {
      if (line.length + word.length > 99 && line.trim() !== '*') { out.push(line.trimEnd()); line = indent === '   ' ? ' *   ' : ' * ' }
      line += `${word} `
    }
    out.push(line.trimEnd())
  }
  return `/**\n${out.join('\n')}\n */\n`
}

/** Whether `dir`'s .ts files are ES modules to Node: the nearest package.json says "type": "module". */
export function esmPackage(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    const pkg = join(d, 'package.json')
    if (existsSync(pkg)) {
      try { return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type === 'module' } catch { return false }
    }
    if (dirname(d) === d) return false
  }
}

/** A usage error unless `path` is free and its folder is there. */
export function refuse(path: string): void {
  if (existsSync(path)) throw new UsageError(`${path} exists: not overwriting it`)
  const dir = dirname(resolve(path))
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`cannot write ${path}: no such folder ${dir}`)
}
