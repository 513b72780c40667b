/* gicv3: QEMU virt's GICv3 (-M virt,gic-version=3; ARM IHI 0069) as bare-metal software at EL1
 * brings it up: the system register interface (ICC_SRE_EL1), the distributor with affinity
 * routing (GICD_CTLR.ARE, GICD_TYPER, GICD_PIDR2.ArchRev), this CPU's redistributor found by
 * its GICR_TYPER affinity and woken through GICR_WAKER (IHI 0069 §11.1 "power management"),
 * the CPU interface's priority mask and group enable (ICC_PMR_EL1, ICC_IGRPEN1_EL1); then
 * interrupts of group 1, acknowledged with ICC_IAR1_EL1 and ended with ICC_EOIR1_EL1: an SGI to
 * self through ICC_SGI1R_EL1 (target list, IRM, a target no CPU has), priorities and the
 * running priority (ICC_RPR_EL1), the virtual timer's PPI 27 enabled in the redistributor and
 * taken by the IRQ vector out of WFI, and an SPI routed with GICD_IROUTER, made pending through
 * GICD_ISPENDR, taken by the vector, and ended with EOImode = 1 (ICC_EOIR1_EL1 drops the
 * priority, ICC_DIR_EL1 deactivates). Single CPU (-smp 1); nothing printed depends on timing or
 * on how many priority bits the CPU interface implements. */
#include "rt.h"

#define GICD       0x08000000UL
#define GICR0      0x080a0000UL   /* the first redistributor: RD_base, then SGI_base at +64 KiB */
#define GICR_STRIDE 0x20000UL
#define SGI_BASE   0x10000UL

#define GICD_CTLR          0x0000
#define GICD_TYPER         0x0004
#define GICD_IIDR          0x0008
#define GICD_IGROUPR(n)    (0x0080 + 4 * (n))
#define GICD_ISENABLER(n)  (0x0100 + 4 * (n))
#define GICD_ICENABLER(n)  (0x0180 + 4 * (n))
#define GICD_ISPENDR(n)    (0x0200 + 4 * (n))
#define GICD_ICPENDR(n)    (0x0280 + 4 * (n))
#define GICD_ISACTIVER(n)  (0x0300 + 4 * (n))
#define GICD_IPRIORITYR    0x0400   /* one byte per interrupt */
#define GICD_IROUTER(n)    (0x6000 + 8 * (n))
#define GICD_PIDR2         0xffe8

#define CTLR_ENABLE_GRP0   (1u << 0)
#define CTLR_ENABLE_GRP1   (1u << 1)
#define CTLR_ARE           (1u << 4)
#define CTLR_RWP           (1u << 31)

#define GICR_TYPER         0x0008
#define GICR_WAKER         0x0014
#define GICR_PIDR2         0xffe8
#define WAKER_PROCESSOR_SLEEP (1u << 1)
#define WAKER_CHILDREN_ASLEEP (1u << 2)
#define TYPER_LAST         (1u << 4)

/* SGI_base frame: the private interrupts' registers, laid out as the distributor's */
#define GICR_IGROUPR0      0x0080
#define GICR_ISENABLER0    0x0100
#define GICR_ICENABLER0    0x0180
#define GICR_ISPENDR0      0x0200
#define GICR_ICPENDR0      0x0280
#define GICR_ISACTIVER0    0x0300
#define GICR_ICACTIVER0    0x0380
#define GICR_IPRIORITYR    0x0400
#define GICR_ICFGR1        0x0c04

#define SPURIOUS 1023
#define SPI      100   /* no device drives it on QEMU virt */

#define D32(off)  MMIO32(GICD + (off))
#define D8(off)   MMIO8(GICD + (off))
#define D64(off)  MMIO64(GICD + (off))

static u64 rd;   /* this CPU's redistributor (RD_base) */
#define R32(off)  MMIO32(rd + (off))
#define R64(off)  MMIO64(rd + (off))
#define S32(off)  MMIO32(rd + SGI_BASE + (off))
#define S8(off)   MMIO8(rd + SGI_BASE + (off))

