/**
 * JSON written as the demo configs are (configs/*.json): an object or array on one line when it
 * fits the width, else one member per line; `{ "a": 1 }` with spaces, `[1, 2]` without.
 */

const WIDTH = 100

/** one line: `{ "base": "0x80200000", "size": "64M" }` */
function oneLine(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(oneLine).join(', ')}]`
  if (v !== null && typeof v === 'object') {
    const e = Object.entries(v).filter(([, x]) => x !== undefined)
    return e.length === 0 ? '{}' : `{ ${e.map(([k, x]) => `${JSON.stringify(k)}: ${oneLine(x)}`).join(', ')} }`
  }
  return JSON.stringify(v)
}

function format(v: unknown, indent: string, used: number, top: boolean): string {
  const flat = oneLine(v)
  if (v === null || typeof v !== 'object' || (!top && indent.length + used + flat.length <= WIDTH)) return flat
  const inner = `${indent}  `
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]'
    return `[\n${v.map((x) => inner + format(x, inner, 0, false)).join(',\n')}\n${indent}]`
  }
  const e = Object.entries(v).filter(([, x]) => x !== undefined)
  if (e.length === 0) return '{}'
  return `{\n${e.map(([k, x]) => {
    const key = `${JSON.stringify(k)}: `
    return inner + key + format(x, inner, key.length, false)
  }).join(',\n')}\n${indent}}`
}

/** `value` as JSON text in the demo configs' layout, with a final newline. */
export function formatJson(value: unknown): string {
  return `${format(value, '', 0, true)}\n`
}
