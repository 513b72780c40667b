/**
 * The GICv2 distributor a VM sees at its `arch.gic.gicdAddr` (Bao's vgicv2.c; IHI 0048B §4.3:
 * CTLR, TYPER, IIDR, IGROUPR, IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER, IPRIORITYR, ITARGETSR,
 * ICFGR, SGIR, C/SPENDSGIR), banked per vCPU for the SGIs and PPIs: the access's `cpu` is the
 * vCPU making it. Every register is a view of the VM's vGIC state (vgic.ts); the CPU interface is
 * the physical GIC's GICV frame (or the hypervisor's model of one, soft-gich.ts).
 */
import type { MmioHandler } from '../../../core/bus.ts'
import { PRIVATE, SGIS, type Vgic } from './vgic.ts'

/** GICD_IIDR: implementer ARM, as the GIC-400 Bao reads through */
const GICD_IIDR = 0x0200_043b

export class Vgicv2Distributor implements MmioHandler {
  constructor(private readonly vgic: Vgic) {}

  read(off: number, size: number, cpu = 0): number {
    const g = this.vgic
    const v = cpu >= 0 && cpu < g.vcpus ? cpu : 0
    if (off >= 0x400 && off < 0x400 + g.lines) return g.readPriority(v, off & 0x3ff, size)
    if (off >= 0x800 && off < 0x800 + g.lines) return bytes(off, size, (id) => (id < PRIVATE ? 1 << v : g.targetsOf(id)))
    if (off >= 0xf10 && off < 0xf30) return bytes(off, size, (i) => g.sgiSourcesOf(v, i & 15))
    if (size !== 4) return 0
    if (off === 0x000) return g.enables
    if (off === 0x004) return ((g.lines >> 5) - 1) | ((g.vcpus - 1) << 5)
    if (off === 0x008) return GICD_IIDR
    if (off >= 0x080 && off < 0x400) return g.readBits(v, off & ~0x7f, (off & 0x7f) >> 2)
    if (off >= 0xc00 && off < 0xd00) return g.readCfg((off - 0xc00) >> 2)
    return 0
  }

  write(off: number, size: number, value: number, cpu = 0): void {
    const g = this.vgic
    const v = cpu >= 0 && cpu < g.vcpus ? cpu : 0
    const x = value | 0
    if (off >= 0x400 && off < 0x400 + g.lines) return g.writePriority(v, off & 0x3ff, size, x)
    if (off >= 0x800 && off < 0x800 + g.lines) {
      for (let i = 0; i < size; i++) g.setTargets((off & 0x3ff) + i, (x >>> (8 * i)) & 0xff)
      return
    }
    if (off >= 0xf10 && off < 0xf30) {
      for (let i = 0; i < size; i++) {
        const sgi = ((off - 0xf10) & 15) + i
        if (sgi < SGIS) g.changeSgiSources(v, sgi, (x >>> (8 * i)) & 0xff, off >= 0xf20)
      }
      return
    }
    if (size !== 4) return
    if (off === 0x000) g.enables = x
    else if (off >= 0x080 && off < 0x380) g.writeBits(v, off & ~0x7f, (off & 0x7f) >> 2, x)
    else if (off >= 0xc00 && off < 0xd00) g.writeCfg((off - 0xc00) >> 2, x)
    else if (off === 0xf00) this.sgir(v, x)
  }

  /** GICD_SGIR: SGI [3:0] to the vCPUs the filter [25:24] names (list [23:16], all others, self) */
  private sgir(self: number, x: number): void {
    const all = (1 << this.vgic.vcpus) - 1
    const f = (x >>> 24) & 3
    const list = f === 0 ? (x >>> 16) & all : f === 1 ? all & ~(1 << self) : f === 2 ? 1 << self : 0
    this.vgic.sendSgi(self, list, x & 15)
  }
}

/** the bytes of a byte-per-interrupt register from `off` (interrupt `off & 0x3ff`) */
function bytes(off: number, size: number, get: (i: number) => number): number {
  const base = off & 0x3ff
  let r = 0
  for (let i = 0; i < size; i++) r |= (get(base + i) & 0xff) << (8 * i)
  return r >>> 0
}
