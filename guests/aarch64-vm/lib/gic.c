/* The GIC as a guest sees it, version 2 or 3 as the device tree says (under baobab: the vGIC the
 * hypervisor emulates at the VM's arch.gic addresses, reference §9).
 *
 * GICv2 (ARM IHI 0048B ch. 4): the distributor and the CPU interface at the device tree's
 * addresses (the GICV frame mapped at the VM's giccAddr). Every interrupt stays Group 0,
 * signalled as IRQ (GICC_CTLR.FIQEn = 0); GICC_CTLR.EOImode = 0, so an EOIR write both drops the
 * priority and deactivates (for a hardware-linked interrupt, the physical one too).
 *
 * GICv3 (ARM IHI 0069): affinity routing (GICD_CTLR.ARE), each CPU's redistributor found by its
 * GICR_TYPER affinity (§9.6) and woken (GICR_WAKER, §11.1), its SGIs and PPIs programmed there;
 * the CPU interface is the system registers (ICC_*_EL1; under baobab the ICV_ ones). Every
 * interrupt is Group 1 (as Linux has them with one Security state), acknowledged with
 * ICC_IAR1_EL1 and ended with ICC_EOIR1_EL1 (ICC_CTLR_EL1.EOImode = 0: drop and deactivate). The
 * 64-bit registers (GICR_TYPER, GICD_IROUTER) are accessed a word at a time, as the GICv3 allows. */
#include "vm.h"

#define GICD_CTLR        0x000
#define GICD_IGROUPR     0x080
#define GICD_ISENABLER   0x100
#define GICD_ICENABLER   0x180
#define GICD_IPRIORITYR  0x400   /* one byte per interrupt */
#define GICD_ITARGETSR   0x800   /* v2: one byte per interrupt; bytes 0..31 read this CPU's own mask */
#define GICD_SGIR        0xf00   /* v2 */
#define GICD_IROUTER     0x6000  /* v3: 8 bytes per interrupt */
#define GICC_CTLR        0x00
#define GICC_PMR         0x04
#define GICC_BPR         0x08
#define GICC_IAR         0x0c
#define GICC_EOIR        0x10

#define CTLR_ENABLE_GRP1 (1u << 1)   /* v3 */
#define CTLR_ARE         (1u << 4)
#define CTLR_RWP         (1u << 31)

#define GICR_FRAME       0x20000UL   /* RD_base, then SGI_base at +64 KiB */
#define GICR_SGI_BASE    0x10000UL
#define GICR_TYPER       0x0008      /* [63:32] Affinity, [4] Last */
#define GICR_WAKER       0x0014      /* [1] ProcessorSleep, [2] ChildrenAsleep */
#define TYPER_LAST       (1u << 4)
#define WAKER_PROCESSOR_SLEEP (1u << 1)
#define WAKER_CHILDREN_ASLEEP (1u << 2)

static int v3;
static u64 gicd, gicc;                /* v2: the CPU interface; v3: the first redistributor */
static u64 rd[MAX_CPUS];              /* v3: each CPU's redistributor (RD_base) */

/* this CPU's affinity as GICR_TYPER[63:32] and GICD_IROUTER pack it: Aff3.Aff2.Aff1.Aff0 */
static u32 affinity(void)
{
  u64 m = read_sysreg(mpidr_el1);
  return (u32)(((m >> 32) & 0xff) << 24) | (u32)(m & 0xffffff);
}

static void v3_cpu_init(void)
{
  u64 c = cpu_id();
  u32 me = affinity();
  for (u64 r = gicc;; r += GICR_FRAME) {
    if (MMIO32(r + GICR_TYPER + 4) == me) {
      if (c < MAX_CPUS)
        rd[c] = r;
      break;
    }
    if (MMIO32(r + GICR_TYPER) & TYPER_LAST)
      return;                         /* no redistributor: this CPU takes no interrupts */
  }
  u64 r = rd[c];
  MMIO32(r + GICR_WAKER) = MMIO32(r + GICR_WAKER) & ~WAKER_PROCESSOR_SLEEP;
  while (MMIO32(r + GICR_WAKER) & WAKER_CHILDREN_ASLEEP)
    ;
  MMIO32(r + GICR_SGI_BASE + GICD_IGROUPR) = 0xffffffff;   /* its SGIs and PPIs: Group 1 */
  if (!(read_sysreg(icc_sre_el1) & 1)) {                    /* the system register interface */
    write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | 1);
    isb();
  }
  write_sysreg(icc_pmr_el1, 0xff);    /* every priority passes */
  write_sysreg(icc_bpr1_el1, 0);
  write_sysreg(icc_igrpen1_el1, 1);
  isb();
}

