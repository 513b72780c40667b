/* timer: the Generic Timer at EL1 (ARM DDI 0487 D11: CNTFRQ_EL0, CNTVCT_EL0/CNTPCT_EL0, the EL1
 * virtual timer CNTV_* and the EL1 physical timer CNTP_*: CTL.ENABLE/IMASK/ISTATUS, CVAL, TVAL)
 * and its interrupts through the GICv2 (PPI 27 for CNTV, PPI 30 for CNTP on QEMU virt), taken
 * by the IRQ vector while the CPU waits in WFI.
 * Only deterministic facts are printed: CNTFRQ, that the counters advance, ISTATUS and GIC
 * pending bits in states that do not depend on time, interrupt ids read from GICC_IAR, and
 * counts — never a counter value. */
#include "gic.h"

#define CTL_ENABLE  1UL
#define CTL_IMASK   2UL
#define CTL_ISTATUS 4UL

#define TICKS 5

static volatile u64 ticks, spurious, other;
static volatile u32 ids[16];
static u64 period;
static int which;   /* 0: CNTV, 1: CNTP */

static RT_HANDLER int timer_irq(struct frame *f)
{
  (void)f;
  u32 iar = GICC(GICC_IAR), id = iar & 0x3ff;
  if (id == GIC_SPURIOUS) {
    spurious++;
    return 1;
  }
  if (ticks < 16)
    ids[ticks] = iar;
  if (id == PPI_VTIMER || id == PPI_PTIMER) {
    ticks++;
    /* the next tick, or stop: CTL = 0 deasserts the interrupt */
    if (ticks < TICKS) {
      if (which == 0)
        write_sysreg(cntv_tval_el0, period);
      else
        write_sysreg(cntp_tval_el0, period);
    } else if (which == 0) {
      write_sysreg(cntv_ctl_el0, 0);
    } else {
      write_sysreg(cntp_ctl_el0, 0);
    }
    isb();
  } else {
    other++;
  }
  GICC(GICC_EOIR) = iar;
  return 1;
}

/* wait for n ticks without a lost wake-up: check with IRQs masked, WFI (which wakes on a
 * pending interrupt even when PSTATE.I masks it), then unmask to take it */
static void wait_ticks(u64 n)
{
  for (;;) {
    irq_disable();
    if (ticks >= n)
      return;
    __asm__ volatile("wfi");
    irq_enable();
    isb();
  }
}

static void print_ids(const char *name)
{
  printf("%s: %lu ticks, spurious %lu, other %lu, IAR values:", name, ticks, spurious, other);
  for (u64 i = 0; i < ticks && i < 16; i++)
    printf(" %u", ids[i]);
  nl();
}

static void counters(void)
{
  u64 frq = read_sysreg(cntfrq_el0);
  printf("CNTFRQ_EL0 = %lu Hz\n", frq);
  /* monotonic: 1000 reads never go backwards, and the counter moves */
  u64 prev = read_sysreg(cntvct_el0), first = prev, back = 0;
  for (int i = 0; i < 1000; i++) {
    isb();
    u64 v = read_sysreg(cntvct_el0);
    if (v < prev)
      back++;
    prev = v;
  }
  printf("CNTVCT_EL0: backwards steps in 1000 reads %lu, advanced %d\n", back, prev > first);
  u64 p0 = read_sysreg(cntpct_el0);
  for (volatile int i = 0; i < 10000; i++)
    ;
  isb();
  printf("CNTPCT_EL0 advanced over a delay loop: %d\n", read_sysreg(cntpct_el0) > p0);
  /* no EL2: CNTVOFF is 0, so the virtual and physical counts are the same clock (the Generic Timer's virtual count) */
  u64 v0 = read_sysreg(cntvct_el0);
  isb();
  u64 pp = read_sysreg(cntpct_el0);
  isb();
  u64 v1 = read_sysreg(cntvct_el0);
  printf("CNTVCT <= CNTPCT <= next CNTVCT: %d\n", v0 <= pp && pp <= v1);
}

