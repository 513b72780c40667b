/* gic: the GICv2 distributor and CPU interface of QEMU virt (ARM IHI 0048B: 3.2 interrupt
 * handling state machine, 3.3 priorities and preemption, 4.3 distributor registers, 4.4 CPU
 * interface registers): identification registers, implemented priority bits, SGI/PPI targets and
 * configuration, SGIs to self through GICD_SGIR (both target filters) with the source CPU in
 * GICC_IAR, pending/active state as the distributor shows it, priority order and masking with
 * GICC_PMR, the running priority (GICC_RPR) and preemption, EOI with GICC_CTLR.EOImodeNS = 0 and
 * 1 (GICC_DIR), an SPI made pending through GICD_ISPENDR and taken by the IRQ vector, disabled
 * interrupts and a disabled distributor, and the spurious id 1023. Single CPU (-smp 1). */
#include "gic.h"

#define SPI 100   /* no device drives it on QEMU virt */

static u32 iar(void) { return GICC(GICC_IAR); }
static void eoi(u32 v) { GICC(GICC_EOIR) = v; }
static u32 pending_bit(u32 id) { return (GICD(GICD_ISPENDR(id / 32)) >> (id % 32)) & 1; }
static u32 active_bit(u32 id) { return (GICD(GICD_ISACTIVER(id / 32)) >> (id % 32)) & 1; }

static void print_iar(const char *what, u32 v)
{
  printf("%s: IAR %u (id %u, source CPU %u)\n", what, v, v & 0x3ff, (v >> 10) & 7);
}

static void identification(void)
{
  u32 typer = GICD(GICD_TYPER);
  printf("GICD_TYPER = %08x: ITLinesNumber %u (%u interrupt ids), CPUNumber %u, SecurityExtn %u\n", typer,
         typer & 0x1f, 32 * ((typer & 0x1f) + 1), (typer >> 5) & 7, (typer >> 10) & 1);
  printf("GICD_IIDR = %08x, GICC_IIDR = %08x\n", GICD(GICD_IIDR), GICC(GICC_IIDR));
  /* implemented priority bits: write 0xff, read back (3.3: at least 4 bits, from the top) */
  GICD8(GICD_IPRIORITYR + 0) = 0xff;
  printf("IPRIORITYR of SGI 0 after writing 0xff = %02x\n", GICD8(GICD_IPRIORITYR + 0));
  GICD8(GICD_IPRIORITYR + 0) = 0;
  GICC(GICC_PMR) = 0xff;
  printf("GICC_PMR after writing 0xff = %02x\n", GICC(GICC_PMR));
  /* 4.3.12: in a uniprocessor implementation the ITARGETSRs are RAZ/WI */
  printf("GICD_ITARGETSR0 and 7 (one CPU: RAZ/WI) = %08x %08x\n", GICD(GICD_ITARGETSR), GICD(GICD_ITARGETSR + 28));
  printf("GICD_ICFGR0 (SGIs) = %08x, GICD_ICFGR1 (PPIs) = %08x\n", GICD(GICD_ICFGR(0)), GICD(GICD_ICFGR(1)));
  /* whether SGIs can be disabled is IMPLEMENTATION DEFINED (4.3.5) */
  printf("GICD_ISENABLER0 & 0xffff after writing 0xffff to ICENABLER0 = %08x\n",
         (GICD(GICD_ICENABLER(0)) = 0xffff, GICD(GICD_ISENABLER(0))) & 0xffff);
  printf("GICC_IAR with nothing pending = %u\n", iar() & 0x3ff);
}

