/**
 * What both GIC versions share (ARM IHI 0048B for GICv2, IHI 0069 for GICv3): the state of each
 * interrupt, the choice of each CPU interface's highest-priority pending interrupt, and the CPU
 * interface's priority machinery — priority mask, binary points, active priorities, running
 * priority, acknowledge, priority drop and deactivation.
 *
 * The registers of both versions are views of this state: GICv2's GICD_ and GICC_ windows
 * (gicv2.ts), GICv3's GICD_ and GICR_ frames and ICC_ system registers (gicv3.ts, icc.ts). The
 * state lives here rather than in each version's register storage so the two versions share one
 * acknowledge and one EOI. The virtualization extensions' list registers are vgic.ts's.
 *
 * Layout. INTIDs 0..31 (SGIs, PPIs) are private, one copy per CPU (GICv2: banked registers;
 * GICv3: each CPU's redistributor); SPIs 32.. are shared. A bitmap has `cpus + words - 1` words:
 * CPU c's private word at index c, SPI word w (w >= 1) at `cpus + w - 1`. Priorities are bytes
 * in the same order (32 per CPU, then one per SPI).
 *
 * Rules this model follows (IHI 0048B ch. 3, IHI 0069 §4.1.2 state machine, §4.6.2 IRQ and FIQ, §4.8 prioritization):
 * - pending is the latch (edge, software, SGI) or, for a level-sensitive interrupt, the input
 *   line held high; a rising edge on an edge-triggered input sets the latch.
 * - an interrupt is a candidate for CPU c when it is enabled, pending, not active, routed to c
 *   and of a group the distributor has enabled; the highest-priority pending interrupt (HPPI) is
 *   the candidate with the lowest priority value, ties to the lowest INTID.
 * - the HPPI is signalled (and an acknowledge takes it) when its group is enabled at the CPU
 *   interface, its priority is below the priority mask and its group priority is below the
 *   running priority. Group 0 goes to the CPU's 'fiq' line on GICv3, and on GICv2 when
 *   GICC_CTLR.FIQEn is set; everything else goes to 'irq'.
 * - 8 priority bits, all implemented: binary point minimum 0 for group 0 and 1 for group 1, so
 *   128 preemption levels in 4 active-priority words per group. A group 1 binary point counts one
 *   less (IHI 0048B priority grouping with GICC_ABPR, IHI 0069 ICC_BPR1_EL1) unless CBPR makes group 1 use group 0's.
 * - an EOI drops the highest active priority only when it belongs to the EOI's group (as QEMU's
 *   GICv3 does); with EOImode clear it also deactivates the interrupt it names.
 */
import type { IrqLine } from '../../core/irq.ts'

/** IHI 0069 §2.2.1 (and IHI 0048B's interrupt IDs): INTIDs 1020..1023 are special, 1023 = no pending interrupt */
export const SPURIOUS = 1023
/** GICv2 GICC_IAR/HPPIR with AckCtl clear: the HPPI is group 1 and this read may not take it */
export const SPURIOUS_GROUP1 = 1022
export const FIRST_SPECIAL = 1020
export const SGIS = 16
export const PRIVATE = 32

/**
 * The per-CPU control word, in GICv2's GICC_CTLR layout for a GIC without the Security
 * Extensions (IHI 0048B, GICC_CTLR); GICv3's ICC_CTLR_EL1 and ICC_IGRPEN<n>_EL1 map onto it.
 */
export const CTLR_ENABLE_GRP0 = 1 << 0
export const CTLR_ENABLE_GRP1 = 1 << 1
export const CTLR_ACK_CTL = 1 << 2
export const CTLR_FIQ_EN = 1 << 3
export const CTLR_CBPR = 1 << 4
export const CTLR_EOI_MODE = 1 << 9
export const CTLR_MASK = 0x21f

/** running priority when nothing is active (reads as 0xff) */
export const IDLE_PRIORITY = 0x100
/** active-priority words per group: 128 preemption levels */
export const APR_WORDS = 4

export interface GicCoreOptions {
  /**
   * 2: SGIs are permanently enabled and pend per source CPU (GICD_SPENDSGIR), which an
   * acknowledge reports; group 0 reaches 'fiq' only with FIQEn. 3: SGIs pend once; group 0 is FIQ.
   */
  version: 2 | 3
  cpus: number
  /** INTIDs implemented, a multiple of 32 (those from 1020 on never exist) */
  lines: number
  /** whether SPI `id` goes to CPU `cpu` (ITARGETSR, IROUTER) */
  routed: (id: number, cpu: number) => boolean
  /** each CPU's 'irq' and 'fiq' inputs */
  irq: readonly IrqLine[]
  fiq: readonly IrqLine[]
}

