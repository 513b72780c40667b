/**
 * GICv2's virtualization frames (IHI 0048B ch. 5) as views of the shared virtual interface state
 * (vgic.ts), each access acting for the CPU that made it (`me`):
 *
 * - GICH_* (§5.3, the virtual interface control registers, 4 KiB): the hypervisor on pCPU c
 *   programs c's list registers with `bus.write(GICH + offset, 4, value, c)`.
 * - GICV_* (§5.4, the virtual CPU interface, 8 KiB with GICV_DIR at +0x1000): the GICC_* layout;
 *   the hypervisor maps the frame into each VM at the VM's GICC address, so a guest's access
 *   from pCPU c reaches c's list registers.
 *
 * Values as QEMU's GICv2 with virtualization: GICH_VTR = 0x90000003 (ListRegs - 1 = 3, PREbits
 * and PRIbits 5 - 1), one GICV_APR (32 preemption levels), GICV_NSAPR RAZ/WI, GICV_IIDR as
 * GICC_IIDR.
 */
import type { RegSpec } from '../../core/regs.ts'
import { view } from './common.ts'
import { CTLR_ACK_CTL, SPURIOUS, SPURIOUS_GROUP1 } from './gic.ts'
import { LIST_REGS, VIRT_PRIORITY_BITS } from './list-registers.ts'
import { MIN_VBPR0, MIN_VBPR1, type VirtualInterface } from './vgic.ts'

export const GICH_SIZE = 0x1000
export const GICV_SIZE = 0x2000
/** ListRegs [5:0], PREbits [28:26], PRIbits [31:29] */
export const GICH_VTR = ((LIST_REGS - 1) | ((VIRT_PRIORITY_BITS - 1) << 26) | ((VIRT_PRIORITY_BITS - 1) << 29)) >>> 0
const GICV_IIDR = 0x0002_043b
/** GICV_CTLR: EnableGrp0, EnableGrp1, AckCtl, FIQEn, CBPR, EOImode */
const GICV_CTLR_MASK = 0x21f

type Me = (cpu: number) => number

/** IHI 0048B §5.3: the virtual interface control registers of the accessing CPU */
export function gichRegisters(v: VirtualInterface, me: Me): RegSpec[] {
  const word = (name: string, offset: number, read: (cpu: number, i: number) => number, count?: number) =>
    view({ name, offset, count, read: (_, i, cpu) => read(me(cpu), i) })
  return [
    view({ name: 'GICH_HCR', offset: 0x00, read: (_, _i, cpu) => v.hcr[me(cpu)]!, write: (_v, _o, x, _i, cpu) => v.setHcr(me(cpu), x) }),
    word('GICH_VTR', 0x04, () => GICH_VTR),
    view({ name: 'GICH_VMCR', offset: 0x08, read: (_, _i, cpu) => v.vmcr[me(cpu)]!, write: (_v, _o, x, _i, cpu) => v.setVmcr(me(cpu), x) }),
    word('GICH_MISR', 0x10, (cpu) => v.misr(cpu)),
    // EISR1/ELRSR1 name LRs 32..63, which do not exist
    word('GICH_EISR', 0x20, (cpu, i) => (i ? 0 : v.eisr(cpu)), 2),
    word('GICH_ELRSR', 0x30, (cpu, i) => (i ? 0 : v.elrsr(cpu)), 2),
    view({ name: 'GICH_APR', offset: 0xf0, read: (_, _i, cpu) => v.apr0[me(cpu)]!, write: (_v, _o, x, _i, cpu) => v.setApr(me(cpu), 0, x) }),
    // GICH_LR0..63: the ones past ListRegs are RAZ/WI
    view({
      name: 'GICH_LR', offset: 0x100, count: 64, read: (_, n, cpu) => (n < LIST_REGS ? Number(v.lr(me(cpu), n)) : 0),
      write: (_v, _o, x, n, cpu) => { if (n < LIST_REGS) v.setLr(me(cpu), n, BigInt(x)) },
    }),
  ]
}

/**
 * GICV_IAR (`alias`: GICV_AIAR, group 1 only): the highest pending LR if it may be signalled,
 * with an SGI's CPUID in bits 12:10; 1023 when there is none; 1022 for a group 1 interrupt read
 * through GICV_IAR with AckCtl clear (as the physical GICC_IAR, gicv2.ts).
 */