static void timer_states(void)
{
  /* ISTATUS = (count >= CVAL) while enabled, whatever IMASK; the GIC sees the output only while
   * IMASK = 0 (Generic Timer: the timer output is ISTATUS & !IMASK) */
  write_sysreg(cntv_cval_el0, 0);
  write_sysreg(cntv_ctl_el0, CTL_ENABLE | CTL_IMASK);
  isb();
  printf("CNTV: CVAL 0, ENABLE|IMASK: CTL %lx, GICD_ISPENDR0 bit 27 %u\n", read_sysreg(cntv_ctl_el0),
         (GICD(GICD_ISPENDR(0)) >> PPI_VTIMER) & 1);
  write_sysreg(cntv_ctl_el0, CTL_ENABLE);
  isb();
  printf("CNTV: CVAL 0, ENABLE: CTL %lx, GICD_ISPENDR0 bit 27 %u (PSTATE.I masks the CPU)\n",
         read_sysreg(cntv_ctl_el0), (GICD(GICD_ISPENDR(0)) >> PPI_VTIMER) & 1);
  printf("  TVAL negative (expired): %d\n", (i32)read_sysreg(cntv_tval_el0) < 0);
  write_sysreg(cntv_cval_el0, ~0UL);
  isb();
  printf("CNTV: CVAL max, ENABLE: CTL %lx, GICD_ISPENDR0 bit 27 %u\n", read_sysreg(cntv_ctl_el0),
         (GICD(GICD_ISPENDR(0)) >> PPI_VTIMER) & 1);
  write_sysreg(cntv_ctl_el0, 0);
  write_sysreg(cntv_cval_el0, 0);
  isb();
  /* ISTATUS is UNKNOWN while the timer is disabled: only ENABLE and IMASK are printed */
  printf("CNTV: CVAL 0, disabled: CTL & 3 = %lx, GICD_ISPENDR0 bit 27 %u\n", read_sysreg(cntv_ctl_el0) & 3,
         (GICD(GICD_ISPENDR(0)) >> PPI_VTIMER) & 1);
  /* TVAL writes set CVAL = count + TVAL (sign-extended) */
  write_sysreg(cntv_tval_el0, 0x7fffffffUL);
  isb();
  u64 cval = read_sysreg(cntv_cval_el0), now = read_sysreg(cntvct_el0);
  printf("CNTV: TVAL = 0x7fffffff gives CVAL - count in (0, 2^31]: %d\n", cval > now && cval - now <= 0x80000000UL);
  write_sysreg(cntv_tval_el0, 0xffffffffUL);   /* -1: CVAL just behind the count */
  isb();
  cval = read_sysreg(cntv_cval_el0);
  now = read_sysreg(cntvct_el0);
  printf("CNTV: TVAL = -1 gives CVAL < count: %d\n", cval < now);
}

static void run_timer(int t, const char *name)
{
  which = t;
  ticks = spurious = other = 0;
  u32 ppi = t == 0 ? PPI_VTIMER : PPI_PTIMER;
  gic_enable_irq(ppi, 0xa0);
  if (t == 0) {
    write_sysreg(cntv_tval_el0, period);
    write_sysreg(cntv_ctl_el0, CTL_ENABLE);
  } else {
    write_sysreg(cntp_tval_el0, period);
    write_sysreg(cntp_ctl_el0, CTL_ENABLE);
  }
  isb();
  wait_ticks(TICKS);
  print_ids(name);
  printf("  CTL after the last tick: %lx\n", t == 0 ? read_sysreg(cntv_ctl_el0) : read_sysreg(cntp_ctl_el0));
  gic_disable_irq(ppi);
}

int main(void)
{
  print("timer\n");
  irq_hook = timer_irq;
  gic_init();
  counters();
  timer_states();
  /* a 1 ms period */
  period = read_sysreg(cntfrq_el0) / 1000;
  run_timer(0, "CNTV (PPI 27)");
  run_timer(1, "CNTP (PPI 30)");
  printf("GICC_IAR with nothing pending: %u\n", GICC(GICC_IAR) & 0x3ff);
  irq_disable();
  finish("timer");
}