static u32 iar1(void) { return (u32)read_sysreg(icc_iar1_el1); }
static void eoir1(u32 v) { write_sysreg(icc_eoir1_el1, v); isb(); }
static u32 hppir1(void) { return (u32)read_sysreg(icc_hppir1_el1); }
static u32 rpr(void) { return (u32)read_sysreg(icc_rpr_el1); }
static u32 ppi_pending(u32 id) { return (S32(GICR_ISPENDR0) >> id) & 1; }
static u32 ppi_active(u32 id) { return (S32(GICR_ISACTIVER0) >> id) & 1; }
static u32 spi_pending(u32 id) { return (D32(GICD_ISPENDR(id / 32)) >> (id % 32)) & 1; }
static u32 spi_active(u32 id) { return (D32(GICD_ISACTIVER(id / 32)) >> (id % 32)) & 1; }

/* MPIDR_EL1's affinity as GICR_TYPER[63:32] and GICD_IROUTER pack it: Aff3.Aff2.Aff1.Aff0 */
static u32 my_affinity(void)
{
  u64 m = read_sysreg(mpidr_el1);
  return (u32)(((m >> 32) & 0xff) << 24) | (u32)(m & 0xffffff);
}

/* ICC_SGI1R_EL1 for SGI `id` to the CPUs of this CPU's Aff3.Aff2.Aff1 named by `list` (Aff0 bits) */
static u64 sgi1r(u32 id, u32 list)
{
  u64 m = read_sysreg(mpidr_el1);
  return ((u64)id << 24) | (((m >> 8) & 0xff) << 16) | (((m >> 16) & 0xff) << 32) | (((m >> 32) & 0xff) << 48) | list;
}

static void sgi_self(u32 id)
{
  write_sysreg(icc_sgi1r_el1, sgi1r(id, 1u << (read_sysreg(mpidr_el1) & 0xf)));
  isb();
}

static void wait_rwp(void)
{
  while (D32(GICD_CTLR) & CTLR_RWP)
    ;
}

static void system_registers(void)
{
  printf("ICC_SRE_EL1 = %lx\n", read_sysreg(icc_sre_el1) & 7);
  write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | 1);
  isb();
  printf("ICC_SRE_EL1 after setting SRE = %lx (SRE %lu)\n", read_sysreg(icc_sre_el1) & 7, read_sysreg(icc_sre_el1) & 1);
}

static void distributor(void)
{
  u32 typer = D32(GICD_TYPER);
  /* (IDbits and LPIS are left out: they say whether QEMU's ITS and LPIs are there) */
  printf("GICD_TYPER: ITLinesNumber %u (%u INTIDs), CPUNumber %u, No1N %u\n", typer & 0x1f,
         32 * ((typer & 0x1f) + 1), (typer >> 5) & 7, (typer >> 25) & 1);
  printf("GICD_IIDR = %08x, GICD_PIDR2.ArchRev = %u\n", D32(GICD_IIDR), (D32(GICD_PIDR2) >> 4) & 0xf);
  D32(GICD_CTLR) = 0;
  wait_rwp();
  /* every SPI group 1 (Linux's choice: a single Security state has group 0 as FIQ) */
  for (u32 n = 1; n < ((typer & 0x1f) + 1); n++)
    D32(GICD_IGROUPR(n)) = 0xffffffff;
  D32(GICD_CTLR) = CTLR_ARE | CTLR_ENABLE_GRP1;
  wait_rwp();
  printf("GICD_CTLR after enabling group 1 with ARE = %08x\n", D32(GICD_CTLR));
  /* with affinity routing, the distributor's registers of INTIDs 0..31 are RAZ/WI */
  D32(GICD_ISENABLER(0)) = 0xffffffff;
  printf("GICD_ISENABLER0 after writing ones (RAZ/WI) = %08x\n", D32(GICD_ISENABLER(0)));
}

