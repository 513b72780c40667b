/**
 * `baobab session list | show NAME | rm NAME`: the saved sessions (core/session/store.ts).
 * Saving happens from the REPL/API (`session.save(name)`); resuming with `baobab run --session`.
 * The commands themselves are in session-run.ts, loaded when one runs: the session store brings
 * lowdb, zod and the config rules, which the other commands do not need at start.
 */
import type { Argv, CommandModule } from 'yargs'
import type { SessionIo } from './session-run.ts'

interface DirArgs { dir?: string }
interface NameArgs extends DirArgs { name: string }

export function sessionCommand(setCode: (c: number) => void, io?: SessionIo): CommandModule<object, object> {
  const dir = (y: Argv) => y.option('dir', { type: 'string', describe: 'sessions folder (default: $BAOBAB_SESSIONS or sessions/)' })
  const list: CommandModule<object, DirArgs> = {
    command: 'list',
    describe: 'List saved sessions',
    builder: (y: Argv) => dir(y),
    handler: async (a) => { setCode((await import('./session-run.ts')).listCommand({ dir: a.dir, io })) },
  }
  const show: CommandModule<object, NameArgs> = {
    command: 'show <name>',
    describe: 'Describe a session and check that it can be resumed',
    builder: (y: Argv) => dir(y).positional('name', { type: 'string', demandOption: true }),
    handler: async (a) => { setCode(await (await import('./session-run.ts')).showCommand(a.name, { dir: a.dir, io })) },
  }
  const rm: CommandModule<object, NameArgs> = {
    command: 'rm <name>',
    describe: 'Delete a session (damaged or not)',
    builder: (y: Argv) => dir(y).positional('name', { type: 'string', demandOption: true }),
    handler: async (a) => { setCode(await (await import('./session-run.ts')).rmCommand(a.name, { dir: a.dir, io })) },
  }
  return {
    command: 'session <command>',
    describe: 'Saved sessions: list, show, rm (save from the REPL; resume with run --session NAME)',
    builder: (y: Argv) => y.command(list).command(show).command(rm).demandCommand(1, 'name a session command (see --help)'),
    handler: () => {},
  }
}