/* IRQs masked at the CPU (PSTATE.I): everything below polls GICC_IAR */
static void sgis(void)
{
  for (u32 i = 0; i < 16; i++)
    gic_enable_irq(i, 0x80);
  /* TargetListFilter 2: this CPU only */
  GICD(GICD_SGIR) = (2u << 24) | 5;
  printf("SGI 5 to self: pending %u, SPENDSGIR1 byte 1 = %02x, HPPIR %u\n", pending_bit(5),
         (GICD(GICD_SPENDSGIR + 4) >> 8) & 0xff, GICC(GICC_HPPIR) & 0x3ff);
  u32 v = iar();
  print_iar("  acknowledged", v);
  printf("  after IAR: pending %u, active %u, RPR %02x\n", pending_bit(5), active_bit(5), GICC(GICC_RPR));
  eoi(v);
  printf("  after EOIR: active %u, RPR %02x\n", active_bit(5), GICC(GICC_RPR));
  /* TargetListFilter 0 with CPUTargetList = CPU 0 */
  GICD(GICD_SGIR) = (0u << 24) | (1u << 16) | 3;
  v = iar();
  print_iar("SGI 3 to target list {0}", v);
  eoi(v);
  /* TargetListFilter 1: every CPU but this one — nothing here */
  GICD(GICD_SGIR) = (1u << 24) | 4;
  printf("SGI 4 to all other CPUs: pending here %u, IAR %u\n", pending_bit(4), iar() & 0x3ff);
  /* an SGI made pending twice is taken once */
  GICD(GICD_SGIR) = (2u << 24) | 6;
  GICD(GICD_SGIR) = (2u << 24) | 6;
  v = iar();
  eoi(v);
  printf("SGI 6 sent twice: taken %u, then IAR %u\n", v & 0x3ff, iar() & 0x3ff);
  /* clearing a pending SGI through CPENDSGIR */
  GICD(GICD_SGIR) = (2u << 24) | 7;
  GICD(GICD_CPENDSGIR + 4) = 0xffu << 24;
  printf("SGI 7 cleared through CPENDSGIR: pending %u, IAR %u\n", pending_bit(7), iar() & 0x3ff);
}

static void priorities(void)
{
  /* 3.3: the highest priority (lowest value) pending interrupt first; equal priority → lowest id */
  GICD8(GICD_IPRIORITYR + 1) = 0x80;
  GICD8(GICD_IPRIORITYR + 2) = 0x40;
  GICD8(GICD_IPRIORITYR + 8) = 0x40;
  GICD(GICD_SGIR) = (2u << 24) | 1;
  GICD(GICD_SGIR) = (2u << 24) | 8;
  GICD(GICD_SGIR) = (2u << 24) | 2;
  u32 a = iar();
  printf("SGIs 1 (0x80), 8 (0x40), 2 (0x40) pending: first %u, RPR %02x\n", a & 0x3ff, GICC(GICC_RPR));
  /* while 2 is active at 0x40, equal and lower priorities do not preempt */
  u32 b = iar();
  printf("  IAR while %u is active: %u\n", a & 0x3ff, b & 0x3ff);
  eoi(a);
  b = iar();
  printf("  after EOI: %u, RPR %02x\n", b & 0x3ff, GICC(GICC_RPR));
  eoi(b);
  u32 c = iar();
  printf("  then: %u\n", c & 0x3ff);
  eoi(c);
  printf("  then: %u, RPR %02x (idle)\n", iar() & 0x3ff, GICC(GICC_RPR));
  /* a higher priority interrupt preempts an active one (BPR 0: every priority bit counts) */
  GICD(GICD_SGIR) = (2u << 24) | 1;
  a = iar();
  GICD(GICD_SGIR) = (2u << 24) | 2;
  b = iar();
  printf("SGI 2 (0x40) while 1 (0x80) is active: IAR %u, RPR %02x\n", b & 0x3ff, GICC(GICC_RPR));
  eoi(b);
  printf("  after EOI of 2: RPR %02x\n", GICC(GICC_RPR));
  eoi(a);
  printf("  after EOI of 1: RPR %02x\n", GICC(GICC_RPR));
  /* GICC_PMR: only priorities strictly higher (lower value) than the mask are signalled */
  GICC(GICC_PMR) = 0x80;
  GICD(GICD_SGIR) = (2u << 24) | 1;
  printf("PMR 0x80, SGI 1 at 0x80 pending: HPPIR %u, IAR %u\n", GICC(GICC_HPPIR) & 0x3ff, iar() & 0x3ff);
  GICC(GICC_PMR) = 0x90;
  a = iar();
  printf("PMR 0x90: IAR %u\n", a & 0x3ff);
  eoi(a);
  GICC(GICC_PMR) = 0xff;
}

