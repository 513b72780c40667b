/**
 * The GDB stub's TCP side: a server on 127.0.0.1 only (what the user opened, nothing more), one
 * debugger at a time (a second connection is closed at once), acknowledgements until GDB asks
 * for no-ack mode, Ctrl-C as a 0x03 byte. A connection attaches (the target stops where it is);
 * its end — `D`, `k`, or the socket closing — detaches (the target runs on, breakpoints gone).
 * Neither the server nor a connection keeps the process alive on its own.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { dispatch, stopReply, type Conversation } from './commands.ts'
import { RunControl, type Action, type StopEvent } from './control.ts'
import { Driver } from './drive.ts'
import { frame, PacketReader } from './packet.ts'
import type { DebugTarget } from './target.ts'

export interface GdbServerOptions {
  /** TCP port on 127.0.0.1 (0: any free one; `port` tells which) */
  port: number
  /** hold the target from now on until a debugger attaches and resumes it (QEMU's -S) */
  wait?: boolean
  /** what the rest of the machine does while the target is stopped (default: runs on) */
  others?: 'run' | 'stop'
  /** one line per event worth telling the user (listening, attached, detached) */
  log?: (line: string) => void
}

/**
 * How long a resume runs the machine right away, before the reply is left to whoever runs it
 * next: a single step is answered at once when it completes within STEP_SYNC_MS; a continue gets
 * CONT_SYNC_MS, so one that stops soon (GDB's software single-step on RISC-V is a continue to a
 * temporary breakpoint at the next pc) is answered at once too.
 */
const STEP_SYNC_MS = 200
const CONT_SYNC_MS = 20

export class GdbServer {
  readonly ctl: RunControl
  private readonly driver: Driver
  private conn: Connection | null = null
  private closed = false

  private constructor(readonly target: DebugTarget, private readonly server: Server, readonly port: number, private readonly log: (l: string) => void) {
    this.ctl = new RunControl(target, (e) => this.stopped(e), (l) => this.log(l))
    this.driver = new Driver(this.ctl)
  }

  static start(target: DebugTarget, opts: GdbServerOptions): Promise<GdbServer> {
    if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) return Promise.reject(new Error(`the port must be 0..65535, got ${opts.port}`))
    const server = createServer({ noDelay: true })
    return new Promise((resolve, reject) => {
      server.once('error', (e) => reject(new Error(`cannot listen on 127.0.0.1:${opts.port}: ${e.message}`)))
      server.listen(opts.port, '127.0.0.1', () => {
        const addr = server.address()
        const port = typeof addr === 'object' && addr ? addr.port : opts.port
        const s = new GdbServer(target, server, port, opts.log ?? (() => {}))
        s.ctl.setOthers(opts.others ?? 'run')
        server.on('connection', (sock) => s.accept(sock))
        server.on('error', (e) => s.log(`gdb: ${e.message}`))
        server.unref()
        if (opts.wait) s.ctl.attach()
        s.log(`gdb: ${target.name} on 127.0.0.1:${port} (target remote :${port})${opts.wait ? '; it waits for the debugger' : ''}`)
        resolve(s)
      })
    })
  }

  /** a debugger is connected */
  get connected(): boolean {
    return this.conn !== null
  }

  /** Stop listening, drop the debugger, let the target run. */
  close(): Promise<void> {
    this.closed = true
    this.conn?.end()
    this.ctl.detach()
    this.driver.stop()
    return new Promise((res) => this.server.close(() => res()))
  }

  private accept(sock: Socket): void {
    if (this.conn || this.closed) {
      sock.end()
      return
    }
    sock.unref()
    sock.setNoDelay(true)
    this.ctl.attach()
    this.conn = new Connection(this, sock)
    this.log(`gdb: debugger attached to ${this.target.name}`)
    sock.on('close', () => {
      this.conn = null
      this.ctl.detach()
      this.driver.stop()
      if (!this.closed) this.log(`gdb: debugger detached; ${this.target.name} runs on`)
    })
    sock.on('error', () => sock.destroy())
  }

  private stopped(e: StopEvent): void {
    this.driver.stop()
    this.conn?.stopped(e)
  }

  report(line: string): void {
    this.log(line)
  }

  /** a connection resumed the target */
  resumed(step: boolean): void {
    this.ctl.drive(step ? STEP_SYNC_MS : CONT_SYNC_MS)
    if (this.ctl.running) this.driver.start()
  }

  /** `k`: end the target (a VM shuts down as on its own SBI/PSCI request; a bare machine powers off) */
  kill(): void {
    const { hv, vm, machine } = this.target
    this.ctl.detach()
    if (vm && hv) hv.shutdownVm(vm)
    else machine.poweroff(0)
    this.log(`gdb: the debugger killed ${this.target.name}`)
  }

  monitor(cmd: string): string {
    const words = cmd.trim().split(/\s+/)
    const t = this.target
    switch (words[0]) {
      case 'others':
        if (words[1] === 'stop' || words[1] === 'run') {
          this.ctl.setOthers(words[1])
          return `the other VMs ${words[1] === 'stop' ? 'now stop' : 'now run on'} while ${t.name} is stopped`
        }
        return `others: ${this.ctl.others} (monitor others stop|run)`
      case 'info': {
        const lines = [`${t.name}; others ${this.ctl.others === 'stop' ? 'stop with it' : 'run on'} while it is stopped`]
        for (const th of t.threads) lines.push(`  thread ${th.id}: ${t.describe(th)}${this.ctl.isHeld(th.id) ? ', held' : ''}`)
        return lines.join('\n')
      }
      case 'vms':
        return t.hv ? t.hv.vms.map((v) => `${v.id} ${v.name}: ${v.state}, pCPUs ${v.vcpus.map((c) => c.pcpu).join(',')}`).join('\n') : 'no hypervisor: a bare machine'
      default:
        return 'baobab monitor commands:\n  info          the target and its threads\n  vms           every VM\n  others stop   stop the rest of the machine while the target is stopped\n  others run    let it run on (the default)'
    }
  }
}

