/**
 * `baobab board list | show | new | from-dtb`: what each prints, the skeleton `new` writes (a
 * plugin that loads and builds a machine as it is), and the errors of bad input (one line, exit 2):
 * an unknown board, a file that is not there or not a device tree, an output that exists.
 * Through the CLI once each, and `run --bare` on a board from-dtb wrote prints what QEMU printed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { boardFromDtbFile, boardList, boardNew, boardShow, type BoardIo } from '../bin/commands/board.ts'
import { UsageError } from '../bin/errors.ts'
import { fdtNode, fdtReg, fdtToBytes } from '../core/fdt.ts'
import { Machine } from '../core/machine.ts'
import { BUILTIN_PLUGINS, PluginHost } from '../core/plugins.ts'
import { cli, root } from './hyp-util.ts'

const tmp = mkdtempSync(join(tmpdir(), 'baobab-board-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
const FIXTURE = join(root, 'test', 'fixtures', 'qemu-virt-aarch64.dtb')

function capture(): BoardIo & { text: () => string } {
  let s = ''
  return { out: (t) => { s += t }, text: () => s }
}

describe('board list and show', () => {
  it('lists every board in plugins/: arch, CPUs (per cluster), RAM, interrupt controller, console UART', async () => {
    const io = capture()
    expect(await boardList(io)).toBe(0)
    const lines = io.text().trimEnd().split('\n')
    expect(lines[0]).toMatch(/^board\s+arch\s+cpus\s+ram\s+interrupts\s+console$/)
    const boards = readdirSync(BUILTIN_PLUGINS).filter((d) => d.startsWith('board-')).map((d) => d.slice(6)).sort()
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(boards)
    expect(io.text()).toMatch(/^qemu-virt-aarch64 +aarch64 +4 +4 GiB +gicv2@0x08000000 +pl011@0x09000000$/m)
    expect(io.text()).toMatch(/^imx8qm +aarch64 +6 \(4\+2\) +6 GiB +gicv3@0x51a00000 +lpuart@0x5a060000/m)
    expect(io.text()).toMatch(/^rocket +riscv64 +1 +2 GiB +plic@0x0c000000 +sifive-uart@0x64000000/m)
  })

  it('shows everything a board has, by name or by plugin file', async () => {
    const io = capture()
    expect(await boardShow('rock960', io)).toBe(0)
    const text = io.text()
    expect(text).toMatch(/^board rock960\n/)
    for (const line of [
      /^ {2}arch +aarch64, cortex-a53 ×4 \+ cortex-a72 ×2$/m,
      /^ {2}cpus +6 in 2 clusters of 4, 2 at 1\.416 GHz \(one instruction per cycle\); timer 24 MHz$/m,
      /^ {2}memory +0x00000000\.\.0x80000000 {2}2 GiB$/m,
      /^ {2}devices +gic0 +gicv3 +0xfee00000\.\.0xfefc0000 +gicrOffset=0x100000$/m,
      /^ +uart2 +ns16550 +0xff1a0000\.\.0xff1a0100 +irq → gic0 132 +regShift=2 +regIoWidth=4$/m,
      /^ {2}cpu irqs +CNTPNSIRQ → gic0 30, CNTVIRQ → gic0 27$/m,
      /^ {2}colours +4 colours of 2 pages \(the pattern repeats every 32 KiB\)$/m,
    ]) expect(text).toMatch(line)
    const byPath = capture()
    await boardShow(join(root, 'test', 'fixtures', 'boards', 'my-soc.ts'), byPath)
    expect(byPath.text()).toMatch(/^board my-soc\n {2}plugin +board-my-soc /)
  })

  it('names the boards there are when asked for one that is not', async () => {
    await expect(boardShow('nope')).rejects.toThrow(UsageError)
    await expect(boardShow('nope')).rejects.toThrow(/^unknown board 'nope' \(the boards: cva6, hikey960, .*zcu104\)$/)
  })
})

describe('board new', () => {
  for (const arch of ['aarch64', 'riscv64']) {
    it(`writes ${arch === 'aarch64' ? 'an' : 'a'} ${arch} skeleton that loads as a plugin by path and builds a machine as it is`, async () => {
      const io = capture()
      expect(await boardNew(`my-${arch}`, { out: tmp, arch, io })).toBe(0)
      const dir = join(tmp, `board-my-${arch}`)
      // package.json makes the .ts files ES modules to Node wherever the folder is
      expect(readdirSync(dir).sort()).toEqual(['index.ts', `my-${arch}.ts`, 'package.json'])
      expect(readFileSync(join(dir, `my-${arch}.ts`), 'utf8')).toContain('// TODO: every RAM window, page-aligned')
      const host = new PluginHost()
      const board = await host.loadBoard(join(dir, 'index.ts'))
      expect([board.name, board.arch]).toEqual([`my-${arch}`, arch])
      const m = new Machine(board, host.archs.get(arch)!, host)
      expect(m.consoles.has('uart0')).toBe(true)
      // and never over what is there
      await expect(boardNew(`my-${arch}`, { out: tmp, arch })).rejects.toThrow(/board-my-\w+ exists: not overwriting it$/)
    })
  }

  it('refuses a name that is not lower-case letters, digits and dashes', async () => {
    await expect(boardNew('My_Board', { out: tmp })).rejects.toThrow(/^board name 'My_Board': use lower-case letters, digits and dashes$/)
  })
})

describe('board from-dtb: bad input', () => {
  const out = (f: string): string => join(tmp, f)

  it('a file that is not there, or not a device tree blob', async () => {
    await expect(boardFromDtbFile(out('nothing.dtb'), { out: out('a.ts') })).rejects.toThrow(/^no such file: .*nothing\.dtb$/)
    writeFileSync(out('text.dtb'), '/dts-v1/;\n/ {\n\tmodel = "a device tree source, not a blob";\n};\n')
    await expect(boardFromDtbFile(out('text.dtb'), { out: out('a.ts') })).rejects.toThrow(/text\.dtb is not a device tree blob: magic is 0x2f647473, not 0xd00dfeed/)
    writeFileSync(out('short.dtb'), readFileSync(FIXTURE).subarray(0, 100))
    await expect(boardFromDtbFile(out('short.dtb'), { out: out('a.ts') })).rejects.toThrow(/short\.dtb is not a device tree blob: totalsize 1048576 exceeds the 100 bytes given/)
  })

  it('a device tree with no CPUs or no RAM', async () => {
    const r = fdtNode().prop('#address-cells', 2).prop('#size-cells', 2)
    r.child('memory@80000000').prop('device_type', 'memory').prop('reg', fdtReg([{ address: 0x8000_0000, size: 0x1000_0000 }]))
    writeFileSync(out('nocpu.dtb'), fdtToBytes(r))
    await expect(boardFromDtbFile(out('nocpu.dtb'), { out: out('a.ts') })).rejects.toThrow(/nocpu\.dtb: the device tree has no CPUs/)
  })

  it('an output that exists, or is not a .ts file', async () => {
    writeFileSync(out('taken.ts'), '// mine\n')
    await expect(boardFromDtbFile(FIXTURE, { out: out('taken.ts') })).rejects.toThrow(/taken\.ts exists: not overwriting it$/)
    expect(readFileSync(out('taken.ts'), 'utf8')).toBe('// mine\n')
    await expect(boardFromDtbFile(FIXTURE, { out: out('board.js') })).rejects.toThrow(/the board plugin is TypeScript, name it <something>\.ts \(or \.mts\)$/)
  })

  it('says when a .ts output lies outside an ES module package (Node would read it as CommonJS)', async () => {
    const io = capture()
    await boardFromDtbFile(FIXTURE, { out: out('outside.ts'), io })
    expect(io.text()).toMatch(/\nnote: .* is in no package\.json with "type": "module", .*: name it \.mts, or add such a package\.json\n$/)
    const esm = mkdtempSync(join(tmp, 'esm-'))
    writeFileSync(join(esm, 'package.json'), '{ "type": "module" }\n')
    const inEsm = capture()
    await boardFromDtbFile(FIXTURE, { out: join(esm, 'inside.ts'), io: inEsm })
    expect(inEsm.text()).not.toContain('note:')
  })
})

describe('through the CLI', () => {
  it('bad input is one line on stderr and exit 2', async () => {
    const unknown = await cli(['board', 'show', 'nope'])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toMatch(/^baobab: unknown board 'nope' \(the boards: [^\n]*\)\n$/)
    const missing = await cli(['board', 'from-dtb', join(tmp, 'no.dtb'), '-o', join(tmp, 'x.ts')])
    expect([missing.status, missing.stderr]).toEqual([2, `baobab: no such file: ${join(tmp, 'no.dtb')}\n`])
  })

  it("writes a board from QEMU's device tree that `run --bare` then runs QEMU's GIC test on, printing what QEMU printed", async () => {
    const board = join(tmp, 'qemu-a64.mts')
    const wrote = await cli(['board', 'from-dtb', FIXTURE, '-o', board])
    expect(wrote.status).toBe(0)
    expect(wrote.stdout).toMatch(/^wrote .*qemu-a64\.mts: board 'qemu-a64' \(aarch64, 4 CPUs, 4 GiB, gicv2@0x08000000, console pl011@0x09000000\);/)
    const images = join(root, 'guests', 'images', 'aarch64')
    const run = await cli(['run', '--bare', join(images, 'gic.elf'), '--board', board])
    expect(run.status).toBe(0)
    expect(run.stdout).toBe(readFileSync(join(images, 'gic.expected'), 'utf8'))
  })
})
