/**
 * The vGIC (reference §9; Bao's vgic.c): per VM the state of every virtual interrupt, SGIs and
 * PPIs banked per vCPU, behind the distributor a VM sees at its `arch.gic.gicdAddr` — a GICv2 one
 * (vgicv2.ts) or a GICv3 one with a redistributor per vCPU at `arch.gic.gicrAddr` (vgicv3.ts),
 * whose registers are views of this state — and per vCPU the list registers of the virtual CPU
 * interface, filled through `GichPort` while the vCPU is on its pCPU (GICv2's GICH frame, or the
 * GICv3's ICH_*_EL2 registers: ich-port.ts), kept in its saved state while it is not (VM stack).
 * An interrupt becomes pending here, goes into a list register of its target vCPU when the
 * distributor and the interrupt are enabled, and leaves it when the guest deactivates it; a list
 * register of a passed-through interrupt is HW-linked, so the guest's deactivation deactivates
 * the physical one. The others ask for an EOI maintenance interrupt, after which the slot is taken
 * back (and a level still high pends again); interrupts that found no slot ask for the underflow one.
 */
import { GICH, HCR_EN, HCR_UIE, ICH_AP0R, LR_ACTIVE, LR_PENDING, LR_STATE, lrValue, type GichPort } from './gich.ts'

export const PRIVATE = 32, SGIS = 16
/** GICD_ICFGR's reset for PPIs: level (QEMU/GIC-400 read 0 for them; SGIs read as edge 0b10) */
const SGI_CFG = 0xaaaaaaaa | 0
/** GICD_IROUTER.Interrupt_Routing_Mode */
const ROUTE_IRM = 0x8000_0000

/** The bit-per-interrupt registers by their offset in a distributor (and in a GICv3 redistributor's SGI_base frame). */
export const BITS = { IGROUPR: 0x080, ISENABLER: 0x100, ICENABLER: 0x180, ISPENDR: 0x200, ICPENDR: 0x280, ISACTIVER: 0x300, ICACTIVER: 0x380 } as const

/** a vCPU's virtual interface while it is off its pCPU: GICH_LRn, HCR, VMCR, APR, and on a GICv3 ICH_AP0R0_EL2 */
export interface VgicSaved { lr: number[]; hcr: number; vmcr: number; apr: number; ap0r?: number }

export interface VgicHost {
  port: GichPort
  /** the pCPU of `vcpu` while it is on it (the live list registers are that pCPU's), else -1 */
  livePcpu(vcpu: number): number
  /** a virtual interrupt was made pending for `vcpu` while it is off its pCPU */
  pendingOff(vcpu: number): void
}

export interface VgicState {
  ctlr: number
  enable: number[]; pending: number[]; active: number[]; level: number[]; priority: number[]; group: number[]; cfg: number[]
  targets: number[]; route: number[]; sgiSrc: number[]; slots: number[]; saved: (VgicSaved | null)[]
}

export class Vgic {
  /** the GIC architecture the VM sees: GICv2's SGIs cannot be disabled, a GICv3's SPIs route by affinity */
  readonly version: 2 | 3
  /** INTIDs (a multiple of 32) and vCPUs */
  readonly lines: number
  readonly vcpus: number
  private ctlr = 0
  /** per interrupt, indexed by `at(vcpu, id)`: SGIs/PPIs banked per vCPU, then the SPIs */
  private readonly enable: Uint8Array
  private readonly pending: Uint8Array
  private readonly active: Uint8Array
  /** the level of a level-sensitive source driven by an emulated device (setVirq) */
  private readonly level: Uint8Array
  private readonly priority: Uint8Array
  private readonly group: Uint8Array
  /** GICD_ICFGR's two bits per SPI (bit 1: edge) */
  private readonly cfg: Uint8Array
  /** per SPI, the vCPUs it goes to (a mask): GICD_ITARGETSR, or from GICD_IROUTER */
  private readonly targets: Uint8Array
  /** GICv3 GICD_IROUTER per interrupt as written: [31:0], [63:32] */
  private readonly route: Uint32Array
  /** the physical INTID an interrupt is linked to (-1: virtual only) */
  private readonly hw: Int16Array
  /** pending SGIs: a mask of source vCPUs per (target vCPU, SGI) */
  private readonly sgiSrc: Uint8Array
  /** per vCPU, the interrupt each list register holds (the `at` index, -1 none) and an SGI's source */
  private readonly slots: Int32Array
  private readonly slotSrc: Int8Array
  /** per vCPU, its virtual interface while off its pCPU */
  readonly saved: (VgicSaved | null)[]