function acknowledge(v: VirtualInterface, cpu: number, alias: boolean): number {
  const k = v.highestPending(cpu)
  if (!v.canSignal(cpu, k)) return SPURIOUS
  const g = v.lrs.group(k)
  if (alias && g !== 1) return SPURIOUS
  if (!alias && g === 1 && !(v.control(cpu) & CTLR_ACK_CTL)) return SPURIOUS_GROUP1
  return v.take(cpu, k)
}

/** GICV_HPPIR / GICV_AHPPIR: the highest pending LR without taking it (no priority-mask test, as GICC_HPPIR here) */
function highestPending(v: VirtualInterface, cpu: number, alias: boolean): number {
  const k = v.highestPending(cpu)
  if (k < 0) return SPURIOUS
  const g = v.lrs.group(k)
  if (alias && g !== 1) return SPURIOUS
  if (!alias && g === 1 && !(v.control(cpu) & CTLR_ACK_CTL)) return SPURIOUS_GROUP1
  return (v.lrs.virtualId(k) | (v.lrs.source(k) << 10)) >>> 0
}

/** IHI 0048B §5.4: the virtual CPU interface, the GICC_* layout, of the accessing CPU */
export function gicvRegisters(v: VirtualInterface, me: Me): RegSpec[] {
  // GICV_EOIR/AEOIR/DIR: INTID [9:0], an SGI's source CPUID [12:10]
  const eoi = (x: number, cpu: number) => v.endOfInterrupt(me(cpu), x & 0x3ff, (x >>> 10) & 7, -1)
  return [
    view({ name: 'GICV_CTLR', offset: 0x00, read: (_, _i, cpu) => v.control(me(cpu)), write: (_v, _o, x, _i, cpu) => v.setControl(me(cpu), GICV_CTLR_MASK, x) }),
    view({ name: 'GICV_PMR', offset: 0x04, read: (_, _i, cpu) => v.pmr(me(cpu)), write: (_v, _o, x, _i, cpu) => v.setPmr(me(cpu), x) }),
    view({ name: 'GICV_BPR', offset: 0x08, read: (_, _i, cpu) => v.bpr(me(cpu), 0), write: (_v, _o, x, _i, cpu) => v.setBpr(me(cpu), 0, Math.max(x & 7, MIN_VBPR0)) }),
    view({ name: 'GICV_IAR', offset: 0x0c, read: (_, _i, cpu) => acknowledge(v, me(cpu), false) }),
    view({ name: 'GICV_EOIR', offset: 0x10, write: (_v, _o, x, _i, cpu) => eoi(x, cpu) }),
    view({ name: 'GICV_RPR', offset: 0x14, read: (_, _i, cpu) => Math.min(v.runningPriority(me(cpu)), 0xff) }),
    view({ name: 'GICV_HPPIR', offset: 0x18, read: (_, _i, cpu) => highestPending(v, me(cpu), false) }),
    view({ name: 'GICV_ABPR', offset: 0x1c, read: (_, _i, cpu) => v.bpr(me(cpu), 1), write: (_v, _o, x, _i, cpu) => v.setBpr(me(cpu), 1, Math.max(x & 7, MIN_VBPR1)) }),
    view({ name: 'GICV_AIAR', offset: 0x20, read: (_, _i, cpu) => acknowledge(v, me(cpu), true) }),
    view({ name: 'GICV_AEOIR', offset: 0x24, write: (_v, _o, x, _i, cpu) => eoi(x, cpu) }),
    view({ name: 'GICV_AHPPIR', offset: 0x28, read: (_, _i, cpu) => highestPending(v, me(cpu), true) }),
    // GICV_APR0 is GICH_APR; APR1..3 (more preemption levels than 32) RAZ/WI
    view({
      name: 'GICV_APR', offset: 0xd0, count: 4, read: (_, n, cpu) => (n ? 0 : v.apr0[me(cpu)]!),
      write: (_v, _o, x, n, cpu) => { if (!n) v.setApr(me(cpu), 0, x) },
    }),
    view({ name: 'GICV_IIDR', offset: 0xfc, read: () => GICV_IIDR }),
    view({ name: 'GICV_DIR', offset: 0x1000, write: (_v, _o, x, _i, cpu) => v.deactivate(me(cpu), x & 0x3ff, (x >>> 10) & 7) }),
  ]
}
