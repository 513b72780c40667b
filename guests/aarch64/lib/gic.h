/* GICv2 register map (ARM IHI 0048B, chapter 4) as the aarch64 test guests use it: the
 * distributor at GICD_BASE, the CPU interface at GICC_BASE (QEMU virt, gic-version=2, no
 * security extensions: every interrupt is Group 0 and signalled as IRQ). */
#ifndef GIC_H
#define GIC_H
#include "rt.h"

#define GICD_CTLR        0x000
#define GICD_TYPER       0x004
#define GICD_IIDR        0x008
#define GICD_IGROUPR(n)  (0x080 + 4 * (n))
#define GICD_ISENABLER(n) (0x100 + 4 * (n))
#define GICD_ICENABLER(n) (0x180 + 4 * (n))
#define GICD_ISPENDR(n)  (0x200 + 4 * (n))
#define GICD_ICPENDR(n)  (0x280 + 4 * (n))
#define GICD_ISACTIVER(n) (0x300 + 4 * (n))
#define GICD_ICACTIVER(n) (0x380 + 4 * (n))
#define GICD_IPRIORITYR  0x400   /* one byte per interrupt */
#define GICD_ITARGETSR   0x800   /* one byte per interrupt */
#define GICD_ICFGR(n)    (0xc00 + 4 * (n))
#define GICD_SGIR        0xf00
#define GICD_CPENDSGIR   0xf10   /* one byte per SGI: a bit per source CPU */
#define GICD_SPENDSGIR   0xf20

#define GICC_CTLR        0x00
#define GICC_PMR         0x04
#define GICC_BPR         0x08
#define GICC_IAR         0x0c
#define GICC_EOIR        0x10
#define GICC_RPR         0x14
#define GICC_HPPIR       0x18
#define GICC_APR0        0xd0
#define GICC_IIDR        0xfc
#define GICC_DIR         0x1000

#define GIC_SPURIOUS     1023

#define GICD(off) MMIO32(GICD_BASE + (off))
#define GICC(off) MMIO32(GICC_BASE + (off))
#define GICD8(off) MMIO8(GICD_BASE + (off))

static inline void gic_enable_irq(u32 id, u8 prio)
{
  GICD8(GICD_IPRIORITYR + id) = prio;
  if (id >= 32)
    GICD8(GICD_ITARGETSR + id) = 1;   /* CPU interface 0 */
  GICD(GICD_ISENABLER(id / 32)) = 1u << (id % 32);
}

static inline void gic_disable_irq(u32 id)
{
  GICD(GICD_ICENABLER(id / 32)) = 1u << (id % 32);
}

/* distributor and CPU interface on, every priority unmasked, no preemption grouping */
static inline void gic_init(void)
{
  GICD(GICD_CTLR) = 1;
  GICC(GICC_PMR) = 0xff;
  GICC(GICC_BPR) = 0;
  GICC(GICC_CTLR) = 1;
}

#endif