void gic_init(int version, u64 d, u64 c)
{
  v3 = version == 3;
  gicd = d;
  gicc = c;
  if (v3) {
    /* affinity routing, Group 1 forwarded (idempotent: every CPU may write it) */
    MMIO32(gicd + GICD_CTLR) = CTLR_ARE | CTLR_ENABLE_GRP1;
    while (MMIO32(gicd + GICD_CTLR) & CTLR_RWP)
      ;
    v3_cpu_init();
    return;
  }
  MMIO32(gicd + GICD_CTLR) = 1;    /* forwarding on (idempotent: every CPU may write it) */
  MMIO32(gicc + GICC_PMR) = 0xff;  /* every priority passes */
  MMIO32(gicc + GICC_BPR) = 0;
  MMIO32(gicc + GICC_CTLR) = 1;    /* this CPU's interface on */
}

void gic_enable(u32 id, u8 prio)
{
  u32 bit = 1u << (id % 32);
  if (v3 && id < 32) {             /* SGIs and PPIs: this CPU's redistributor */
    u64 c = cpu_id();
    u64 sgi = (c < MAX_CPUS ? rd[c] : 0) + GICR_SGI_BASE;
    if (sgi == GICR_SGI_BASE)
      return;
    MMIO8(sgi + GICD_IPRIORITYR + id) = prio;
    MMIO32(sgi + GICD_ISENABLER) = bit;
    return;
  }
  MMIO8(gicd + GICD_IPRIORITYR + id) = prio;
  if (v3) {                        /* SPIs: Group 1, routed to this CPU (IRM 0) */
    MMIO32(gicd + GICD_IGROUPR + 4 * (id / 32)) = MMIO32(gicd + GICD_IGROUPR + 4 * (id / 32)) | bit;
    u32 aff = affinity();
    MMIO32(gicd + GICD_IROUTER + 8 * id) = aff & 0xffffff;
    MMIO32(gicd + GICD_IROUTER + 8 * id + 4) = aff >> 24;
  } else if (id >= 32)             /* SPIs: to this CPU; SGIs/PPIs are banked, always ours */
    MMIO8(gicd + GICD_ITARGETSR + id) = MMIO8(gicd + GICD_ITARGETSR);
  MMIO32(gicd + GICD_ISENABLER + 4 * (id / 32)) = bit;
}

void gic_disable(u32 id)
{
  u64 c = cpu_id();
  if (v3 && id < 32) {
    if (c < MAX_CPUS && rd[c])
      MMIO32(rd[c] + GICR_SGI_BASE + GICD_ICENABLER) = 1u << id;
    return;
  }
  MMIO32(gicd + GICD_ICENABLER + 4 * (id / 32)) = 1u << (id % 32);
}

u32 gic_ack(void)
{
  if (v3) {
    return (u32)read_sysreg(icc_iar1_el1);
  }
  return MMIO32(gicc + GICC_IAR);
}

void gic_eoi(u32 iar)
{
  if (v3) {
    write_sysreg(icc_eoir1_el1, iar);
    isb();
    return;
  }
  MMIO32(gicc + GICC_EOIR) = iar;
}

/* v2: GICD_SGIR, TargetListFilter 0 (the list), CPUTargetList = that CPU interface, SGI id;
 * v3: ICC_SGI1R_EL1, INTID [27:24], Aff3.Aff2.Aff1 = 0, RS = Aff0 / 16, TargetList bit Aff0 % 16 */
void gic_sgi(u32 cpu, u32 sgi)
{
  fence();
  if (v3) {
    write_sysreg(icc_sgi1r_el1, ((u64)(sgi & 15) << 24) | ((u64)(cpu / 16) << 44) | (1u << (cpu % 16)));
    isb();
    return;
  }
  MMIO32(gicd + GICD_SGIR) = (1u << (16 + cpu)) | (sgi & 15);
}