/* IHI 0069 §9.6: walk the redistributors until one's affinity is ours (GICR_TYPER.Last ends the walk) */
static void redistributor(void)
{
  u32 me = my_affinity(), n = 0;
  for (u64 r = GICR0;; r += GICR_STRIDE, n++) {
    u64 t = MMIO64(r + GICR_TYPER);
    if ((u32)(t >> 32) == me) {
      rd = r;
      break;
    }
    if (t & TYPER_LAST) {
      printf("no redistributor for affinity %08x\n", me);
      finish("gicv3");
    }
  }
  u64 t = R64(GICR_TYPER);
  printf("redistributor %u: GICR_TYPER Affinity %08x, Processor_Number %u, Last %u\n", n, (u32)(t >> 32),
         (u32)(t >> 8) & 0xffff, (u32)(t >> 4) & 1);
  /* (GICR_CTLR is left out: its bits are about LPIs, which QEMU's ITS brings) */
  printf("GICR_PIDR2.ArchRev = %u\n", (R32(GICR_PIDR2) >> 4) & 0xf);
  printf("GICR_WAKER at reset = %08x\n", R32(GICR_WAKER));
  R32(GICR_WAKER) = R32(GICR_WAKER) & ~WAKER_PROCESSOR_SLEEP;
  while (R32(GICR_WAKER) & WAKER_CHILDREN_ASLEEP)
    ;
  printf("GICR_WAKER after waking = %08x\n", R32(GICR_WAKER));
  /* the private interrupts: group 1, disabled, nothing pending or active */
  S32(GICR_IGROUPR0) = 0xffffffff;
  S32(GICR_ICENABLER0) = 0xffffffff;
  S32(GICR_ICPENDR0) = 0xffffffff;
  S32(GICR_ICACTIVER0) = 0xffffffff;
  printf("GICR_IGROUPR0 = %08x, GICR_ICFGR1 (PPIs) = %08x\n", S32(GICR_IGROUPR0), S32(GICR_ICFGR1));
}

static void cpu_interface(void)
{
  write_sysreg(icc_pmr_el1, 0xf0);
  write_sysreg(icc_ctlr_el1, 0);   /* EOImode 0: EOIR1 deactivates */
  write_sysreg(icc_igrpen1_el1, 1);
  isb();
  printf("ICC_PMR_EL1 = %02lx, ICC_IGRPEN1_EL1 = %lu, EOImode %lu\n", read_sysreg(icc_pmr_el1),
         read_sysreg(icc_igrpen1_el1), (read_sysreg(icc_ctlr_el1) >> 1) & 1);
  printf("ICC_IAR1_EL1 with nothing pending = %u, ICC_RPR_EL1 = %02x\n", iar1() & 0xffffff, rpr());
}

/* IRQs masked (PSTATE.I): everything here polls ICC_IAR1_EL1 */
static void sgis(void)
{
  for (u32 i = 0; i < 16; i++)
    S8(GICR_IPRIORITYR + i) = 0x80;
  S32(GICR_ISENABLER0) = 0xffff;
  sgi_self(5);
  printf("SGI 5 to self: pending %u, ICC_HPPIR1_EL1 %u\n", ppi_pending(5), hppir1());
  u32 v = iar1();
  printf("  ICC_IAR1_EL1 = %u; pending %u, active %u, RPR %02x\n", v, ppi_pending(5), ppi_active(5), rpr());
  eoir1(v);
  printf("  after ICC_EOIR1_EL1: active %u, RPR %02x\n", ppi_active(5), rpr());
  /* IRM = 1: every CPU but this one (there is none) */
  write_sysreg(icc_sgi1r_el1, (6ul << 24) | (1ul << 40));
  isb();
  printf("SGI 6 with IRM (all but self): pending here %u, IAR %u\n", ppi_pending(6), iar1());
  /* a target list naming Aff0 = 1, which no CPU has */
  write_sysreg(icc_sgi1r_el1, sgi1r(7, 1u << 1));
  isb();
  printf("SGI 7 to Aff0 1 (no such CPU): pending here %u, IAR %u\n", ppi_pending(7), iar1());
  /* a disabled SGI stays pending and is not signalled */
  S32(GICR_ICENABLER0) = 1u << 8;
  sgi_self(8);
  printf("SGI 8 while disabled: pending %u, HPPIR %u\n", ppi_pending(8), hppir1());
  S32(GICR_ISENABLER0) = 1u << 8;
  v = iar1();
  eoir1(v);
  printf("  enabled: IAR %u, then IAR %u\n", v, iar1());
}