const lowestBit = (x: number): number => 31 - Math.clz32(x & -x)

export class GicCore {
  readonly version: 2 | 3
  readonly cpus: number
  readonly lines: number
  readonly words: number
  /** GICD_CTLR EnableGrp0 (bit 0), EnableGrp1 (bit 1) */
  distCtlr = 0
  readonly enabled: Uint32Array
  /** the pending latch; a level-sensitive interrupt is also pending while its line is high */
  readonly pending: Uint32Array
  readonly active: Uint32Array
  /** 1: group 1 */
  readonly group: Uint32Array
  /** 1: edge-triggered (GICD_ICFGR Int_config[1]) */
  readonly edge: Uint32Array
  /** input lines as driven from outside */
  readonly level: Uint32Array
  readonly priority: Uint8Array
  /** GICv2: per target CPU and SGI, the CPUs it is pending from (target * 16 + sgi) */
  readonly sgiSources: Uint8Array
  readonly cpuCtlr: Uint32Array
  readonly pmr: Uint8Array
  readonly bpr0: Uint8Array
  readonly bpr1: Uint8Array
  /** active priorities per CPU, group 0 and group 1 (cpu * APR_WORDS + n) */
  readonly apr0: Uint32Array
  readonly apr1: Uint32Array
  /** per word, the bits naming interrupts that exist */
  private readonly valid: Uint32Array
  private readonly routed: (id: number, cpu: number) => boolean
  private readonly irq: readonly IrqLine[]
  private readonly fiq: readonly IrqLine[]
  private readonly outIrq: Uint8Array
  private readonly outFiq: Uint8Array

  constructor(o: GicCoreOptions) {
    this.version = o.version
    this.cpus = o.cpus
    this.lines = o.lines
    const words = (this.words = o.lines / 32)
    const n = o.cpus + words - 1
    this.enabled = new Uint32Array(n)
    this.pending = new Uint32Array(n)
    this.active = new Uint32Array(n)
    this.group = new Uint32Array(n)
    this.edge = new Uint32Array(n)
    this.level = new Uint32Array(n)
    this.priority = new Uint8Array(o.cpus * PRIVATE + o.lines - PRIVATE)
    this.sgiSources = new Uint8Array(o.cpus * SGIS)
    this.cpuCtlr = new Uint32Array(o.cpus)
    this.pmr = new Uint8Array(o.cpus)
    this.bpr0 = new Uint8Array(o.cpus)
    this.bpr1 = new Uint8Array(o.cpus)
    this.apr0 = new Uint32Array(o.cpus * APR_WORDS)
    this.apr1 = new Uint32Array(o.cpus * APR_WORDS)
    this.valid = Uint32Array.from({ length: words }, (_, w) => {
      const top = Math.min(o.lines, FIRST_SPECIAL) - 32 * w
      return top >= 32 ? 0xffffffff : top <= 0 ? 0 : (1 << top) - 1
    })
    this.routed = o.routed
    this.irq = o.irq
    this.fiq = o.fiq
    this.outIrq = new Uint8Array(o.cpus)
    this.outFiq = new Uint8Array(o.cpus)
    this.resetState()
  }

  /** INTID `id` is implemented (not past `lines`, not special) */
  exists(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.lines && id < FIRST_SPECIAL
  }

  /** index of word `w` as CPU `cpu` sees it (its own private word 0) */
  at(cpu: number, w: number): number {
    return w === 0 ? cpu : this.cpus + w - 1
  }

  validBits(w: number): number {
    return this.valid[w]!
  }

  prio(cpu: number, id: number): number {
    return this.priority[id < PRIVATE ? cpu * PRIVATE + id : this.cpus * PRIVATE + id - PRIVATE]!
  }

  setPrio(cpu: number, id: number, v: number): void {
    if (!this.exists(id)) return
    this.priority[id < PRIVATE ? cpu * PRIVATE + id : this.cpus * PRIVATE + id - PRIVATE] = v
  }

  /** 0 or 1 */
  groupOf(cpu: number, id: number): number {
    return (this.group[this.at(cpu, id >>> 5)]! >>> (id & 31)) & 1
  }

  /** GICD_ISPENDR's view: latch, or line high on a level-sensitive interrupt */
  pendingWord(cpu: number, w: number): number {
    const i = this.at(cpu, w)
    return ((this.pending[i]! | (this.level[i]! & ~this.edge[i]!)) & this.valid[w]!) >>> 0
  }

  /** set (`on`) or clear the `bits` of word `w` in `map`, as CPU `cpu` sees it; only bits of existing interrupts */
  change(map: Uint32Array, cpu: number, w: number, bits: number, on: boolean): void {
    if (w >= this.words) return
    const i = this.at(cpu, w)
    const b = bits & this.valid[w]!
    map[i] = on ? map[i]! | b : map[i]! & ~b
  }

