/**
 * The RISC-V Platform-Level Interrupt Controller (riscv-plic-spec 1.0.0), laid out as SiFive's
 * and QEMU's `sifive_plic` on the virt board.
 *
 * Its registers are arrays declared as data (core/regs.ts): priority per source, pending and
 * enable words, threshold and claim/complete per context (a context is a hart's interrupt input,
 * not the accessing CPU: any hart may program any context). Gateways are level-triggered (spec
 * §5, QEMU sifive_plic_irq_request): a source is pending exactly while its input is high and it
 * is not in service, so pending = level & ~claimed and is never stored on its own.
 */
import type { Device, DeviceContext } from '../../core/device.ts'
import type { IrqLine } from '../../core/irq.ts'
import { Registers, type RegSpec, type RegsSnapshot } from '../../core/regs.ts'
import { checkState, stateNum, StateError } from '../../core/state-check.ts'
import { z } from 'zod'

/** One interrupt target: a hart's external-interrupt input (QEMU virt: 2h → M-mode, 2h+1 → S-mode). */
export interface PlicContext {
  hart: number
  line: string
}

// spec §3 memory map
const PRIORITY_BASE = 0x0
const PENDING_BASE = 0x1000
const ENABLE_BASE = 0x2000
const ENABLE_STRIDE = 0x80
const CONTEXT_BASE = 0x200000
const CONTEXT_STRIDE = 0x1000
/** the spec allows 1024 sources (ids 0..1023, 0 meaning "none") */
const MAX_SOURCES = 1024

export interface PlicState {
  /** priority, pending, enable<c> per context, threshold, claim (core/regs.ts snapshot) */
  regs: RegsSnapshot
  level: number[]
  claimed: number[]
}

/** What `snapshot` returned before the registers were declared as data: still restores. */
interface LegacyPlicState {
  priority: number[]
  /** context-major: enable[c * words + w] */
  enable: number[]
  threshold: number[]
}

/** a saved state's shape, this one's or the legacy one (the registers are checked by `Registers.check`) */
const savedState = z.object({
  regs: z.record(z.unknown()).optional(),
  level: z.array(stateNum.u32).optional(),
  claimed: z.array(stateNum.u32).optional(),
  priority: z.array(stateNum.u32).optional(),
  enable: z.array(stateNum.u32).optional(),
  threshold: z.array(stateNum.u32).optional(),
}).strict()

export class Plic implements Device {
  /** number of source ids, including the reserved id 0 */
  readonly sources: number
  readonly contexts: readonly PlicContext[]
  private readonly words: number
  private readonly regs: Registers
  // live views of the registers' stored values, for the arbitration loop
  private readonly priority: Uint32Array
  /** per context, its enable words */
  private readonly enable: Uint32Array[]
  private readonly threshold: Uint32Array
  private readonly level: Uint32Array
  private readonly claimed: Uint32Array
  private readonly outputs: IrqLine[]
  private readonly outLevel: Uint8Array
  private readonly inputs = new Map<number, IrqLine>()

