/** `board new NAME [-o DIR]`: a board plugin folder to fill in (skeleton() says what it holds). */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { UsageError } from '../errors.ts'
import { processIo, type BoardIo } from './board-format.ts'
import { BOARD_NAME, importPath, refuse, tsLiteral } from './board-write.ts'

/**
 * The files of `board new`: a manifest and a data file whose every field has a TODO, starting
 * from QEMU virt's layout for the arch so the plugin loads and boots before anything is changed.
 */
function skeleton(name: string, arch: string, imp: (file: string) => string): Record<string, string> {
  const arm = arch === 'aarch64'
  const requires = arm ? ['arch-aarch64', 'dev-gic', 'dev-pl011'] : ['arch-riscv64', 'dev-plic', 'dev-aclint', 'dev-ns16550']
  const index = `/**
 * Board plugin '${name}'; the board itself is data in ${name}.ts. Load it by path (\`--board
 * board-${name}/index.ts\`, or \`"board": "…/board-${name}/index.ts"\` in a config), or copy the
 * folder into baobab's plugins/ to name it '${name}'.
 */
import type { Plugin } from '${imp('core/plugins.ts')}'
import { board } from './${name}.ts'

const plugin: Plugin = {
  name: 'board-${name}',
  kind: 'board',
  version: '0.1.0',
  // TODO: the arch plugin and every device plugin whose types ${name}.ts uses
  requires: ${tsLiteral(requires)},
  setup(ctx) {
    ctx.boards.register(board)
  },
}

export default plugin
`
  const devices = arm
    ? `    // TODO: the interrupt controller: a GICv2's window runs from GICD over GICC, GICH and GICV (offsets
    // from GICD); a GICv3 is type 'gicv3' with params { gicrOffset } and size gicrOffset + cpus × 0x20000
    { name: 'gic0', type: 'gicv2', base: 0x800_0000, size: 0x5_0000, params: { giccOffset: 0x1_0000, gichOffset: 0x3_0000, gicvOffset: 0x4_0000 } },
    // TODO: the UARTs: a device plugin's type (pl011, ns16550, cdns-uart, lpuart, imx-uart, …), the
    // register window, the interrupt (an SPI n in the device tree is input 32 + n)
    { name: 'uart0', type: 'pl011', base: 0x900_0000, size: 0x1000, irqs: [{ to: 'gic0', input: 33 }] },
  ],
  // TODO: the generic timer's PPIs (the device tree's arm,armv8-timer: PPI n is input 16 + n)
  cpuIrqs: [
    { output: 'CNTPNSIRQ', to: 'gic0', input: 30 },
    { output: 'CNTVIRQ', to: 'gic0', input: 27 },
  ],`
    : `    // TODO: the CLINT (machine timer and software interrupts)
    { name: 'clint0', type: 'aclint', base: 0x200_0000, size: 0x1_0000 },
    // TODO: the PLIC: sources counts id 0 too (riscv,ndev + 1); contexts default to M then S per hart
    { name: 'plic0', type: 'plic', base: 0xc00_0000, size: 0x60_0000, params: { sources: 96 } },
    // TODO: the UARTs: a device plugin's type (ns16550, sifive-uart, …), the register window, the PLIC source
    { name: 'uart0', type: 'ns16550', base: 0x1000_0000, size: 0x100, irqs: [{ to: 'plic0', input: 10 }] },
  ],`
  const ram = arm ? 0x4000_0000 : 0x8000_0000
  const data = `/**
 * Board '${name}'. TODO: one line on the hardware, and where each fact below comes from (the SoC's
 * reference manual, its Linux device tree, a platform description). Every value is QEMU virt's
 * until changed.
 */
import type { BoardDesc } from '${imp('core/board.ts')}'

export const board: BoardDesc = {
  name: '${name}',
  arch: '${arch}',
  // TODO: the cores, how many, and (if more than one) CPUs per cluster, e.g. clusters: [4, 2]
  cpuModel: '${arm ? 'cortex-a53' : 'rv64gc'}',
  cpus: ${arm ? 4 : 2},
  // TODO: the core clock (one instruction per cycle)
  cpuHz: 1_000_000_000,
  // TODO: the timer's frequency (${arm ? 'CNTFRQ_EL0' : 'the device tree\'s timebase-frequency'})
  timebaseHz: ${arm ? '62_500_000' : '10_000_000'},
  // TODO: every RAM window, page-aligned
  memory: [{ base: ${tsLiteral(ram, '', 'base')}, size: 0x4000_0000 }],
  devices: [
${devices}
  console: 'uart0',
  // TODO: where the firmware enters a raw image (bare mode starts images without an entry point there)
  resetPc: ${tsLiteral(arm ? ram + 0x8_0000 : ram, '', 'resetPc')},
  // TODO: the caches colouring works from (none: one colour), e.g.
  // caches: { llc: { sizeBytes: 1024 * 1024, ways: 16, lineBytes: 64 }, l1d: { sizeBytes: 32 * 1024, ways: 4, lineBytes: 64 } },
  // TODO: the RAM firmware keeps, and where the hypervisor's image is loaded
  reserved: [
    { base: ${tsLiteral(arm ? ram : ram + 0x20_0000, '', 'base')}, size: 0x20_0000, what: 'the hypervisor image and CPU areas', hypervisor: true },
  ],
}
`
  // the folder's .ts files are ES modules wherever the folder is (Node reads .ts outside such a package as CommonJS)
  const pkg = `${JSON.stringify({ name: `board-${name}`, private: true, type: 'module' }, null, 2)}\n`
  return { 'index.ts': index, [`${name}.ts`]: data, 'package.json': pkg }
}

/** `board new NAME [-o DIR]`: a board plugin folder to fill in (it loads as it is: a QEMU-virt-like machine). */
export async function boardNew(name: string, opts: { out?: string; arch?: string; io?: BoardIo } = {}): Promise<number> {
  const io = opts.io ?? processIo
  if (!BOARD_NAME.test(name)) throw new UsageError(`board name '${name}': use lower-case letters, digits and dashes`)
  const arch = opts.arch ?? 'aarch64'
  const dir = join(opts.out ?? '.', `board-${name}`)
  refuse(dir)
  const files = skeleton(name, arch, (file) => importPath(resolve(dir), file))
  mkdirSync(dir)
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text)
  io.out(`wrote ${dir}/: ${Object.keys(files).join(', ')} (${arch}); fill in the TODOs, then load it with --board ${join(dir, 'index.ts')}\n`)
  return 0
}