  /** GICD_ICFGR<k>: two bits per interrupt, Int_config[1] (bit 2i+1) = edge-triggered */
  icfgr(cpu: number, k: number): number {
    const half = (this.edge[this.at(cpu, k >>> 1)]! >>> (16 * (k & 1))) & 0xffff
    let v = 0
    for (let i = 0; i < 16; i++) if (half & (1 << i)) v |= 2 << (2 * i)
    return v >>> 0
  }

  setIcfgr(cpu: number, k: number, value: number): void {
    // SGIs are always edge-triggered (GICD_ICFGR0 / GICR_ICFGR0 read-only)
    if (k === 0 || k >= 2 * this.words) return
    let half = 0
    for (let i = 0; i < 16; i++) if (value & (2 << (2 * i))) half |= 1 << i
    const i = this.at(cpu, k >>> 1)
    const shift = 16 * (k & 1)
    const keep = ~(0xffff << shift)
    this.edge[i] = ((this.edge[i]! & keep) | ((half << shift) & this.valid[k >>> 1]!)) >>> 0
  }

  /** An input line changed: an SPI (`cpu` ignored) or CPU `cpu`'s PPI. */
  setLevel(cpu: number, id: number, high: boolean): void {
    const i = this.at(cpu, id >>> 5)
    const bit = 1 << (id & 31)
    if (((this.level[i]! & bit) !== 0) === high) return
    if (high) {
      this.level[i] = this.level[i]! | bit
      if (this.edge[i]! & bit) this.pending[i] = this.pending[i]! | bit
    } else this.level[i] = this.level[i]! & ~bit
    this.update()
  }

  /** SGI `id` made pending on CPU `target` by CPU `source` (the source is kept on GICv2 only). */
  pendSgi(target: number, id: number, source: number): void {
    if (this.version === 2) this.sgiSources[target * SGIS + id] = this.sgiSources[target * SGIS + id]! | (1 << source)
    this.pending[target] = this.pending[target]! | (1 << id)
  }

  /** GICv2 GICD_CPENDSGIR/SPENDSGIR: change the sources of an SGI; the latch follows them. */
  setSgiSources(target: number, id: number, sources: number): void {
    this.sgiSources[target * SGIS + id] = sources
    this.pending[target] = sources ? this.pending[target]! | (1 << id) : this.pending[target]! & ~(1 << id)
  }

  /** The HPPI of CPU `cpu`, or SPURIOUS. */
  hppi(cpu: number): number {
    const d = this.distCtlr
    if (!(d & 3)) return SPURIOUS
    let best = SPURIOUS
    let bestPrio = 0x100
    for (let w = 0; w < this.words; w++) {
      const i = this.at(cpu, w)
      const g = this.group[i]!
      const groups = (d & 1 ? ~g : 0) | (d & 2 ? g : 0)
      let bits = (this.pending[i]! | (this.level[i]! & ~this.edge[i]!)) & this.enabled[i]! & ~this.active[i]! & groups & this.valid[w]!
      while (bits) {
        const b = lowestBit(bits)
        bits &= bits - 1
        const id = 32 * w + b
        if (w > 0 && !this.routed(id, cpu)) continue
        const p = this.prio(cpu, id)
        if (p < bestPrio) {
          bestPrio = p
          best = id
        }
      }
    }
    return best
  }

  /** The priority bits that take part in preemption for `id` on `cpu` (its group priority). */
  groupPriority(cpu: number, id: number): number {
    const bpr = this.groupOf(cpu, id) && !(this.cpuCtlr[cpu]! & CTLR_CBPR) ? this.bpr1[cpu]! - 1 : this.bpr0[cpu]!
    return this.prio(cpu, id) & (0xff << (bpr + 1)) & 0xff
  }

  /** The group priority of the highest active priority, or IDLE_PRIORITY. */
  runningPriority(cpu: number): number {
    for (let n = 0; n < APR_WORDS; n++) {
      const a = this.apr0[cpu * APR_WORDS + n]! | this.apr1[cpu * APR_WORDS + n]!
      if (a) return (32 * n + lowestBit(a)) << 1
    }
    return IDLE_PRIORITY
  }

  /** Whether `id` (the HPPI) may be signalled to and acknowledged by `cpu` now. */
  canAcknowledge(cpu: number, id: number): boolean {
    if (id === SPURIOUS) return false
    const en = this.groupOf(cpu, id) ? CTLR_ENABLE_GRP1 : CTLR_ENABLE_GRP0
    if (!(this.cpuCtlr[cpu]! & en)) return false
    if (this.prio(cpu, id) >= this.pmr[cpu]!) return false
    return this.groupPriority(cpu, id) < this.runningPriority(cpu)
  }

