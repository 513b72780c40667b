/**
 * The packets a GDB stub answers (GDB manual, Appendix E "Packets", "General Query Packets",
 * "Stop Reply Packets"), one function per packet family. Every request gets an answer or, for
 * what this stub does not do, the empty reply GDB reads as "not supported"; malformed requests
 * get an `E` error. A `null` answer means the reply comes later (a resume: the stop reply).
 */
import type { Action, RunControl, StopEvent } from './control.ts'
import { fromHex, hexNum, MAX_PACKET, textHex, toHex, unescape } from './packet.ts'
import type { DebugTarget, Thread } from './target.ts'
import { WATCH_OF_Z } from './watch.ts'

/** E codes: GDB shows them as numbers; errno values as gdbserver uses them */
const E_INVAL = 'E16', E_FAULT = 'E0e', E_NOENT = 'E02', E_IO = 'E05'

export const SUPPORTED = `PacketSize=${MAX_PACKET.toString(16)};qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+`

/** the state of one connection the packets read and change */
export interface Conversation {
  readonly target: DebugTarget
  readonly ctl: RunControl
  /** Hg: the thread g/p/m act on (0: the last stopped one) */
  gThread: number
  /** Hc: the thread the legacy c/s packets act on (0 or -1: see there) */
  cThread: number
  /** GDB asked QStartNoAckMode: set once the OK has gone */
  wantNoAck: boolean
  /** after D / k: close the connection once the reply has gone */
  closing: boolean
  /** monitor commands (qRcmd), answered as text */
  monitor(cmd: string): string
  /** resume the target (a stop reply follows, at once when a single step completes quickly) */
  resume(actions: ReadonlyMap<number, Action>, step: boolean): void
  /** the target's end by `k` (VM shut down, bare machine powered off) */
  kill(): void
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0')

/** T/W/X stop reply for `e` (thread ids and register numbers in hex, the pc expedited) */
export function stopReply(c: Conversation, e: StopEvent): string {
  if ('exit' in e) return e.exit
  let s = `T${hex2(e.signal)}thread:${e.thread.toString(16)};`
  const t = c.target.thread(e.thread)
  const pc = t ? c.target.arch.readRegister(c.target.view(t), c.target.layout.pc) : null
  if (pc) s += `${c.target.layout.pc.toString(16)}:${toHex(pc)};`
  if (e.why === 'swbreak' || e.why === 'hwbreak') s += `${e.why}:;`
  else if (e.why === 'watch') s += `${e.watch.kind}:${e.watch.addr.toString(16)};`
  return s
}

/** Answer one packet (its data, unescaped only where binary). */
export function dispatch(c: Conversation, p: string): string | null {
  switch (p[0]) {
    case '?': return stopReply(c, c.ctl.last)
    case 'q': return query(c, p)
    case 'Q': return p === 'QStartNoAckMode' ? (c.wantNoAck = true, 'OK') : ''
    case 'H': return setThread(c, p)
    case 'T': return threadAlive(c, p.slice(1))
    case 'g': return readRegisters(c)
    case 'G': return writeRegisters(c, p.slice(1))
    case 'p': return readRegister(c, p.slice(1))
    case 'P': return writeRegister(c, p.slice(1))
    case 'm': return readMemory(c, p.slice(1))
    case 'M': return writeMemory(c, p.slice(1), false)
    case 'X': return writeMemory(c, p.slice(1), true)
    case 'Z': case 'z': return breakpoint(c, p[0] === 'Z', p.slice(1))
    case 'c': case 's': case 'C': case 'S': return legacyResume(c, p)
    case 'v': return vPacket(c, p)
    case 'k': c.kill(); c.closing = true; return null
    case 'D': c.ctl.detach(); c.closing = true; return 'OK'
    default: return ''
  }
}

function current(c: Conversation, which: number): Thread | undefined {
  const last = c.ctl.last
  const id = which > 0 ? which : 'thread' in last ? last.thread : 1
  return c.target.thread(id) ?? c.target.threads[0]
}

/** a thread id as GDB writes it: hex, or -1 (all) or 0 (any) */
function threadId(s: string): number | null {
  if (s === '-1') return -1
  return /^[0-9a-fA-F]{1,8}$/.test(s) ? parseInt(s, 16) : null
}

function setThread(c: Conversation, p: string): string {
  const id = threadId(p.slice(2))
  if (id === null || (id > 0 && !c.target.thread(id))) return E_NOENT
  if (p[1] === 'g') c.gThread = id < 0 ? 0 : id
  else if (p[1] === 'c') c.cThread = id
  else return ''
  return 'OK'
}

function threadAlive(c: Conversation, s: string): string {
  const id = threadId(s)
  return id !== null && id > 0 && c.target.thread(id) ? 'OK' : E_NOENT
}

// ---- queries ----

function query(c: Conversation, p: string): string {
  if (p.startsWith('qSupported')) return SUPPORTED
  if (p === 'qfThreadInfo') return 'm' + c.target.threads.map((t) => t.id.toString(16)).join(',')
  if (p === 'qsThreadInfo') return 'l'
  if (p === 'qC') return `QC${current(c, c.gThread)!.id.toString(16)}`
  if (p.startsWith('qAttached')) return '1'
  if (p === 'qSymbol::') return 'OK'
  if (p.startsWith('qThreadExtraInfo,')) {
    const id = threadId(p.slice(17))
    const t = id !== null && id > 0 ? c.target.thread(id) : undefined
    return t ? textHex(c.target.describe(t)) : E_NOENT
  }
  if (p.startsWith('qXfer:features:read:')) return features(c, p.slice(20))
  if (p.startsWith('qRcmd,')) {
    const cmd = fromHex(p.slice(6))
    if (!cmd) return E_INVAL
    const out = c.monitor(new TextDecoder().decode(cmd))
    return out ? textHex(out.endsWith('\n') ? out : out + '\n') : 'OK'
  }
  return ''
}

/** qXfer:features:read:ANNEX:OFFSET,LENGTH → 'm' chunk or 'l' last chunk of the target description */
function features(c: Conversation, rest: string): string {
  const m = /^([^:]+):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(rest)
  if (!m) return E_INVAL
  const doc = c.target.layout.xml[m[1]!]
  if (doc === undefined) return E_NOENT
  const off = parseInt(m[2]!, 16), len = Math.min(parseInt(m[3]!, 16), MAX_PACKET - 16)
  if (off > doc.length) return E_INVAL
  const chunk = doc.slice(off, off + len)
  return (off + len >= doc.length ? 'l' : 'm') + chunk
}

// ---- registers ----

function readRegisters(c: Conversation): string {
  const t = current(c, c.gThread)!
  const view = c.target.view(t)
  let s = ''
  for (let n = 0; n < c.target.layout.gCount; n++) {
    const v = c.target.arch.readRegister(view, n)
    s += v ? toHex(v) : 'xx'.repeat(c.target.layout.sizes[n]!)
  }
  return s
}

function writeRegisters(c: Conversation, hex: string): string {
  const t = current(c, c.gThread)!
  const view = c.target.view(t)
  const bytes = fromHex(hex)
  const sizes = c.target.layout.sizes.slice(0, c.target.layout.gCount)
  if (!bytes || bytes.length !== sizes.reduce((a, b) => a + b, 0)) return E_INVAL
  let off = 0
  let ok = true
  sizes.forEach((size, n) => {
    const v = bytes.subarray(off, off + size)
    off += size
    // GDB sends back what `g` gave: read-only registers (x0/zero) are left as they are
    const now = c.target.arch.readRegister(view, n)
    if (now && toHex(now) === toHex(v)) return
    if (!c.target.arch.writeRegister(view, n, v)) ok = false
  })
  return ok ? 'OK' : E_IO
}

function regNum(c: Conversation, s: string): number | null {
  if (!/^[0-9a-fA-F]{1,4}$/.test(s)) return null
  const n = parseInt(s, 16)
  return n < c.target.layout.sizes.length ? n : null
}

function readRegister(c: Conversation, s: string): string {
  const n = regNum(c, s)
  if (n === null) return E_INVAL
  const v = c.target.arch.readRegister(c.target.view(current(c, c.gThread)!), n)
  return v ? toHex(v) : 'xx'.repeat(c.target.layout.sizes[n]!)
}

function writeRegister(c: Conversation, s: string): string {
  const eq = s.indexOf('=')
  const n = eq > 0 ? regNum(c, s.slice(0, eq)) : null
  const v = eq > 0 ? fromHex(s.slice(eq + 1)) : null
  if (n === null || !v || v.length !== c.target.layout.sizes[n]) return E_INVAL
  return c.target.arch.writeRegister(c.target.view(current(c, c.gThread)!), n, v) ? 'OK' : E_IO
}

// ---- memory (guest-virtual, through the thread's translation) ----

/** `addr,len`; null when either is not a hex number */
function addrLen(s: string): { addr: bigint; len: number } | null {
  const [a, l, more] = s.split(',')
  const addr = hexNum(a), len = hexNum(l)
  if (addr === null || len === null || more !== undefined || len > BigInt(MAX_PACKET * 4)) return null
  return { addr, len: Number(len) }
}

function readMemory(c: Conversation, s: string): string {
  const r = addrLen(s)
  if (!r) return E_INVAL
  // a reply holds at most PacketSize hex digits: GDB asks again for the rest
  const len = Math.min(r.len, Math.floor((MAX_PACKET - 8) / 2))
  if (len === 0) return ''
  const bytes = c.target.read(current(c, c.gThread)!, r.addr, len)
  return bytes.length ? toHex(bytes) : E_FAULT
}

function writeMemory(c: Conversation, s: string, binary: boolean): string {
  const colon = s.indexOf(':')
  const r = colon > 0 ? addrLen(s.slice(0, colon)) : null
  if (!r) return E_INVAL
  const body = s.slice(colon + 1)
  let data: Uint8Array | null
  if (binary) {
    const raw = unescape(body)
    data = Uint8Array.from(raw, (ch) => ch.charCodeAt(0))
  } else data = fromHex(body)
  if (!data || data.length !== r.len) return E_INVAL
  if (r.len === 0) return 'OK' // GDB probes X with an empty write
  return c.target.write(current(c, c.gThread)!, r.addr, data) ? 'OK' : E_FAULT
}

// ---- breakpoints and watchpoints ----

function breakpoint(c: Conversation, insert: boolean, s: string): string {
  const [type, a, k, ...more] = s.split(/[,;]/)
  if (!/^[0-4]$/.test(type ?? '')) return '' // a kind this protocol does not define
  const addr = hexNum(a), kind = hexNum(k)
  if (addr === null || kind === null) return E_INVAL
  if (more.length && insert) return '' // target-side conditions and commands: not offered
  const z = Number(type)
  if (z <= 1) {
    if (insert) c.ctl.addBreakpoint(addr, z === 1)
    else c.ctl.removeBreakpoint(addr, z === 1)
    return 'OK'
  }
  const kindOf = WATCH_OF_Z[z]!
  const len = Number(kind)
  if (len <= 0 || len > 4096) return E_INVAL
  if (!insert) {
    c.ctl.watches.remove(kindOf, addr, len)
    return 'OK'
  }
  const ranges = c.target.ranges(current(c, c.gThread)!, addr, len)
  if (!ranges) return E_FAULT
  c.ctl.watches.add(kindOf, addr, len, ranges)
  return 'OK'
}

// ---- resuming ----

/** `c [addr]`, `s [addr]`, `C sig[;addr]`, `S sig[;addr]`: every thread continues, or the Hc thread steps alone */
function legacyResume(c: Conversation, p: string): string | null {
  const step = p[0] === 's' || p[0] === 'S'
  let rest = p.slice(1)
  if (p[0] === 'C' || p[0] === 'S') rest = rest.includes(';') ? rest.slice(rest.indexOf(';') + 1) : ''
  const t = current(c, c.cThread)!
  if (rest) {
    const addr = hexNum(rest)
    if (addr === null) return E_INVAL
    const pcBytes = new Uint8Array(c.target.layout.sizes[c.target.layout.pc]!)
    for (let i = 0; i < pcBytes.length; i++) pcBytes[i] = Number((addr >> BigInt(8 * i)) & 0xffn)
    if (!c.target.arch.writeRegister(c.target.view(t), c.target.layout.pc, pcBytes)) return E_IO
  }
  const actions = new Map<number, Action>()
  if (step) actions.set(t.id, 's')
  else for (const x of c.target.threads) actions.set(x.id, 'c')
  c.resume(actions, step)
  return null
}

function vPacket(c: Conversation, p: string): string | null {
  if (p === 'vCont?') return 'vCont;c;C;s;S;t'
  if (p.startsWith('vCont;')) return vCont(c, p.slice(6))
  if (p.startsWith('vKill')) { c.kill(); return 'OK' }
  return '' // vMustReplyEmpty, vRun, vAttach, vFile…: not offered
}

/**
 * `vCont;ACTION[:TID];…`: each thread takes the leftmost action naming it (or naming no thread).
 * `t` (stop) keeps a thread stopped; in all-stop mode every thread already is when GDB can send
 * this, so a vCont of `t` actions alone is answered OK and resumes nothing (GDB manual: the stub
 * may ignore `t` outside non-stop mode).
 */
function vCont(c: Conversation, s: string): string | null {
  const chosen = new Map<number, Action | 't'>()
  for (const part of s.split(';')) {
    const m = /^([cCsSt])([0-9a-fA-F]{2})?(?::(-1|[0-9a-fA-F]{1,8}))?$/.exec(part)
    if (!m) return E_INVAL // includes r (range stepping: not offered)
    const a = m[1]!.toLowerCase() as Action | 't'
    const tid = m[3] === undefined ? -1 : threadId(m[3])
    if (tid === null || (tid > 0 && !c.target.thread(tid))) return E_NOENT
    for (const t of c.target.threads) {
      if ((tid === -1 || tid === 0 || tid === t.id) && !chosen.has(t.id)) chosen.set(t.id, a)
    }
  }
  const actions = new Map<number, Action>()
  for (const [id, a] of chosen) if (a !== 't') actions.set(id, a)
  if (!actions.size) return chosen.size ? 'OK' : E_INVAL
  c.resume(actions, [...actions.values()].includes('s'))
  return null
}