static void priorities(void)
{
  S8(GICR_IPRIORITYR + 1) = 0x80;
  S8(GICR_IPRIORITYR + 2) = 0x40;
  S8(GICR_IPRIORITYR + 9) = 0x40;
  sgi_self(1);
  sgi_self(9);
  sgi_self(2);
  u32 a = iar1();
  printf("SGIs 1 (0x80), 9 (0x40), 2 (0x40) pending: first %u, RPR %02x\n", a, rpr());
  printf("  IAR while %u is active: %u\n", a, iar1());
  eoir1(a);
  u32 b = iar1();
  printf("  after EOI: %u, RPR %02x\n", b, rpr());
  eoir1(b);
  u32 c = iar1();
  printf("  then: %u, RPR %02x\n", c, rpr());
  eoir1(c);
  printf("  then: %u, RPR %02x (idle)\n", iar1(), rpr());
  /* a higher priority preempts an active one */
  sgi_self(1);
  a = iar1();
  sgi_self(2);
  b = iar1();
  printf("SGI 2 (0x40) while 1 (0x80) is active: IAR %u, RPR %02x\n", b, rpr());
  eoir1(b);
  printf("  after EOI of 2: RPR %02x\n", rpr());
  eoir1(a);
  printf("  after EOI of 1: RPR %02x\n", rpr());
  /* the priority mask: only priorities strictly higher (lower values) than PMR are signalled */
  write_sysreg(icc_pmr_el1, 0x80);
  isb();
  sgi_self(1);
  printf("PMR 0x80, SGI 1 at 0x80 pending: IAR %u\n", iar1());
  write_sysreg(icc_pmr_el1, 0xf0);
  isb();
  a = iar1();
  printf("PMR 0xf0: IAR %u\n", a);
  eoir1(a);
}

static volatile u32 taken[8];
static volatile u32 ntaken;
static volatile u32 eoi_mode;

static RT_HANDLER int irq(struct frame *f)
{
  (void)f;
  u32 v = (u32)read_sysreg(icc_iar1_el1);
  if (ntaken < 8)
    taken[ntaken++] = v;
  if (v == 27) {
    /* the tick is served: mask the timer before ending the interrupt (its level would pend it again) */
    write_sysreg(cntv_ctl_el0, 3);
    isb();
  }
  if (v < 1020) {
    write_sysreg(icc_eoir1_el1, v);
    if (eoi_mode)
      write_sysreg(icc_dir_el1, v);
    isb();
  }
  return 1;
}

static void show_taken(const char *what)
{
  printf("%s: %u taken:", what, ntaken);
  for (u32 i = 0; i < ntaken; i++)
    printf(" %u", taken[i]);
  nl();
  ntaken = 0;
}

static void take_irqs(const char *what)
{
  irq_enable();
  isb();
  for (volatile int i = 0; i < 100; i++)
    ;
  irq_disable();
  show_taken(what);
}

static void vector(void)
{
  irq_hook = irq;
  sgi_self(3);
  take_irqs("SGI 3 to self with PSTATE.I clear");
}

