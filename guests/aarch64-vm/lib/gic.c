/* The GICv2 as a guest sees it (ARM IHI 0048B ch. 4): the distributor and the CPU interface at
 * the addresses the device tree gives (under baobab: the vGIC distributor the hypervisor emulates
 * at the VM's arch.gic.gicdAddr and the GICV frame mapped at its giccAddr, reference §9). Every
 * interrupt stays Group 0, signalled as IRQ (GICC_CTLR.FIQEn = 0); GICC_CTLR.EOImode = 0, so an
 * EOIR write both drops the priority and deactivates (for a hardware-linked interrupt, the
 * physical one too). */
#include "vm.h"

#define GICD_CTLR        0x000
#define GICD_ISENABLER   0x100
#define GICD_ICENABLER   0x180
#define GICD_IPRIORITYR  0x400   /* one byte per interrupt */
#define GICD_ITARGETSR   0x800   /* one byte per interrupt; bytes 0..31 read this CPU's own mask */
#define GICD_SGIR        0xf00
#define GICC_CTLR        0x00
#define GICC_PMR         0x04
#define GICC_BPR         0x08
#define GICC_IAR         0x0c
#define GICC_EOIR        0x10

static u64 gicd, gicc;

void gic_init(u64 d, u64 c)
{
  gicd = d;
  gicc = c;
  MMIO32(gicd + GICD_CTLR) = 1;    /* forwarding on (idempotent: every CPU may write it) */
  MMIO32(gicc + GICC_PMR) = 0xff;  /* every priority passes */
  MMIO32(gicc + GICC_BPR) = 0;
  MMIO32(gicc + GICC_CTLR) = 1;    /* this CPU's interface on */
}

void gic_enable(u32 id, u8 prio)
{
  MMIO8(gicd + GICD_IPRIORITYR + id) = prio;
  if (id >= 32)                    /* SPIs: to this CPU; SGIs/PPIs are banked, always ours */
    MMIO8(gicd + GICD_ITARGETSR + id) = MMIO8(gicd + GICD_ITARGETSR);
  MMIO32(gicd + GICD_ISENABLER + 4 * (id / 32)) = 1u << (id % 32);
}

void gic_disable(u32 id)
{
  MMIO32(gicd + GICD_ICENABLER + 4 * (id / 32)) = 1u << (id % 32);
}

u32 gic_ack(void) { return MMIO32(gicc + GICC_IAR); }

void gic_eoi(u32 iar) { MMIO32(gicc + GICC_EOIR) = iar; }

/* GICD_SGIR: TargetListFilter 0 (the list), CPUTargetList = that CPU interface, SGI id */
void gic_sgi(u32 cpu, u32 sgi)
{
  fence();
  MMIO32(gicd + GICD_SGIR) = (1u << (16 + cpu)) | (sgi & 15);
}