/** One debugger's connection: framing, acknowledgements, and the conversation's state. */
class Connection implements Conversation {
  private readonly reader = new PacketReader()
  private noAck = false
  private lastSent = ''
  gThread = 0
  cThread = 0
  wantNoAck = false
  closing = false
  /** GDB waits for a stop reply (it resumed the target) */
  private waiting = false

  constructor(private readonly owner: GdbServer, private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => this.receive(d.toString('latin1')))
  }

  get target(): DebugTarget { return this.owner.target }
  get ctl(): RunControl { return this.owner.ctl }

  end(): void {
    this.sock.end()
  }

  private receive(chunk: string): void {
    for (const item of this.reader.feed(chunk)) {
      switch (item.kind) {
        case 'packet': this.packet(item.data); break
        case 'bad': if (!this.noAck) this.write('-'); break
        case 'nack': if (this.lastSent) this.write(this.lastSent); break
        case 'interrupt': this.ctl.interrupt(); break
        case 'ack': break
      }
      if (this.sock.destroyed) return
    }
  }

  private packet(data: string): void {
    if (!this.noAck) this.write('+')
    let reply: string | null
    try {
      reply = dispatch(this, data)
    } catch (e) {
      // a request the stub could not serve must not take the workbench down with it
      reply = 'E01'
      this.owner.report(`gdb: could not answer ${JSON.stringify(data.slice(0, 40))}: ${e instanceof Error ? e.message : String(e)}`)
    }
    if (reply !== null) this.send(reply)
    if (this.wantNoAck) { this.noAck = true; this.wantNoAck = false }
    if (this.closing) this.sock.end()
  }

  private send(data: string): void {
    this.lastSent = frame(data)
    this.write(this.lastSent)
  }

  private write(s: string): void {
    if (!this.sock.destroyed && this.sock.writable) this.sock.write(s, 'latin1')
  }

  monitor(cmd: string): string {
    return this.owner.monitor(cmd)
  }

  resume(actions: ReadonlyMap<number, Action>, step: boolean): void {
    this.waiting = true
    this.ctl.resume(actions)
    this.owner.resumed(step)
  }

  kill(): void {
    this.waiting = false
    this.owner.kill()
  }

  stopped(e: StopEvent): void {
    if (!this.waiting) return
    this.waiting = false
    this.send(stopReply(this, e))
  }
}