  constructor(private readonly host: VgicHost, interruptNum: number, vcpus: number, version: 2 | 3 = 2) {
    this.version = version
    this.lines = Math.min(1020, Math.max(64, Math.ceil(interruptNum / 32) * 32))
    this.vcpus = vcpus
    const n = vcpus * PRIVATE + this.lines - PRIVATE
    this.enable = new Uint8Array(n)
    this.pending = new Uint8Array(n)
    this.active = new Uint8Array(n)
    this.level = new Uint8Array(n)
    this.priority = new Uint8Array(n)
    this.group = new Uint8Array(n)
    this.cfg = new Uint8Array(this.lines)
    this.targets = new Uint8Array(this.lines)
    this.route = new Uint32Array(2 * this.lines)
    this.hw = new Int16Array(this.lines).fill(-1)
    this.sgiSrc = new Uint8Array(vcpus * SGIS)
    this.slots = new Int32Array(vcpus * host.port.lrs).fill(-1)
    this.slotSrc = new Int8Array(vcpus * host.port.lrs)
    this.saved = Array.from({ length: vcpus }, () => this.emptyInterface())
    // a GICv2's SGIs are always enabled (IHI 0048B §4.3.5, as the GIC-400); a GICv3's are disabled at reset
    if (version === 2) for (let v = 0; v < vcpus; v++) for (let id = 0; id < SGIS; id++) this.enable[this.at(v, id)] = 1
  }

  private at(v: number, id: number): number {
    return id < PRIVATE ? v * PRIVATE + id : this.vcpus * PRIVATE + id - PRIVATE
  }

  /** the vCPU an SPI goes to: the lowest of its targets (vCPU 0 when it names none) */
  private targetOf(id: number): number {
    const t = this.targets[id]!
    return t === 0 ? 0 : 31 - Math.clz32(t & -t)
  }

  // ---- sources ----

  /** physical `pid` is linked to virtual `id` (a passed-through device's interrupt) */
  link(id: number, pid: number): void {
    if (id < this.lines) this.hw[id] = pid
  }

  /** a HW-linked interrupt fired (acknowledged on the physical GIC, priority dropped): pending for the guest */
  hwRaise(id: number, vcpu: number): void {
    this.raise(id, vcpu)
  }

  /** an emulated device's level-sensitive line */
  setLevel(id: number, high: boolean, vcpu = 0): void {
    if (id >= this.lines) return
    const k = this.at(vcpu, id)
    this.level[k] = high ? 1 : 0
    if (high) this.raise(id, vcpu)
    else if (id >= PRIVATE && (this.cfg[id]! & 2) === 0) this.pending[k] = 0
  }

  /** an edge: pending once (IPC events) */
  raise(id: number, vcpu = 0): void {
    if (id >= this.lines) return
    const v = id < PRIVATE ? vcpu : this.targetOf(id)
    this.pending[this.at(v, id)] = 1
    this.fill(v)
  }

  // ---- list registers ----

  private lrRead(v: number, i: number): number {
    const p = this.host.livePcpu(v)
    return p >= 0 ? this.host.port.read(p, GICH.LR + 4 * i) : this.saved[v]!.lr[i]!
  }

  private lrWrite(v: number, i: number, value: number): void {
    const p = this.host.livePcpu(v)
    if (p >= 0) this.host.port.write(p, GICH.LR + 4 * i, value)
    else this.saved[v]!.lr[i] = value
  }

  private setUnderflow(v: number, on: boolean): void {
    const p = this.host.livePcpu(v)
    const hcr = p >= 0 ? this.host.port.read(p, GICH.HCR) : this.saved[v]!.hcr
    const next = on ? hcr | HCR_UIE | HCR_EN : (hcr & ~HCR_UIE) | HCR_EN
    if (next === hcr) return
    if (p >= 0) this.host.port.write(p, GICH.HCR, next)
    else this.saved[v]!.hcr = next
  }

  /** take back the list registers the guest has finished with (EOI maintenance, HW deactivation) */
  private sync(v: number): void {
    const lrs = this.host.port.lrs
    for (let i = 0; i < lrs; i++) {
      const k = this.slots[v * lrs + i]!
      if (k < 0) continue
      if ((this.lrRead(v, i) & LR_STATE) !== 0) continue
      this.slots[v * lrs + i] = -1
      this.lrWrite(v, i, 0)
      this.active[k] = 0
      // a level still high pends again
      if (this.level[k] === 1) this.pending[k] = 1
      const id = k < this.vcpus * PRIVATE ? k % PRIVATE : k - this.vcpus * PRIVATE + PRIVATE
      if (id < SGIS && this.sgiSrc[v * SGIS + id] !== 0) this.pending[k] = 1
    }
  }