/* the virtual timer's PPI 27 through this CPU's redistributor, out of WFI */
static void vtimer(void)
{
  S8(GICR_IPRIORITYR + 27) = 0xa0;
  S32(GICR_ISENABLER0) = 1u << 27;
  printf("PPI 27: enabled %u, ICFGR1 field %u (level)\n", (S32(GICR_ISENABLER0) >> 27) & 1, (S32(GICR_ICFGR1) >> 22) & 3);
  write_sysreg(cntv_tval_el0, 1000);
  write_sysreg(cntv_ctl_el0, 1);
  isb();
  for (;;) {
    irq_disable();
    if (ntaken)
      break;
    __asm__ volatile("wfi");
    irq_enable();
    isb();
  }
  irq_disable();
  show_taken("virtual timer (CNTV) after WFI");
  printf("  CNTV_CTL_EL0 = %lx (ISTATUS, IMASK, ENABLE), PPI 27 pending %u, active %u\n", read_sysreg(cntv_ctl_el0) & 7,
         ppi_pending(27), ppi_active(27));
  write_sysreg(cntv_ctl_el0, 0);
  isb();
  printf("  timer off: PPI 27 pending %u\n", ppi_pending(27));
}

/* an SPI routed to this CPU, made pending by software; EOImode 1 */
static void spi(void)
{
  u32 typer = D32(GICD_TYPER);
  if (SPI >= 32 * ((typer & 0x1f) + 1)) {
    printf("SPI %u not implemented\n", SPI);
    return;
  }
  D8(GICD_IPRIORITYR + SPI) = 0xa0;
  D64(GICD_IROUTER(SPI)) = my_affinity() & 0xffffff;
  printf("SPI %u: GICD_IROUTER = %016lx, group %u\n", SPI, D64(GICD_IROUTER(SPI)), (D32(GICD_IGROUPR(SPI / 32)) >> (SPI % 32)) & 1);
  D32(GICD_ICENABLER(SPI / 32)) = 1u << (SPI % 32);
  D32(GICD_ISPENDR(SPI / 32)) = 1u << (SPI % 32);
  printf("SPI %u pending while disabled: pending %u, HPPIR %u\n", SPI, spi_pending(SPI), hppir1());
  take_irqs("  with PSTATE.I clear");
  D32(GICD_ISENABLER(SPI / 32)) = 1u << (SPI % 32);
  take_irqs("  after enabling it");
  printf("  pending %u, active %u after the handler\n", spi_pending(SPI), spi_active(SPI));
  /* EOImode 1: ICC_EOIR1_EL1 only drops the priority, ICC_DIR_EL1 deactivates */
  write_sysreg(icc_ctlr_el1, 2);
  isb();
  D32(GICD_ISPENDR(SPI / 32)) = 1u << (SPI % 32);
  u32 v = iar1();
  eoir1(v);
  printf("EOImode 1: SPI %u after ICC_EOIR1_EL1: active %u, RPR %02x\n", v, spi_active(SPI), rpr());
  write_sysreg(icc_dir_el1, v);
  isb();
  printf("  after ICC_DIR_EL1: active %u\n", spi_active(SPI));
  /* the vector with EOImode 1: the handler ends it with EOIR1 and DIR */
  eoi_mode = 1;
  D32(GICD_ISPENDR(SPI / 32)) = 1u << (SPI % 32);
  sgi_self(4);
  take_irqs("SPI (0xa0) and SGI 4 (0x80), EOImode 1");
  printf("  SPI active %u, SGI 4 active %u\n", spi_active(SPI), ppi_active(4));
  eoi_mode = 0;
  write_sysreg(icc_ctlr_el1, 0);
  /* group 1 disabled at the CPU interface: nothing is signalled */
  write_sysreg(icc_igrpen1_el1, 0);
  isb();
  sgi_self(5);
  take_irqs("ICC_IGRPEN1_EL1 = 0");
  write_sysreg(icc_igrpen1_el1, 1);
  isb();
  take_irqs("ICC_IGRPEN1_EL1 = 1 again");
  irq_hook = 0;
}

int main(void)
{
  print("gicv3\n");
  system_registers();
  distributor();
  redistributor();
  cpu_interface();
  sgis();
  priorities();
  vector();
  vtimer();
  spi();
  printf("ICC_IAR1_EL1 at the end = %u\n", iar1());
  finish("gicv3");
}
