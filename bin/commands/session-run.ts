/**
 * What `baobab session list | show NAME | rm NAME` do (the command line is session.ts): the saved
 * sessions of core/session/store.ts.
 */
import { listSessions, loadSession, openSession, readSessionDoc, removeSession, SessionError, sessionsDir } from '../../core/session/store.ts'
import { EXIT_BAD_INPUT } from '../errors.ts'

export interface SessionIo {
  out(text: string): void
  err(text: string): void
}

const processIo: SessionIo = {
  out: (t) => { process.stdout.write(t) },
  err: (t) => { process.stderr.write(t) },
}

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`

/** one line per session: name, virtual time, saved at, config (or why it cannot be read) */
export function listCommand(opts: { dir?: string; io?: SessionIo } = {}): number {
  const io = opts.io ?? processIo
  const all = listSessions({ dir: opts.dir })
  if (!all.length) {
    io.out(`no sessions in ${sessionsDir({ dir: opts.dir })}\n`)
    return 0
  }
  for (const s of all) {
    if (s.error) io.out(`${s.name}  DAMAGED: ${s.error}\n`)
    else io.out(`${s.name}  ${s.virtualMs.toFixed(3)} ms  saved ${s.createdAt}  ${s.config}\n`)
  }
  return 0
}

/**
 * What session.json says, then whether the session can be resumed: every check a resume makes,
 * down to restoring it into a fresh machine (which is then dropped). A session that fails says
 * "resumable no: <reason>" and the reason goes to stderr too (exit 2).
 */
export async function showCommand(name: string, opts: { dir?: string; io?: SessionIo } = {}): Promise<number> {
  const io = opts.io ?? processIo
  const refused = (e: SessionError): number => {
    io.out(`  resumable  no: ${e.message}\n`)
    io.err(`baobab: ${e.message}\n`)
    return EXIT_BAD_INPUT
  }
  let doc, path
  try {
    ({ doc, path } = await readSessionDoc(name, { dir: opts.dir }))
  } catch (e) {
    if (!(e instanceof SessionError)) throw e
    io.out(`session ${name}\n`)
    return refused(e)
  }
  const m = doc.machine
  const lines = [
    `session ${doc.name} (${path})`,
    `  saved      ${doc.createdAt}`,
    `  ${doc.config.kind === 'config' ? 'config ' : 'image  '}    ${doc.config.path}`,
    ...doc.config.images.map((i) => `  image      ${i.path}`),
    `  board      ${doc.board} (${m.cpus.length} CPU${m.cpus.length === 1 ? '' : 's'})`,
    `  time       ${doc.virtualMs.toFixed(3)} ms virtual, ${doc.instructions} instructions`,
    ...(m.hypervisor ? m.hypervisor.vms.map((v) => `  vm ${v.id}       ${v.name}: ${v.state}, ${v.vcpus.length} vCPU, ${Buffer.from(v.console.output, 'base64').length} console bytes`) : []),
    `  RAM        ${m.ramPages} non-zero pages (ram.bin.gz ${kib(doc.files['ram.bin.gz'].bytes)}, state.bin.gz ${kib(doc.files['state.bin.gz'].bytes)})`,
    `  events     ${m.sched.events.map((e) => `${e.tag}@${e.time}`).join(', ') || 'none'}`,
    `  plugins    ${doc.plugins.map((p) => `${p.name}@${p.version}`).join(', ')}`,
    `  history    ${doc.replHistory.length} REPL line${doc.replHistory.length === 1 ? '' : 's'}`,
  ]
  io.out(lines.join('\n') + '\n')
  try {
    const { Workbench } = await import('../../core/api.ts')
    await openSession(await loadSession(name, { dir: opts.dir }), Workbench.open)
  } catch (e) {
    if (!(e instanceof SessionError)) throw e
    return refused(e)
  }
  io.out('  resumable  yes\n')
  return 0
}

export async function rmCommand(name: string, opts: { dir?: string; io?: SessionIo } = {}): Promise<number> {
  const io = opts.io ?? processIo
  try {
    await removeSession(name, { dir: opts.dir })
    io.out(`removed session ${name}\n`)
    return 0
  } catch (e) {
    if (!(e instanceof SessionError)) throw e
    io.err(`baobab: ${e.message}\n`)
    return EXIT_BAD_INPUT
  }
}