  /** Put `v`'s deliverable pending interrupts into free list registers, highest priority first. */
  fill(v: number): void {
    if (v < 0 || v >= this.vcpus) return
    this.sync(v)
    const lrs = this.host.port.lrs
    let left = false
    for (;;) {
      const k = this.best(v)
      if (k < 0) break
      let free = -1
      for (let i = 0; i < lrs; i++) if (this.slots[v * lrs + i] === -1) { free = i; break }
      if (free < 0) { left = true; break }
      const id = k < this.vcpus * PRIVATE ? k % PRIVATE : k - this.vcpus * PRIVATE + PRIVATE
      let src = 0
      if (id < SGIS) {
        const m = this.sgiSrc[v * SGIS + id]!
        src = 31 - Math.clz32(m & -m)
        this.sgiSrc[v * SGIS + id] = m & (m - 1)
        this.pending[k] = this.sgiSrc[v * SGIS + id] !== 0 ? 1 : 0
      } else this.pending[k] = 0
      this.slots[v * lrs + free] = k
      this.slotSrc[v * lrs + free] = src
      this.active[k] = 1
      const pid = this.hw[id]!
      this.lrWrite(v, free, lrValue(id, this.priority[k]!, pid >= 0, pid >= 0 ? pid : src, this.group[k] === 1))
      if (this.host.livePcpu(v) < 0) this.host.pendingOff(v)
    }
    this.setUnderflow(v, left)
  }

  /** the highest-priority pending, enabled interrupt of `v` not in a list register, or -1 */
  private best(v: number): number {
    if ((this.ctlr & 3) === 0) return -1
    let best = -1, bp = 256
    for (let id = 0; id < PRIVATE; id++) {
      const k = this.at(v, id)
      if (this.pending[k] && this.enable[k] && !this.active[k] && this.priority[k]! < bp) { best = k; bp = this.priority[k]! }
    }
    for (let id = PRIVATE; id < this.lines; id++) {
      const k = this.at(0, id)
      if (this.pending[k] && this.enable[k] && !this.active[k] && this.priority[k]! < bp && this.targetOf(id) === v) { best = k; bp = this.priority[k]! }
    }
    return best
  }

  /** a maintenance interrupt on the pCPU running `v` (EOI or underflow): refill */
  maintenance(v: number): void {
    this.fill(v)
  }

  // ---- VM stack: the virtual interface of a vCPU leaving / coming back to its pCPU ----

  save(v: number, pcpu: number): void {
    const port = this.host.port
    const s = this.saved[v]!
    for (let i = 0; i < port.lrs; i++) s.lr[i] = port.read(pcpu, GICH.LR + 4 * i)
    s.hcr = port.read(pcpu, GICH.HCR)
    s.vmcr = port.read(pcpu, GICH.VMCR)
    s.apr = port.read(pcpu, GICH.APR)
    if (port.ap0r) s.ap0r = port.read(pcpu, ICH_AP0R)
    // the pCPU's interface is quiet until the next vCPU's comes in
    port.write(pcpu, GICH.HCR, 0)
  }

  load(v: number, pcpu: number): void {
    const port = this.host.port
    const s = this.saved[v]!
    for (let i = 0; i < port.lrs; i++) port.write(pcpu, GICH.LR + 4 * i, s.lr[i]!)
    port.write(pcpu, GICH.VMCR, s.vmcr)
    port.write(pcpu, GICH.APR, s.apr)
    if (port.ap0r) port.write(pcpu, ICH_AP0R, s.ap0r ?? 0)
    port.write(pcpu, GICH.HCR, s.hcr | HCR_EN)
  }

  /** a vCPU (re)started: an empty interface */
  resetVcpu(v: number): void {
    const port = this.host.port, lrs = port.lrs
    for (let i = 0; i < lrs; i++) { this.slots[v * lrs + i] = -1; this.lrWrite(v, i, 0) }
    for (let id = 0; id < PRIVATE; id++) { const k = this.at(v, id); this.active[k] = 0; this.pending[k] = 0 }
    const p = this.host.livePcpu(v)
    if (p >= 0) {
      port.write(p, GICH.APR, 0)
      // a GICv3's group 0 active priorities too (IHI 0069 §12.4.1): else the ICV_AP0R0_EL1 the
      // pCPU's last vCPU wrote — another VM's — is this one's to read, and its active priority
      // holds off this one's interrupts (../test/hyp-isolation.test.ts)
      if (port.ap0r) port.write(p, ICH_AP0R, 0)
      port.write(p, GICH.VMCR, 0)
      port.write(p, GICH.HCR, HCR_EN)
    } else this.saved[v] = this.emptyInterface()
  }