  constructor(ctx: DeviceContext) {
    const p = ctx.params
    const sources = p.sources ?? 96
    if (typeof sources !== 'number' || !Number.isInteger(sources) || sources < 2 || sources > MAX_SOURCES) {
      throw new Error(`${ctx.name}: params.sources must be an integer in 2..${MAX_SOURCES}`)
    }
    const bits = p.priorityBits ?? 3
    if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 1 || bits > 32) {
      throw new Error(`${ctx.name}: params.priorityBits must be an integer in 1..32`)
    }
    this.sources = sources
    this.contexts = p.contexts === undefined ? defaultContexts(ctx.cpus) : checkContexts(ctx.name, p.contexts)
    const words = (this.words = Math.ceil(sources / 32))
    // highest priority value: 2^priorityBits - 1 (QEMU virt: 3 bits, 7)
    const maxPriority = bits === 32 ? 0xffffffff : (1 << bits) - 1
    const n = this.contexts.length
    const update = (): void => this.update()
    const specs: RegSpec[] = [
      // source 0 does not exist: its priority is hardwired 0
      { name: 'priority', offset: PRIORITY_BASE, count: sources, mask: Array.from({ length: sources }, (_, s) => (s ? maxPriority : 0)), write: update },
      { name: 'pending', offset: PENDING_BASE, count: words, access: 'r', read: (_, w) => this.pendingWord(w) },
    ]
    // id 0 and ids past the last source are hardwired 0
    const enableMask = Array.from({ length: words }, (_, w) => validBits(w, sources))
    for (let c = 0; c < n; c++) {
      specs.push({ name: `enable${c}`, offset: ENABLE_BASE + ENABLE_STRIDE * c, count: words, mask: enableMask, write: update })
    }
    specs.push(
      { name: 'threshold', offset: CONTEXT_BASE, count: n, stride: CONTEXT_STRIDE, mask: maxPriority, write: update },
      // nothing stored (mask 0): a read claims, a write completes
      {
        name: 'claim', offset: CONTEXT_BASE + 4, count: n, stride: CONTEXT_STRIDE, mask: 0,
        read: (_, c) => this.claim(c), write: (_v, _o, id, c) => this.complete(c, id),
      },
    )
    this.regs = new Registers(specs)
    this.priority = this.regs.array('priority')
    this.enable = this.contexts.map((_, c) => this.regs.array(`enable${c}`))
    this.threshold = this.regs.array('threshold')
    this.level = new Uint32Array(words)
    this.claimed = new Uint32Array(words)
    this.outputs = this.contexts.map((c) => ctx.cpuLine(c.hart, c.line))
    this.outLevel = new Uint8Array(n)
  }

  /** The input wire of source `n` (1..sources-1). */
  irqInput(n: number): IrqLine {
    if (!Number.isInteger(n) || n < 1 || n >= this.sources) {
      throw new Error(`plic: no interrupt source ${n} (valid: 1..${this.sources - 1})`)
    }
    let line = this.inputs.get(n)
    if (!line) this.inputs.set(n, (line = { set: (lvl: boolean) => this.setInput(n, lvl) }))
    return line
  }

  private setInput(n: number, high: boolean): void {
    const w = n >>> 5
    const bit = 1 << (n & 31)
    const was = this.level[w]! & bit
    if (high === (was !== 0)) return
    this.level[w] = high ? this.level[w]! | bit : this.level[w]! & ~bit
    this.update()
  }

  private pendingWord(w: number): number {
    return (this.level[w]! & ~this.claimed[w]!) >>> 0
  }

  /**
   * Highest-priority pending source enabled for context `c` with priority above its threshold;
   * ties go to the lowest id (spec §8). 0 when none.
   */
  private best(c: number): number {
    let id = 0
    let prio = this.threshold[c]!
    const enable = this.enable[c]!
    for (let w = 0; w < this.words; w++) {
      let bits = this.pendingWord(w) & enable[w]!
      while (bits) {
        const b = 31 - Math.clz32(bits & -bits)
        bits &= bits - 1
        const s = 32 * w + b
        if (this.priority[s]! > prio) {
          prio = this.priority[s]!
          id = s
        }
      }
    }
    return id
  }

  /** Each context's output: some pending, enabled source has priority > threshold (spec §7). */
  private update(force = false): void {
    for (let c = 0; c < this.outputs.length; c++) {
      const lvl = this.best(c) !== 0 ? 1 : 0
      if (lvl === this.outLevel[c] && !force) continue
      this.outLevel[c] = lvl
      this.outputs[c]!.set(lvl === 1)
    }
  }

  /** spec §9: claim returns the best source, clears its pending bit and puts it in service */
  private claim(c: number): number {
    const id = this.best(c)
    if (id) {
      this.claimed[id >>> 5] = (this.claimed[id >>> 5]! | (1 << (id & 31))) >>> 0
      this.update()
    }
    return id
  }

  /** spec §10: an id not enabled for this context is silently ignored; a still-high input pends again */
  private complete(c: number, id: number): void {
    if (id < 1 || id >= this.sources) return
    const w = id >>> 5
    const bit = 1 << (id & 31)
    if (!(this.enable[c]![w]! & bit)) return
    this.claimed[w] = (this.claimed[w]! & ~bit) >>> 0
    this.update()
  }

  read(offset: number, size: number, cpu?: number): number {
    // spec §3: registers are 32-bit; other sizes read 0
    if (size !== 4 || offset & 3) return 0
    return this.regs.read(offset, 4, cpu)
  }

  write(offset: number, size: number, value: number, cpu?: number): void {
    if (size !== 4 || offset & 3) return
    this.regs.write(offset, 4, value, cpu)
  }

  /** Registers back to zero; input levels are driven from outside and stay as they are. */
  reset(): void {
    this.regs.reset()
    this.claimed.fill(0)
    this.update(true)
  }

  snapshot(): PlicState {
    return { regs: this.regs.snapshot(), level: [...this.level], claimed: [...this.claimed] }
  }

  checkState(state: unknown): void {
    const s = checkState(savedState, state)
    this.regs.check(s.regs ?? legacyRegs(s, this.contexts.length, this.words), 'regs')
    for (const k of ['level', 'claimed'] as const) {
      if ((s[k]?.length ?? 0) > this.words) throw new StateError(k, `lists ${s[k]!.length} words, the PLIC has ${this.words}`)
    }
  }

  restore(state: unknown): void {
    this.checkState(state)
    const s = state as Partial<PlicState> & Partial<LegacyPlicState>
    this.regs.restore(s.regs ?? legacyRegs(s, this.contexts.length, this.words))
    fill(this.level, s.level)
    fill(this.claimed, s.claimed)
    this.update(true)
  }
}

/** Bits of enable word `w` that name real sources (id 0 and ids past the last are hardwired 0). */
function validBits(w: number, sources: number): number {
  let m = 0xffffffff
  if (w === 0) m &= ~1
  const top = sources - 32 * w
  if (top < 32) m &= (1 << top) - 1
  return m >>> 0
}

function legacyRegs(s: Partial<LegacyPlicState>, contexts: number, words: number): RegsSnapshot {
  const regs: RegsSnapshot = {}
  if (Array.isArray(s.priority)) regs.priority = s.priority
  if (Array.isArray(s.threshold)) regs.threshold = s.threshold
  const enable = s.enable
  if (Array.isArray(enable)) for (let c = 0; c < contexts; c++) regs[`enable${c}`] = enable.slice(c * words, (c + 1) * words)
  return regs
}

function fill(dst: Uint32Array, src: unknown): void {
  dst.fill(0)
  if (Array.isArray(src)) for (let i = 0; i < Math.min(dst.length, src.length); i++) dst[i] = Number(src[i]) >>> 0
}

/** QEMU virt's order: per hart, the M-mode context then the S-mode one. */
export function defaultContexts(harts: number): PlicContext[] {
  const out: PlicContext[] = []
  for (let h = 0; h < harts; h++) out.push({ hart: h, line: 'meip' }, { hart: h, line: 'seip' })
  return out
}

function checkContexts(name: string, v: unknown): PlicContext[] {
  const ok = Array.isArray(v) && v.every((c) => c && typeof c === 'object' && Number.isInteger(c.hart) && typeof c.line === 'string')
  if (!ok) throw new Error(`${name}: params.contexts must be an array of { hart: number, line: string }`)
  return (v as PlicContext[]).map((c) => ({ hart: c.hart, line: c.line }))
}
