/**
 * `board from-dtb FILE -o OUT.ts`: a board plugin file written from a device tree blob, its
 * header listing what the translation (board-dtb.ts) assumed and left out.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { UsageError } from '../errors.ts'
import { bytes, consoleUart, cpuCount, irqController, plural, processIo, ramBytes, type BoardIo } from './board-format.ts'
import { BOARD_NAME, comment, esmPackage, importPath, refuse, tsLiteral } from './board-write.ts'

/** `board from-dtb FILE -o OUT.ts`: a board plugin file from a device tree blob. */
export async function boardFromDtbFile(file: string, opts: { out: string; name?: string; io?: BoardIo }): Promise<number> {
  const io = opts.io ?? processIo
  const { FdtError } = await import('../../core/fdt.ts')
  const { boardFromDtb, DtbBoardError } = await import('./board-dtb.ts')
  if (!/\.m?ts$/.test(opts.out)) throw new UsageError(`-o ${opts.out}: the board plugin is TypeScript, name it <something>.ts (or .mts)`)
  const name = opts.name ?? basename(opts.out).replace(/\.m?ts$/, '').toLowerCase().replace(/^board-/, '').replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '')
  if (!BOARD_NAME.test(name)) throw new UsageError(`board name '${name}': use lower-case letters, digits and dashes (--name)`)
  let blob: Uint8Array
  try {
    blob = readFileSync(file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new UsageError(code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${(e as Error).message}`)
  }
  refuse(opts.out)
  let t
  try {
    t = boardFromDtb(blob, name)
  } catch (e) {
    if (e instanceof FdtError) throw new UsageError(`${file} is not a device tree blob: ${e.message.replace(/^fdt: /, '')}`)
    if (e instanceof DtbBoardError) throw new UsageError(`${file}: ${e.message}`)
    throw e
  }
  const dir = dirname(resolve(opts.out))
  const of = `${t.model ? `"${t.model}"` : 'a machine'}${t.compatible?.length ? ` (compatible "${t.compatible.join('", "')}")` : ''}`
  const out = basename(opts.out)
  const header = [
    `Board plugin '${name}', written by \`baobab board from-dtb ${basename(file)}\` from the device tree of ${of}. `
      + `Load it with \`--board ${out}\` or \`"board": "./${out}"\` in a config (paths are relative to the config).`,
    '',
    'Not in the device tree, so chosen here: check each against the hardware.',
    ...t.assumed.map((a) => `- ${a}`),
  ]
  if (t.unmapped.length) header.push('', 'Left out (no device plugin for them, or nothing baobab maps):', ...t.unmapped.map((u) => `- ${u}`))
  const plugin = { name: `board-${name}`, kind: 'board', version: '0.1.0', requires: t.requires }
  const source = comment(header)
    + `import type { BoardDesc } from '${importPath(dir, 'core/board.ts')}'\n`
    + `import type { Plugin } from '${importPath(dir, 'core/plugins.ts')}'\n\n`
    + `export const board: BoardDesc = ${tsLiteral(t.board, '', '', 32)}\n\n`
    + `const plugin: Plugin = {\n${Object.entries(plugin).map(([k, v]) => `  ${k}: ${tsLiteral(v, '  ', k, k.length + 4)},\n`).join('')}`
    + `  setup(ctx) {\n    ctx.boards.register(board)\n  },\n}\n\nexport default plugin\n`
  writeFileSync(opts.out, source)
  const b = t.board
  const ram = bytes(ramBytes(b))
  io.out(`wrote ${opts.out}: board '${name}' (${b.arch}, ${cpuCount(b)} CPUs, ${ram}, ${irqController(b)}, console ${consoleUart(b)}); `
    + `${plural(t.unmapped.length, 'kind')} of node left out and ${plural(t.assumed.length, 'value')} assumed, listed in the file\n`)
  if (opts.out.endsWith('.ts') && !esmPackage(dir)) {
    io.out(`note: ${dir} is in no package.json with "type": "module", so Node reads .ts files there as CommonJS `
      + 'and cannot load this plugin: name it .mts, or add such a package.json\n')
  }
  return 0
}