  private emptyInterface(): VgicSaved {
    const port = this.host.port
    return { lr: new Array<number>(port.lrs).fill(0), hcr: HCR_EN, vmcr: 0, apr: 0, ...(port.ap0r ? { ap0r: 0 } : {}) }
  }

  // ---- the per-interrupt registers both distributors (vgicv2.ts, vgicv3.ts) and a GICv3
  // redistributor's SGI_base frame lay out alike (IHI 0048B §4.3, IHI 0069 §12.9, §12.10) ----

  /** a bit-per-interrupt register word: bit b of word w as `get` sees it */
  private bits(v: number, w: number, get: (k: number, id: number) => boolean): number {
    let r = 0
    for (let b = 0; b < 32; b++) {
      const id = w * 32 + b
      if (id < this.lines && get(this.at(v, id), id)) r |= 1 << b
    }
    return r
  }

  private setBits(v: number, w: number, x: number, set: (k: number, id: number) => void): void {
    for (let b = 0; b < 32; b++) {
      const id = w * 32 + b
      if ((x >>> b) & 1 && id < this.lines) set(this.at(v, id), id)
    }
  }

  /** whether interrupt `k` is active (or pending) in one of `v`'s list registers */
  private inLr(v: number, k: number, state: number): boolean {
    const lrs = this.host.port.lrs
    for (let i = 0; i < lrs; i++) if (this.slots[v * lrs + i] === k) return (this.lrRead(v, i) & state) !== 0
    return false
  }

  /** word `w` of the register at `block` (IGROUPR … ICACTIVER: their offsets in a distributor, BITS) as vCPU `v` sees it */
  readBits(v: number, block: number, w: number): number {
    switch (block) {
      case BITS.IGROUPR: return this.bits(v, w, (k) => this.group[k] === 1)
      case BITS.ISENABLER: case BITS.ICENABLER: return this.bits(v, w, (k) => this.enable[k] === 1)
      case BITS.ISPENDR: case BITS.ICPENDR: return this.bits(v, w, (k) => this.pending[k] === 1 || this.inLr(v, k, LR_PENDING))
      case BITS.ISACTIVER: case BITS.ICACTIVER: return this.bits(v, w, (k) => this.inLr(v, k, LR_ACTIVE))
    }
    return 0
  }

  /** a write of word `w` of the register at `block`; active state lives in the list registers (writes to it are ignored) */
  writeBits(v: number, block: number, w: number, x: number): void {
    switch (block) {
      case BITS.IGROUPR: this.setBits(v, w, -1, (k) => { this.group[k] = 0 }); this.setBits(v, w, x, (k) => { this.group[k] = 1 }); return
      case BITS.ISENABLER: this.setBits(v, w, x, (k) => { this.enable[k] = 1 }); return this.refill()
      // GICv2's SGIs are always enabled (IHI 0048B §4.3.5, as the GIC-400); a GICv3's are not
      case BITS.ICENABLER: this.setBits(v, w, x, (k, id) => { if (id >= SGIS || this.version === 3) this.enable[k] = 0 }); return
      case BITS.ISPENDR: this.setBits(v, w, x, (k) => { this.pending[k] = 1 }); return this.refill()
      case BITS.ICPENDR: this.setBits(v, w, x, (k) => { this.pending[k] = 0 }); return
    }
  }

  /** `size` IPRIORITYR bytes from interrupt `id` */
  readPriority(v: number, id: number, size: number): number {
    let r = 0
    for (let i = 0; i < size; i++) if (id + i < this.lines) r |= this.priority[this.at(v, id + i)]! << (8 * i)
    return r >>> 0
  }

  /** five priority bits kept, as the list registers carry them */
  writePriority(v: number, id: number, size: number, x: number): void {
    for (let i = 0; i < size; i++) if (id + i < this.lines) this.priority[this.at(v, id + i)] = (x >>> (8 * i)) & 0xf8
    this.refill()
  }

  /** ICFGR<n>: SGIs edge, PPIs level (read-only), the SPIs' Int_config[1] */
  readCfg(n: number): number {
    if (n === 0) return SGI_CFG
    if (n === 1) return 0
    let r = 0
    for (let i = 0; i < 16; i++) { const id = n * 16 + i; if (id < this.lines) r |= (this.cfg[id]! & 3) << (2 * i) }
    return r
  }

  writeCfg(n: number, x: number): void {
    if (n < 2) return
    for (let i = 0; i < 16; i++) { const id = n * 16 + i; if (id < this.lines) this.cfg[id] = (x >>> (2 * i)) & 2 }
  }

