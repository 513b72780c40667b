/**
 * What the TUI shows, kept outside React (STYLE 10: components read state, never own it). Guest
 * consoles and the hypervisor log are fed by listeners into plain buffers; `tick()` — on a timer,
 * at most 20 times a second — folds the new bytes in, samples the counters and tells the view to
 * redraw if anything changed. No per-byte React updates.
 */
import type { Workbench, VmInfo } from '../core/api.ts'
import { HypLog, type LogLine } from '../core/hypervisor/log.ts'
import type { Vm } from '../core/hypervisor/vm.ts'
import { FoldingBuffer, LineBuffer, MAX_LINE, TermText } from './line-buffer.ts'
import { LineEditor } from './line-editor.ts'

/** The REPL as the TUI uses it (core/repl/sandbox.ts's ReplSession). */
export interface Repl {
  evaluate(code: string): Promise<{ output: string; error: boolean }>
  complete(line: string): string[]
  needsMore(code: string): boolean
  history: string[]
}

export const SCROLLBACK = 2000
/** lines the REPL transcript keeps; one result keeps at most half of them (its head and its tail) */
export const TRANSCRIPT = 1000
const RESULT_HEAD = 100
/** ms between counter refreshes when nothing else changed */
const STATS_MS = 250

export interface ConsoleTab {
  vmId: number
  name: string
  lines: LineBuffer
  /** lines above the bottom the pane is scrolled to (0: follows new output) */
  scroll: number
  /** new output since the tab was last shown */
  unread: boolean
  /** the VM is gone (destroyed); its scrollback stays */
  gone: boolean
  vm: Vm
}

/** Line styles in the log and transcript buffers: the first character of each stored line ('fold': a folded result's marker row). */
export type LineStyle = 'input' | 'output' | 'error' | 'info' | 'warning' | 'fold'
const STYLE_CODE: Record<LineStyle, string> = { input: '>', output: ' ', error: '!', info: '-', warning: '?', fold: '+' }
const CODE_STYLE: Record<string, LineStyle> = { '>': 'input', ' ': 'output', '!': 'error', '-': 'info', '?': 'warning', '+': 'fold' }
export function styled(line: string): { style: LineStyle; text: string } {
  return { style: CODE_STYLE[line[0] ?? ' '] ?? 'output', text: line.slice(1) }
}

export type SimState = 'running' | 'idle' | 'halted' | 'paused' | 'busy'

export interface VmRow extends VmInfo {
  depth: number
  instructions: number
  fault: string | null
}

export interface StatsView {
  virtualMs: number
  instructions: number
  /** million instructions per wall-clock second, over the last second */
  mips: number
  /** virtual time passed per unit of host time, over the last second (1: real time) */
  ratio: number
  /** host CPU this process used over the last second, in % of one core */
  cpu: number
  /** how virtual time runs: 'deterministic' or 'realtime' */
  clock: string
  vms: VmRow[]
}

export type Focus = 'repl' | number

export class TuiModel {
  readonly consoles: ConsoleTab[] = []
  readonly log = new LineBuffer(500)
  /** the REPL's inputs and results, one block per `say`; long results fold (F5 opens the last) */
  readonly transcript = new FoldingBuffer(TRANSCRIPT, (n) => `${STYLE_CODE.fold}… ${n} more line${n === 1 ? '' : 's'} — F5 unfolds`)
  readonly editor: LineEditor
  focus: Focus = 'repl'
  tab = 0
  split = false
  help = false
  /** the terminal reports the mouse (F6): the wheel scrolls, selecting text needs Shift */
  mouse = false
  sim: SimState = 'running'
  /** a REPL evaluation is in progress */
  busy = false
  stats: StatsView = { virtualMs: 0, instructions: 0, mips: 0, ratio: 0, cpu: 0, clock: 'deterministic', vms: [] }

  private version = 0
  private dirty = true
  private listeners = new Set<() => void>()
  private pending = new Map<ConsoleTab, number[]>()
  private decoders = new Map<ConsoleTab, TermText>()
  private samples: { t: number; insns: number; virtualMs: number; cpuUs: number }[] = []
  private statsAt = -Infinity
  private detach: (() => void)[] = []
  private unlisten = new Map<ConsoleTab, () => void>()

