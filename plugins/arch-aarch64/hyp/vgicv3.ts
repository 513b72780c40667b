/**
 * The GICv3 a VM sees (Bao's vgicv3.c; IHI 0069): a distributor at its `arch.gic.gicdAddr` and a
 * redistributor per vCPU from its `arch.gic.gicrAddr` (RD_base + SGI_base, 128 KiB each), every
 * register a view of the VM's vGIC state (vgic.ts). As on the physical GIC (dev-gic gicv3.ts):
 * affinity routing always on (GICD_CTLR.ARE reads one), a single Security state (DS reads one), so
 * the distributor's registers of INTIDs 0..31 are RAZ/WI and a vCPU's SGIs and PPIs are
 * programmed in its redistributor, whichever vCPU writes the frame. SPIs go where GICD_IROUTER
 * names. The CPU interface is no MMIO: the guest's ICC_*_EL1 accesses reach the ICV_ registers
 * of the physical CPU's virtual interface (HCR_EL2.IMO/FMO), whose list registers the vGIC fills,
 * except ICC_SGI0R/1R_EL1, which trap to the hypervisor: `sgiTargets` decodes them.
 *
 * As Bao: GICD_TYPER reports the VM's lines, vCPUs - 1 and IDbits 10 (reference §9);
 * GICR_TYPER the vCPU's number, its vMPIDR affinity and Last on the VM's last vCPU; GICR_CTLR and
 * GICR_WAKER are RAZ/WI (no LPIs; a redistributor is never asleep); IIDR and the identification
 * registers are the physical GIC's (Linux checks GICD_PIDR2.ArchRev).
 */
import type { MmioHandler } from '../../../core/bus.ts'
import { BITS, PRIVATE, SGIS, type Vgic } from './vgic.ts'

/** IHI 0069: the distributor's 64 KiB; a redistributor's two 64 KiB frames, SGI_base the second */
export const GICD_V3_SIZE = 0x1_0000, GICR_FRAME = 0x2_0000
const SGI_BASE = 0x1_0000
/** GICD_CTLR with DS = 1: ARE [4], DS [6] */
const CTLR_ARE = 1 << 4, CTLR_DS = 1 << 6
/** GICD_TYPER.IDbits: 10 bits of INTID (Bao) */
const TYPER_IDBITS = (10 - 1) << 19
/** the identification registers at the end of a 64 KiB frame (PIDR4..7, PIDR0..3, CIDR0..3) */
const ID_FIRST = 0xffd0
const IROUTER = 0x6000
const BLOCKS_END = 0x400, IPRIORITYR = 0x400, ICFGR = 0xc00

/** What the emulated registers take from outside the vGIC. */
export interface Vgicv3Host {
  /** vCPU k's affinity (Aff3.Aff2.Aff1.Aff0, as its vMPIDR_EL1) */
  affinity(k: number): number
  /** a physical distributor (`gicr` false) or redistributor register, the identification ones passed through */
  physical(gicr: boolean, off: number): number
}

/** the vCPU whose affinity is `aff`, or -1 */
function vcpuOf(vgic: Vgic, host: Vgicv3Host, aff: number): number {
  for (let k = 0; k < vgic.vcpus; k++) if (host.affinity(k) === aff) return k
  return -1
}

export class Vgicv3Distributor implements MmioHandler {
  constructor(private readonly vgic: Vgic, private readonly host: Vgicv3Host) {}

  read(off: number, size: number, cpu = 0): number {
    const g = this.vgic
    const v = cpu >= 0 && cpu < g.vcpus ? cpu : 0
    if (off >= IPRIORITYR + PRIVATE && off < IPRIORITYR + g.lines) return g.readPriority(v, off - IPRIORITYR, size)
    if (size !== 4) return 0
    if (off >= IROUTER + 8 * PRIVATE && off < IROUTER + 8 * g.lines) return g.routeOf((off - IROUTER) >> 3, ((off >> 2) & 1) as 0 | 1)
    if (off === 0x000) return g.enables | CTLR_ARE | CTLR_DS
    if (off === 0x004) return ((g.lines >> 5) - 1) | ((g.vcpus - 1) << 5) | TYPER_IDBITS
    if (off === 0x008 || off >= ID_FIRST) return this.host.physical(false, off)
    const w = (off & 0x7f) >> 2
    if (off >= BITS.IGROUPR && off < BLOCKS_END) return w === 0 ? 0 : g.readBits(v, off & ~0x7f, w)
    if (off >= ICFGR && off < ICFGR + 0x100) return off < ICFGR + 8 ? 0 : g.readCfg((off - ICFGR) >> 2)
    return 0
  }