  /** GICD_CTLR's group enables (EnableGrp0 [0], EnableGrp1 [1]) */
  get enables(): number { return this.ctlr }
  set enables(x: number) {
    this.ctlr = x & 3
    this.refill()
  }

  /** GICv2 GICD_ITARGETSR: SPI `id`'s target vCPUs (a mask) */
  targetsOf(id: number): number { return this.targets[id]! }
  setTargets(id: number, mask: number): void {
    if (id < PRIVATE || id >= this.lines) return
    this.targets[id] = mask & ((1 << this.vcpus) - 1)
    this.refill()
  }

  /**
   * GICv3 GICD_IROUTER<id> of an SPI, word `half` ([31:0]: Interrupt_Routing_Mode [31],
   * Aff2.Aff1.Aff0; [63:32]: Aff3) as written.
   */
  routeOf(id: number, half: 0 | 1): number {
    return id >= PRIVATE && id < this.lines ? this.route[2 * id + half]! : 0
  }

  /**
   * A write of IROUTER<id>'s word `half` by vCPU `writer`: the SPI goes to vCPU `vcpuOf(affinity)`,
   * or with Interrupt_Routing_Mode set to the writer (Bao routes "any" there); an affinity no vCPU
   * has leaves it with vCPU 0, as an empty GICv2 target list does.
   */
  setRoute(id: number, half: 0 | 1, x: number, writer: number, vcpuOf: (affinity: number) => number): void {
    if (id < PRIVATE || id >= this.lines) return
    this.route[2 * id + half] = half ? x & 0xff : x & 0x80ff_ffff
    const lo = this.route[2 * id]!
    const t = lo & ROUTE_IRM ? writer : vcpuOf(((this.route[2 * id + 1]! << 24) | (lo & 0xff_ffff)) >>> 0)
    this.targets[id] = t >= 0 && t < this.vcpus ? 1 << t : 0
    this.refill()
  }

  /** GICv2 GICD_SPENDSGIR/CPENDSGIR byte of `sgi` on `v`: the vCPUs it is pending from */
  sgiSourcesOf(v: number, sgi: number): number { return this.sgiSrc[v * SGIS + sgi]! }
  changeSgiSources(v: number, sgi: number, bits: number, set: boolean): void {
    const j = v * SGIS + sgi
    this.sgiSrc[j] = set ? this.sgiSrc[j]! | (bits & ((1 << this.vcpus) - 1)) : this.sgiSrc[j]! & ~bits
    this.pending[this.at(v, sgi)] = this.sgiSrc[j] !== 0 ? 1 : 0
    this.fill(v)
  }

  /** SGI `sgi` from vCPU `self` to the vCPUs in mask `list` (GICD_SGIR, a trapped ICC_SGI1R_EL1) */
  sendSgi(self: number, list: number, sgi: number): void {
    for (let t = 0; t < this.vcpus; t++) {
      if (!((list >>> t) & 1)) continue
      this.sgiSrc[t * SGIS + sgi] = this.sgiSrc[t * SGIS + sgi]! | (1 << self)
      this.pending[this.at(t, sgi)] = 1
      this.fill(t)
    }
  }

  private refill(): void {
    for (let v = 0; v < this.vcpus; v++) this.fill(v)
  }

  // ---- sessions ----

  snapshot(): VgicState {
    return {
      ctlr: this.ctlr, enable: [...this.enable], pending: [...this.pending], active: [...this.active], level: [...this.level],
      priority: [...this.priority], group: [...this.group], cfg: [...this.cfg], targets: [...this.targets], route: [...this.route], sgiSrc: [...this.sgiSrc],
      slots: [...this.slots], saved: this.saved.map((s) => (s ? { ...s, lr: [...s.lr] } : null)),
    }
  }

  restore(s: VgicState): void {
    this.ctlr = s.ctlr
    this.enable.set(s.enable); this.pending.set(s.pending); this.active.set(s.active); this.level.set(s.level)
    this.priority.set(s.priority); this.group.set(s.group); this.cfg.set(s.cfg); this.targets.set(s.targets); this.route.set(s.route); this.sgiSrc.set(s.sgiSrc)
    this.slots.set(s.slots)
    s.saved.forEach((x, i) => { this.saved[i] = x ? { ...x, lr: [...x.lr] } : null })
  }

  /** the sizes `restore` needs (sessions check a state before restoring it) */
  shape(): { n: number; lines: number; sgi: number; slots: number; lrs: number } {
    return { n: this.enable.length, lines: this.lines, sgi: this.sgiSrc.length, slots: this.slots.length, lrs: this.host.port.lrs }
  }
}