static void eoi_modes(void)
{
  /* EOImodeNS = 1: EOIR only drops the running priority, GICC_DIR deactivates (4.4.1) */
  GICC(GICC_CTLR) = 1 | (1u << 9);
  GICD(GICD_SGIR) = (2u << 24) | 9;
  u32 v = iar();
  eoi(v);
  printf("EOImodeNS 1, SGI 9 after EOIR: active %u, RPR %02x\n", active_bit(9), GICC(GICC_RPR));
  GICC(GICC_DIR) = v;
  printf("  after DIR: active %u\n", active_bit(9));
  GICC(GICC_CTLR) = 1;
  /* active state set and cleared through the distributor */
  GICD(GICD_ISACTIVER(0)) = 1u << 10;
  printf("ISACTIVER sets SGI 10 active: %u; ", active_bit(10));
  GICD(GICD_ICACTIVER(0)) = 1u << 10;
  printf("ICACTIVER clears it: %u\n", active_bit(10));
}

static volatile u32 taken[8];
static volatile u32 ntaken;

static RT_HANDLER int irq(struct frame *f)
{
  (void)f;
  u32 v = GICC(GICC_IAR);
  if (ntaken < 8)
    taken[ntaken++] = v;
  if ((v & 0x3ff) != GIC_SPURIOUS)
    GICC(GICC_EOIR) = v;
  return 1;
}

static void take_irqs(const char *what)
{
  irq_enable();
  isb();
  for (volatile int i = 0; i < 100; i++)
    ;
  irq_disable();
  printf("%s: %u taken:", what, ntaken);
  for (u32 i = 0; i < ntaken; i++)
    printf(" %u", taken[i] & 0x3ff);
  nl();
  ntaken = 0;
}

static void spi_and_vector(void)
{
  u32 typer = GICD(GICD_TYPER);
  if (SPI >= 32 * ((typer & 0x1f) + 1)) {
    printf("SPI %u not implemented\n", SPI);
    return;
  }
  irq_hook = irq;
  GICD8(GICD_IPRIORITYR + SPI) = 0xa0;
  GICD8(GICD_ITARGETSR + SPI) = 1;
  printf("SPI %u: ITARGETSR byte after writing 1 (RAZ/WI) = %02x, ICFGR field = %u\n", SPI, GICD8(GICD_ITARGETSR + SPI),
         (GICD(GICD_ICFGR(SPI / 16)) >> (2 * (SPI % 16))) & 3);
  /* pending while disabled: the distributor holds it, nothing is signalled */
  gic_disable_irq(SPI);
  GICD(GICD_ISPENDR(SPI / 32)) = 1u << (SPI % 32);
  printf("SPI %u pending while disabled: pending %u, HPPIR %u\n", SPI, pending_bit(SPI), GICC(GICC_HPPIR) & 0x3ff);
  take_irqs("  with PSTATE.I clear");
  GICD(GICD_ISENABLER(SPI / 32)) = 1u << (SPI % 32);
  take_irqs("  after enabling it");
  printf("  pending %u, active %u after the handler\n", pending_bit(SPI), active_bit(SPI));
  /* ICPENDR clears a pending interrupt before it is taken */
  GICD(GICD_ISPENDR(SPI / 32)) = 1u << (SPI % 32);
  GICD(GICD_ICPENDR(SPI / 32)) = 1u << (SPI % 32);
  take_irqs("SPI pending then cleared");
  /* an SGI and the SPI pending together: the priority decides the order */
  GICD(GICD_ISPENDR(SPI / 32)) = 1u << (SPI % 32);
  GICD(GICD_SGIR) = (2u << 24) | 2;   /* priority 0x40 */
  take_irqs("SPI (0xa0) and SGI 2 (0x40) pending");
  /* the distributor off: nothing is forwarded */
  GICD(GICD_CTLR) = 0;
  GICD(GICD_SGIR) = (2u << 24) | 3;
  GICD(GICD_ISPENDR(SPI / 32)) = 1u << (SPI % 32);
  take_irqs("GICD_CTLR = 0");
  GICD(GICD_CTLR) = 1;
  take_irqs("GICD_CTLR = 1 again");
  /* the CPU interface off */
  GICC(GICC_CTLR) = 0;
  GICD(GICD_SGIR) = (2u << 24) | 4;
  take_irqs("GICC_CTLR = 0");
  GICC(GICC_CTLR) = 1;
  take_irqs("GICC_CTLR = 1 again");
  irq_hook = 0;
}

int main(void)
{
  print("gic\n");
  gic_init();
  identification();
  sgis();
  priorities();
  eoi_modes();
  spi_and_vector();
  printf("GICC_IAR at the end = %u\n", iar() & 0x3ff);
  finish("gic");
}
