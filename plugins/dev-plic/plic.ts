/**
 * The RISC-V Platform-Level Interrupt Controller (riscv-plic-spec 1.0.0), laid out as SiFive's
 * and QEMU's `sifive_plic` on the virt board.
 *
 * Its registers are large regular arrays, so it decodes address ranges by hand instead of through
 * core/regs.ts. Gateways are level-triggered (spec §5, QEMU sifive_plic_irq_request): a source is
 * pending exactly while its input is high and it is not in service, so pending = level & ~claimed
 * and is never stored on its own.
 */
import type { Device, DeviceContext } from '../../core/device.ts'
import type { IrqLine } from '../../core/irq.ts'

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
  priority: number[]
  enable: number[]
  threshold: number[]
  level: number[]
  claimed: number[]
}

export class Plic implements Device {
  /** number of source ids, including the reserved id 0 */
  readonly sources: number
  readonly contexts: readonly PlicContext[]
  private readonly words: number
  /** highest priority value: 2^priorityBits - 1 (QEMU virt: 3 bits, 7) */
  private readonly maxPriority: number
  private readonly priority: Uint32Array
  private readonly enable: Uint32Array
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
    this.contexts = p.contexts === undefined ? defaultContexts(ctx.harts) : checkContexts(ctx.name, p.contexts)
    this.words = Math.ceil(sources / 32)
    this.maxPriority = bits === 32 ? 0xffffffff : (1 << bits) - 1
    const n = this.contexts.length
    this.priority = new Uint32Array(sources)
    this.enable = new Uint32Array(n * this.words)
    this.threshold = new Uint32Array(n)
    this.level = new Uint32Array(this.words)
    this.claimed = new Uint32Array(this.words)
    this.outputs = this.contexts.map((c) => ctx.hartLine(c.hart, c.line))
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

  /** Bits of enable word `w` that name real sources (id 0 and ids past the last are hardwired 0). */
  private validBits(w: number): number {
    let m = 0xffffffff
    if (w === 0) m &= ~1
    const top = this.sources - 32 * w
    if (top < 32) m &= (1 << top) - 1
    return m >>> 0
  }

  /**
   * Highest-priority pending source enabled for context `c` with priority above its threshold;
   * ties go to the lowest id (spec §8). 0 when none.
   */
  private best(c: number): number {
    let id = 0
    let prio = this.threshold[c]!
    const base = c * this.words
    for (let w = 0; w < this.words; w++) {
      let bits = this.pendingWord(w) & this.enable[base + w]!
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
    if (!(this.enable[c * this.words + w]! & bit)) return
    this.claimed[w] = (this.claimed[w]! & ~bit) >>> 0
    this.update()
  }

  read(offset: number, size: number): number {
    // spec §3: registers are 32-bit; other sizes read 0
    if (size !== 4 || offset & 3) return 0
    if (offset < PENDING_BASE) {
      const s = (offset - PRIORITY_BASE) >>> 2
      return s < this.sources ? this.priority[s]! : 0
    }
    if (offset < ENABLE_BASE) {
      const w = (offset - PENDING_BASE) >>> 2
      return w < this.words ? this.pendingWord(w) : 0
    }
    if (offset < CONTEXT_BASE) {
      const c = Math.floor((offset - ENABLE_BASE) / ENABLE_STRIDE)
      const w = ((offset - ENABLE_BASE) % ENABLE_STRIDE) >>> 2
      return c < this.contexts.length && w < this.words ? this.enable[c * this.words + w]! : 0
    }
    const c = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE)
    if (c >= this.contexts.length) return 0
    const r = (offset - CONTEXT_BASE) % CONTEXT_STRIDE
    if (r === 0) return this.threshold[c]!
    if (r === 4) return this.claim(c)
    return 0
  }

  write(offset: number, size: number, value: number): void {
    if (size !== 4 || offset & 3) return
    value >>>= 0
    if (offset < PENDING_BASE) {
      const s = (offset - PRIORITY_BASE) >>> 2
      // source 0 does not exist: its priority is hardwired 0
      if (s === 0 || s >= this.sources) return
      this.priority[s] = value & this.maxPriority
      this.update()
      return
    }
    if (offset < ENABLE_BASE) return // pending bits are read-only
    if (offset < CONTEXT_BASE) {
      const c = Math.floor((offset - ENABLE_BASE) / ENABLE_STRIDE)
      const w = ((offset - ENABLE_BASE) % ENABLE_STRIDE) >>> 2
      if (c >= this.contexts.length || w >= this.words) return
      this.enable[c * this.words + w] = value & this.validBits(w)
      this.update()
      return
    }
    const c = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE)
    if (c >= this.contexts.length) return
    const r = (offset - CONTEXT_BASE) % CONTEXT_STRIDE
    if (r === 0) {
      this.threshold[c] = value & this.maxPriority
      this.update()
    } else if (r === 4) {
      this.complete(c, value)
    }
  }

  /** Registers back to zero; input levels are driven from outside and stay as they are. */
  reset(): void {
    this.priority.fill(0)
    this.enable.fill(0)
    this.threshold.fill(0)
    this.claimed.fill(0)
    this.update(true)
  }

  snapshot(): PlicState {
    return {
      priority: [...this.priority],
      enable: [...this.enable],
      threshold: [...this.threshold],
      level: [...this.level],
      claimed: [...this.claimed],
    }
  }

  restore(state: unknown): void {
    const s = state as Partial<PlicState>
    fill(this.priority, s.priority)
    fill(this.enable, s.enable)
    fill(this.threshold, s.threshold)
    fill(this.level, s.level)
    fill(this.claimed, s.claimed)
    this.update(true)
  }
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