  constructor(readonly wb: Workbench, readonly repl: Repl) {
    // our own copy: the session records what it evaluates, the line editor what was typed
    this.editor = new LineEditor([...repl.history])
    const hv = wb.hypervisor
    if (hv) {
      for (const l of hv.log.lines) this.addLog(l)
      this.detach.push(hv.log.onLine((l) => { this.addLog(l); this.dirty = true }))
    }
    this.syncVms()
    this.sample(performance.now())
  }

  // ---- subscription (useSyncExternalStore) ----

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  getVersion = (): number => this.version

  /** mark the view stale (after a key changed UI state) */
  changed(): void {
    this.dirty = true
  }

  /** redraw now if anything changed (the view calls this on its timer; keys call it directly) */
  publish(): void {
    if (!this.dirty) return
    this.dirty = false
    this.version++
    for (const fn of this.listeners) fn()
  }

  // ---- feeding ----

  private addLog(l: LogLine): void {
    const style: LineStyle = l.level === 'ERROR' ? 'error' : l.level === 'WARNING' ? 'warning' : 'info'
    this.log.pushLine(STYLE_CODE[style] + HypLog.format(l))
  }

  /**
   * Append to the REPL transcript as one block (one stored line per text line) and return it to
   * the bottom. A result longer than half the transcript keeps its first and last lines, so one
   * huge result neither pushes everything else out nor grows memory.
   */
  say(text: string, style: LineStyle = 'output'): void {
    // colour escapes (ECMA-48 CSI) would print as garbage in a pane: dropped with other controls
    const plain = text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\r/g, '').replace(/\t/g, '  ')
    const all = plain.split('\n')
    const big = plain.length > 1 << 16
    const store = (line: string): string => {
      const l = STYLE_CODE[style] + line.slice(0, MAX_LINE).replace(/[\u0000-\u001f\u007f]/g, '')
      return big ? detach(l) : l
    }
    const keep = TRANSCRIPT / 2
    const lines = all.length <= keep ? all.map(store) : [
      ...all.slice(0, RESULT_HEAD).map(store),
      `${STYLE_CODE.info}… ${all.length - keep + 1} lines not kept (the transcript holds ${TRANSCRIPT}) …`,
      ...all.slice(all.length - (keep - RESULT_HEAD - 1)).map(store),
    ]
    this.transcript.push(lines, all.length)
    this.dirty = true
  }

  /**
   * Start listening to VMs that appeared (created at run time); mark those that went. A new VM
   * with the name of a gone one (a config re-applied, a VM re-created) takes over its tab, so the
   * scrollback stays on screen across the restart.
   */
  syncVms(): void {
    const vms = this.wb.hypervisor?.vms ?? []
    for (const vm of vms) {
      if (this.consoles.some((c) => c.vm === vm)) continue
      const heir = this.consoles.find((c) => c.name === vm.name && !vms.includes(c.vm))
      if (heir) {
        this.unlisten.get(heir)?.()
        heir.vm = vm
        heir.vmId = vm.id
        heir.gone = false
        const text = this.decoders.get(heir)!
        const q = this.pending.get(heir)
        // what the old VM printed last, then the marker, then the new one from its first byte
        if (q?.length) text.write(Uint8Array.from(q.splice(0)))
        text.write(new TextEncoder().encode(`\n── ${vm.name} restarted (VM ${vm.id}) ──\n`))
        if (vm.console.output.length) text.write(Uint8Array.from(vm.console.output.slice(-SCROLLBACK * 100)))
        this.listen(heir)
        continue
      }
      const tab: ConsoleTab = { vmId: vm.id, name: vm.name, lines: new LineBuffer(SCROLLBACK), scroll: 0, unread: false, gone: false, vm }
      const text = new TermText(tab.lines)
      this.decoders.set(tab, text)
      // what it printed before we looked (a resumed session), then everything new
      if (vm.console.output.length) text.write(Uint8Array.from(vm.console.output.slice(-SCROLLBACK * 100)))
      this.listen(tab)
      this.consoles.push(tab)
      this.dirty = true
    }
    for (const tab of this.consoles) {
      const gone = !vms.includes(tab.vm)
      if (gone !== tab.gone) {
        tab.gone = gone
        this.dirty = true
      }
    }
  }

  private listen(tab: ConsoleTab): void {
    const q = this.pending.get(tab) ?? []
    this.pending.set(tab, q)
    this.unlisten.set(tab, tab.vm.console.onOutput((b) => { q.push(b) }))
    this.dirty = true
  }

  /** Fold console bytes into their buffers, sample the counters, publish. */
  tick(now = performance.now()): void {
    this.syncVms()
    for (const [tab, q] of this.pending) {
      if (!q.length) continue
      this.decoders.get(tab)!.write(Uint8Array.from(q))
      q.length = 0
      if (!this.visible(tab)) tab.unread = true
      this.dirty = true
    }
    for (const tab of this.consoles) {
      if (tab.unread && this.visible(tab)) {
        tab.unread = false
        this.dirty = true
      }
    }
    this.sample(now)
    this.publish()
  }

  /** Is this console on screen right now? */
  visible(tab: ConsoleTab): boolean {
    const i = this.consoles.indexOf(tab)
    if (this.help) return false
    if (!this.split) return i === this.tab
    return this.splitTabs().includes(i)
  }

  /** The consoles shown side by side in split view: all of them, up to `max`, starting so the current tab is included. */
  splitTabs(max = 4): number[] {
    const n = this.consoles.length
    const k = Math.min(n, max)
    const start = Math.min(Math.max(0, this.tab - k + 1), n - k)
    return Array.from({ length: k }, (_, i) => start + i)
  }

  private sample(now: number): void {
    // counters change on every slice; a redraw for them alone 4 times a second is plenty. While
    // the guests idle, the figures ride along with redraws that happen anyway (console output)
    // and get one of their own only every 5 s: in real time the clock moves even then, and each
    // of Ink's whole-frame redraws costs a few ms — an idle TUI should cost the host next to nothing
    const every = this.stats.mips < 1 ? 20 * STATS_MS : STATS_MS
    if (!this.dirty && now - this.statsAt < every) return
    this.statsAt = now
    const s = this.wb.stats()
    const u = process.cpuUsage()
    this.samples.push({ t: now, insns: s.instructions, virtualMs: s.virtualMs, cpuUs: u.user + u.system })
    while (this.samples.length > 2 && now - this.samples[1]!.t >= 1000) this.samples.shift()
    const a = this.samples[0]!, z = this.samples[this.samples.length - 1]!
    const dt = now - a.t
    const mips = dt > 0 ? (s.instructions - a.insns) / dt / 1000 : 0
    const ratio = dt > 0 ? (s.virtualMs - a.virtualMs) / dt : 0
    const cpu = dt > 0 ? Math.round((z.cpuUs - a.cpuUs) / 10 / dt) : 0
    const cpus = new Map(s.cpus.map((h) => [h.id, h.instret]))
    const vms = treeOrder(s.vms).map(({ vm, depth }) => {
      const live = this.wb.hypervisor?.vms.find((v) => v.id === vm.id)
      const f = live?.fault
      return {
        ...vm,
        depth,
        instructions: vm.pcpus.reduce((sum, p) => sum + (cpus.get(p) ?? 0), 0),
        fault: f ? `${f.cause} at 0x${f.addr.toString(16)}` : null,
      }
    })
    const next: StatsView = { virtualMs: s.virtualMs, instructions: s.instructions, mips, ratio, cpu, clock: s.clock, vms }
    if (JSON.stringify(next) !== JSON.stringify(this.stats)) {
      this.stats = next
      this.dirty = true
    }
  }

  dispose(): void {
    for (const d of [...this.detach, ...this.unlisten.values()]) d()
    this.detach = []
    this.unlisten.clear()
    this.listeners.clear()
  }
}

/**
 * A copy of `s` that shares no memory with the string it was cut from: V8 keeps a substring as a
 * slice of its parent, so a few kept lines of a huge result would keep all of it alive.
 */
function detach(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le')
}

/** VMs in tree order: each parent followed by its children, indented one level per generation. */
export function treeOrder(vms: VmInfo[]): { vm: VmInfo; depth: number }[] {
  const byId = new Map(vms.map((v) => [v.id, v]))
  const out: { vm: VmInfo; depth: number }[] = []
  const seen = new Set<number>()
  const visit = (v: VmInfo, depth: number): void => {
    if (seen.has(v.id)) return
    seen.add(v.id)
    out.push({ vm: v, depth })
    const kids = new Set([...v.children, ...vms.filter((c) => c.parent === v.id).map((c) => c.id)])
    for (const id of kids) {
      const c = byId.get(id)
      if (c) visit(c, depth + 1)
    }
  }
  for (const v of vms) if (v.parent === null || !byId.has(v.parent)) visit(v, 0)
  for (const v of vms) visit(v, 0)
  return out
}