  /**
   * Take `id` on `cpu` (the caller checked `canAcknowledge`): pending → active, its group
   * priority becomes active. Returns the SGI's source CPU on GICv2 (the lowest pending one;
   * others stay pending), else 0.
   */
  acknowledge(cpu: number, id: number): number {
    const i = this.at(cpu, id >>> 5)
    const bit = 1 << (id & 31)
    let source = 0
    if (id < SGIS && this.version === 2) {
      const k = cpu * SGIS + id
      const s = this.sgiSources[k]!
      if (s) source = lowestBit(s)
      this.setSgiSources(cpu, id, s & ~(1 << source))
    } else this.pending[i] = this.pending[i]! & ~bit
    this.active[i] = this.active[i]! | bit
    const level = this.groupPriority(cpu, id) >>> 1
    const apr = this.groupOf(cpu, id) ? this.apr1 : this.apr0
    apr[cpu * APR_WORDS + (level >>> 5)] = apr[cpu * APR_WORDS + (level >>> 5)]! | (1 << (level & 31))
    this.update()
    return source
  }

  /** Clear the highest active priority if it belongs to `group`; whether it did. */
  private dropPriority(cpu: number, group: number): boolean {
    for (let n = 0; n < APR_WORDS; n++) {
      const k = cpu * APR_WORDS + n
      const a = this.apr0[k]! | this.apr1[k]!
      if (!a) continue
      const bit = 1 << lowestBit(a)
      const apr = group ? this.apr1 : this.apr0
      if (!(apr[k]! & bit)) return false
      apr[k] = apr[k]! & ~bit
      return true
    }
    return false
  }

  /** End of interrupt `id` of `group` on `cpu`: priority drop, and deactivation unless EOImode splits them. */
  endOfInterrupt(cpu: number, id: number, group: number): void {
    if (!this.exists(id)) return
    if (!this.dropPriority(cpu, group)) return
    if (!(this.cpuCtlr[cpu]! & CTLR_EOI_MODE)) this.change(this.active, cpu, id >>> 5, 1 << (id & 31), false)
    this.update()
  }

  /** GICC_DIR / ICC_DIR_EL1: only with EOImode set (otherwise UNPREDICTABLE; ignored as QEMU does). */
  deactivate(cpu: number, id: number): void {
    if (this.cpuCtlr[cpu]! & CTLR_EOI_MODE) this.clearActive(cpu, id)
  }

  /**
   * Deactivate `id` as `cpu` sees it, whatever EOImode says: the deactivation a virtual CPU
   * interface forwards for a list register with the HW bit (IHI 0048B GICH_LR HW, IHI 0069
   * ICH_LR<n>_EL2.HW: "as a write to GICC_DIR / ICC_DIR_EL1 from the PE having that pINTID").
   */
  clearActive(cpu: number, id: number): void {
    if (!this.exists(id)) return
    this.change(this.active, cpu, id >>> 5, 1 << (id & 31), false)
    this.update()
  }

  /** Drive every CPU's 'irq' and 'fiq' from its HPPI (`force`: drive them even if unchanged). */
  update(force = false): void {
    for (let c = 0; c < this.cpus; c++) {
      const id = this.hppi(c)
      let irq = 0
      let fiq = 0
      if (this.canAcknowledge(c, id)) {
        if (this.groupOf(c, id) === 0 && (this.version === 3 || this.cpuCtlr[c]! & CTLR_FIQ_EN)) fiq = 1
        else irq = 1
      }
      if (irq !== this.outIrq[c] || force) {
        this.outIrq[c] = irq
        this.irq[c]!.set(irq === 1)
      }
      if (fiq !== this.outFiq[c] || force) {
        this.outFiq[c] = fiq
        this.fiq[c]!.set(fiq === 1)
      }
    }
  }

  /** Power-on values; input lines are driven from outside and keep their levels. */
  private resetState(): void {
    for (const a of [this.enabled, this.pending, this.active, this.group, this.edge]) a.fill(0)
    for (const a of [this.priority, this.sgiSources, this.cpuCtlr, this.pmr, this.bpr0, this.apr0, this.apr1]) a.fill(0)
    this.distCtlr = 0
    // binary points reset to their minimum (QEMU); group 1's minimum is one more
    this.bpr1.fill(1)
    for (let c = 0; c < this.cpus; c++) {
      this.edge[c] = 0xffff
      // IHI 0048B GICD_ISENABLERn: whether SGIs can be disabled is IMPLEMENTATION DEFINED; QEMU's GICv2 keeps them enabled
      if (this.version === 2) this.enabled[c] = 0xffff
    }
  }

  reset(): void {
    this.resetState()
    this.update(true)
  }
}
