/**
 * `baobab board list | show NAME | new NAME [-o DIR] | from-dtb FILE -o OUT.ts`: the boards baobab
 * has (plugins/board-*), one described in full (board-show.ts), a skeleton for a new one
 * (board-new.ts), and a board written from a device tree blob (board-from-dtb.ts, translated by
 * board-dtb.ts). A board is read without loading the plugins it requires (board-read.ts), so
 * `list` and `show` describe boards whose device plugins are not there yet (and say which).
 */
import type { Argv, CommandModule } from 'yargs'
import type { BoardIo } from './board-format.ts'
import { boardFromDtbFile } from './board-from-dtb.ts'
import { boardNew } from './board-new.ts'
import { boardList, boardShow } from './board-show.ts'

export { bytes, type BoardIo } from './board-format.ts'
export { boardFromDtbFile } from './board-from-dtb.ts'
export { boardNew } from './board-new.ts'
export { builtinBoards, readBoard, type BoardInfo } from './board-read.ts'
export { boardList, boardShow } from './board-show.ts'
export { tsLiteral } from './board-write.ts'

interface NameArgs { name: string }
interface NewArgs { name: string; out?: string; arch: string }
interface DtbArgs { file: string; out: string; name?: string }

export function boardCommand(setCode: (c: number) => void, io?: BoardIo): CommandModule<object, object> {
  const list: CommandModule<object, object> = {
    command: 'list',
    describe: 'One line per board: arch, CPUs, RAM, interrupts, console',
    handler: async () => { setCode(await boardList(io)) },
  }
  const show: CommandModule<object, NameArgs> = {
    command: 'show <name>',
    describe: 'Everything a board has (a built-in name, or a board plugin file)',
    builder: (y: Argv) => y.positional('name', { type: 'string', demandOption: true }).example('$0 board show rpi4', ''),
    handler: async (a) => { setCode(await boardShow(a.name, io)) },
  }
  const create: CommandModule<object, NewArgs> = {
    command: 'new <name>',
    describe: 'Write board-<name>/, a board plugin to fill in; never overwrites',
    builder: (y: Argv) => y
      .positional('name', { type: 'string', demandOption: true })
      .option('out', { alias: 'o', type: 'string', describe: 'the folder to write board-<name>/ in (default: the current one)' })
      .option('arch', { type: 'string', choices: ['aarch64', 'riscv64'], default: 'aarch64', describe: 'the CPU architecture to start from' }),
    handler: async (a) => { setCode(await boardNew(a.name, { out: a.out, arch: a.arch, io })) },
  }
  const fromDtb: CommandModule<object, DtbArgs> = {
    command: 'from-dtb <file>',
    describe: 'Write a board plugin file from a device tree blob (.dtb)',
    builder: (y: Argv) => y
      .positional('file', { type: 'string', demandOption: true, describe: 'the .dtb' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'the board plugin to write (.ts, or .mts outside an ES module package); never overwritten' })
      .option('name', { type: 'string', describe: "the board's name (default: the output file's)" })
      .example('$0 board from-dtb virt.dtb -o my-board.ts', 'then: baobab run --bare prog.elf --board my-board.ts'),
    handler: async (a) => { setCode(await boardFromDtbFile(a.file, { out: a.out, name: a.name, io })) },
  }
  return {
    command: 'board <command>',
    describe: 'Boards: list, show, new, from-dtb',
    builder: (y: Argv) => y.command(list).command(show).command(create).command(fromDtb).demandCommand(1, 'name a board command (see --help)'),
    handler: () => {},
  }
}