  write(off: number, size: number, value: number, cpu = 0): void {
    const g = this.vgic
    const v = cpu >= 0 && cpu < g.vcpus ? cpu : 0
    const x = value | 0
    if (off >= IPRIORITYR + PRIVATE && off < IPRIORITYR + g.lines) return g.writePriority(v, off - IPRIORITYR, size, x)
    if (size !== 4) return
    if (off >= IROUTER + 8 * PRIVATE && off < IROUTER + 8 * g.lines) {
      return g.setRoute((off - IROUTER) >> 3, ((off >> 2) & 1) as 0 | 1, x, v, (aff) => vcpuOf(g, this.host, aff))
    }
    const w = (off & 0x7f) >> 2
    if (off === 0x000) g.enables = x
    else if (off >= BITS.IGROUPR && off < BITS.ISACTIVER && w !== 0) g.writeBits(v, off & ~0x7f, w, x)
    else if (off >= ICFGR + 8 && off < ICFGR + 0x100) g.writeCfg((off - ICFGR) >> 2, x)
  }
}

/** The redistributors, one frame pair per vCPU: the frame, not the accessing vCPU, says whose. */
export class Vgicv3Redistributors implements MmioHandler {
  constructor(private readonly vgic: Vgic, private readonly host: Vgicv3Host) {}

  read(off: number, size: number): number {
    const g = this.vgic
    const k = Math.floor(off / GICR_FRAME), f = off % GICR_FRAME
    if (k >= g.vcpus) return 0
    if (f >= SGI_BASE) {
      const s = f - SGI_BASE
      if (s >= IPRIORITYR && s < IPRIORITYR + PRIVATE) return g.readPriority(k, s - IPRIORITYR, size)
      if (size !== 4) return 0
      if (s >= BITS.IGROUPR && s < BLOCKS_END && (s & 0x7f) === 0) return g.readBits(k, s, 0)
      if (s === ICFGR || s === ICFGR + 4) return g.readCfg((s - ICFGR) >> 2)
      return 0
    }
    if (size !== 4) return 0
    switch (f) {
      case 0x004: return this.host.physical(true, f) // GICR_IIDR
      // GICR_TYPER: Processor_Number [23:8], Last [4]; [63:32] the affinity
      case 0x008: return (k << 8) | (k === g.vcpus - 1 ? 1 << 4 : 0)
      case 0x00c: return this.host.affinity(k)
    }
    return f >= ID_FIRST ? this.host.physical(true, f) : 0
  }

  write(off: number, size: number, value: number): void {
    const g = this.vgic
    const k = Math.floor(off / GICR_FRAME), f = off % GICR_FRAME
    if (k >= g.vcpus || f < SGI_BASE) return
    const s = f - SGI_BASE
    if (s >= IPRIORITYR && s < IPRIORITYR + PRIVATE) return g.writePriority(k, s - IPRIORITYR, size, value | 0)
    if (size === 4 && s >= BITS.IGROUPR && s < BITS.ISACTIVER && (s & 0x7f) === 0) g.writeBits(k, s, 0, value | 0)
  }
}

/**
 * ICC_SGI1R_EL1 / ICC_SGI0R_EL1 written by vCPU `self` (IHI 0069 §12.2: INTID [27:24], the
 * vCPUs of affinity Aff3 [55:48].Aff2 [39:32].Aff1 [23:16] whose Aff0 is RS [47:44] * 16 + a
 * TargetList [15:0] bit, or with IRM [40] every vCPU but the writer): the SGI and its targets.
 */
export function sgiTargets(vgic: Vgic, host: Vgicv3Host, self: number, value: bigint): { sgi: number; list: number } {
  const lo = Number(value & 0xffff_ffffn), hi = Number((value >> 32n) & 0xffff_ffffn)
  const sgi = (lo >>> 24) & (SGIS - 1)
  const all = (1 << vgic.vcpus) - 1
  if ((hi >>> 8) & 1) return { sgi, list: all & ~(1 << self) }
  const aff321 = ((((hi >>> 16) & 0xff) << 24) | ((hi & 0xff) << 16) | (((lo >>> 16) & 0xff) << 8)) >>> 0
  const rs = (hi >>> 12) & 0xf
  let list = 0
  for (let k = 0; k < vgic.vcpus; k++) {
    const a = host.affinity(k)
    if ((a & ~0xff) >>> 0 === aff321 && (a & 0xff) >>> 4 === rs && (lo >>> (a & 15)) & 1) list |= 1 << k
  }
  return { sgi, list }
}
