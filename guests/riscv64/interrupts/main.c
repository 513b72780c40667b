/* interrupts: CLINT software/timer interrupts, priorities, delegation to S, and the PLIC path of
 * the UART's THR-empty interrupt (priv spec 1.12 §3.1.9 mip/mie, §3.3.3 wfi, §3.1.8 mideleg,
 * §4.1.3 sip/sie; SiFive CLINT and RISC-V PLIC 1.0.0 register maps as on QEMU virt).
 * No line depends on timing: only which causes were taken, in which order, and register bits. */
#include "rt.h"

#define PLIC_PRIORITY(src)   (PLIC_BASE + 4 * (src))
#define PLIC_PENDING         (PLIC_BASE + 0x1000)
#define PLIC_ENABLE(ctx)     (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx)  (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)      (PLIC_BASE + 0x200004 + 0x1000 * (ctx))
#define UART_IRQ  10
#define CTX_M     0   /* QEMU virt: context 2*hart = M-mode, 2*hart+1 = S-mode */
#define CTX_S     1
#define UART_IER  (UART0_BASE + 1)

static volatile u64 order[8];
static volatile u64 norder;
static volatile u64 claims[8];

static void log_irq(u64 cause, u64 claim)
{
  if (norder < 8) {
    claims[norder] = claim;
    order[norder++] = cause;
  }
}

/* Interrupt hook for M: silence the source, then log it. Exceptions go to the default path. */
static int m_irq(struct frame *f)
{
  if (!(f->cause & CAUSE_INTR))
    return 0;
  u64 code = f->cause & ~CAUSE_INTR, claim = 0;
  switch (code) {
  case 3: MMIO32(CLINT_MSIP(0)) = 0; break;
  case 7: MMIO64(CLINT_MTIMECMP(0)) = ~0UL; break;
  case 11:
    claim = MMIO32(PLIC_CLAIM(CTX_M));
    MMIO8(UART_IER) = 0;                    /* THR-empty interrupt off */
    MMIO32(PLIC_CLAIM(CTX_M)) = (u32)claim; /* complete */
    break;
  default: /* S-level interrupts taken in M: mask them */
    csr_clear(mie, 1UL << code);
    break;
  }
  log_irq(f->cause, claim);
  return 1;
}

static int s_irq(struct frame *f)
{
  if (!(f->cause & CAUSE_INTR))
    return 0;
  u64 code = f->cause & ~CAUSE_INTR, claim = 0;
  switch (code) {
  case 1: csr_clear(sip, MIP_SSIP); break;
  case 5: csr_clear(sie, MIP_STIP); break;  /* STIP is M's to clear; stop taking it */
  case 9:
    claim = MMIO32(PLIC_CLAIM(CTX_S));
    MMIO8(UART_IER) = 0;
    MMIO32(PLIC_CLAIM(CTX_S)) = (u32)claim;
    break;
  default: csr_clear(sie, 1UL << code); break;
  }
  log_irq(f->cause, claim);
  return 1;
}

/* wait until the UART has sent everything (LSR.TEMT), so THR is empty whatever the model's
 * transmit timing: enabling ETBEI then raises the interrupt at once */
static void uart_drain(void)
{
  while (!(MMIO8(UART0_BASE + 5) & 0x40))
    ;
}

static void reset_log(void) { norder = 0; for (int i = 0; i < 8; i++) order[i] = claims[i] = 0; }

static void print_log(const char *name)
{
  print(name);
  print(":");
  if (!norder)
    print(" none");
  for (u64 i = 0; i < norder; i++) {
    print(" ");
    put_hex(order[i]);
    if (claims[i]) {
      print(" (claim ");
      put_dec(claims[i]);
      print(")");
    }
  }
  nl();
  reset_log();
}

/* Wait until n interrupts were logged, without a lost wake-up: the check and the wfi run with
 * the interrupt-enable bit clear (wfi still wakes on a pending enabled interrupt, §3.3.3), the
 * interrupt is then taken with the bit set. Returns with the bit clear. */
static void wait_m(u64 n)
{
  for (;;) {
    csr_clear(mstatus, MSTATUS_MIE);
    if (norder >= n)
      return;
    __asm__ volatile("wfi");
    csr_set(mstatus, MSTATUS_MIE);
  }
}

static void wait_s(u64 n)
{
  for (;;) {
    csr_clear(sstatus, MSTATUS_SIE);
    if (norder >= n)
      return;
    __asm__ volatile("wfi");
    csr_set(sstatus, MSTATUS_SIE);
  }
}

static void machine_level(void)
{
  /* software interrupt: msip → mip.MSIP */
  MMIO32(CLINT_MSIP(0)) = 1;
  show("mip.MSIP after msip=1", (csr_read(mip) >> 3) & 1);
  csr_write(mie, MIP_MSIP);
  wait_m(1);
  print_log("taken after msip=1, MIE=1");
  show("mip.MSIP after handler", (csr_read(mip) >> 3) & 1);

  /* timer: mip.MTIP follows mtime >= mtimecmp */
  MMIO64(CLINT_MTIMECMP(0)) = 0;
  show("mip.MTIP with mtimecmp=0", (csr_read(mip) >> 7) & 1);
  MMIO64(CLINT_MTIMECMP(0)) = ~0UL;
  show("mip.MTIP with mtimecmp=-1", (csr_read(mip) >> 7) & 1);
  csr_write(mie, MIP_MTIP);
  MMIO64(CLINT_MTIMECMP(0)) = MMIO64(CLINT_MTIME) + 1000;   /* 100 us at 10 MHz */
  wait_m(1);
  print_log("taken after mtimecmp=mtime+1000, wfi");

  /* wfi returns when an enabled interrupt is pending even with MIE = 0 (§3.3.3), no trap */
  MMIO32(CLINT_MSIP(0)) = 1;
  csr_write(mie, MIP_MSIP);
  __asm__ volatile("wfi");
  print_log("taken by wfi with MIE=0 and MSI pending");
  MMIO32(CLINT_MSIP(0)) = 0;

  /* priority (§3.1.9): MEI > MSI > MTI > SEI > SSI > STI. MSI and MTI pending at once.
   * (MEI is left out on purpose: QEMU 7.2 without AIA takes the lowest-numbered pending
   * interrupt first, so it would take MSI and MTI before MEI, against the spec.) */
  MMIO32(CLINT_MSIP(0)) = 1;
  MMIO64(CLINT_MTIMECMP(0)) = 0;
  show("mip & (MTIP|MSIP)", csr_read(mip) & (MIP_MTIP | MIP_MSIP));
  csr_write(mie, MIP_MSIP | MIP_MTIP);
  wait_m(2);
  print_log("order with MSI and MTI pending");
  /* MEI through PLIC context 0 (M-mode) */
  MMIO32(PLIC_PRIORITY(UART_IRQ)) = 1;
  MMIO32(PLIC_THRESHOLD(CTX_M)) = 0;
  MMIO32(PLIC_ENABLE(CTX_M)) = 1U << UART_IRQ;
  uart_drain();
  MMIO8(UART_IER) = 0x02;                 /* ETBEI: THR is empty, so the UART asserts at once */
  u64 pend = (MMIO32(PLIC_PENDING) >> UART_IRQ) & 1;
  u64 meip = (csr_read(mip) >> 11) & 1;
  csr_write(mie, MIP_MEIP);
  wait_m(1);
  show("PLIC pending bit 10 after IER.ETBEI=1", pend);
  show("mip.MEIP after IER.ETBEI=1", meip);
  print_log("taken after UART IER.ETBEI=1 (PLIC context 0)");
  show("PLIC pending bit 10 after complete", (MMIO32(PLIC_PENDING) >> UART_IRQ) & 1);
  show("PLIC claim with nothing pending", MMIO32(PLIC_CLAIM(CTX_M)));
  MMIO32(PLIC_ENABLE(CTX_M)) = 0;
  csr_write(mie, 0);
}

/* ---- S-mode parts (run via run_in_mode(PRV_S, ...)) ---- */

static u64 s_software(u64 a)
{
  (void)a;
  csr_set(sie, MIP_SSIP);
  csr_set(sip, MIP_SSIP);           /* S may raise its own software interrupt */
  wait_s(1);
  csr_clear(sie, MIP_SSIP);
  return 0;
}

static u64 s_timer(u64 a)
{
  (void)a;
  csr_set(sie, MIP_STIP);
  wait_s(1);
  return 0;
}

static u64 s_raise_msi(u64 a)
{
  (void)a;
  /* mstatus.MIE is 0, but M-level interrupts are always enabled below M (§3.1.6.1) */
  MMIO32(CLINT_MSIP(0)) = 1;
  while (norder < 1)   /* spin: the interrupt cannot be masked here, so no wfi (lost wake-up) */
    ;
  return 0;
}

static u64 s_external(u64 a)
{
  (void)a;
  csr_set(sie, MIP_SEIP);
  uart_drain();
  MMIO8(UART_IER) = 0x02;
  wait_s(1);
  csr_clear(sie, MIP_SEIP);
  return 0;
}

static void supervisor_level(void)
{
  csr_write(stvec, (u64)(uintptr_t)s_trap_entry);
  csr_write(mideleg, MIP_SSIP | MIP_STIP | MIP_SEIP);

  run_in_mode(PRV_S, s_software, 0);
  print_log("S: taken after sip.SSIP=1 (delegated)");

  csr_set(mip, MIP_STIP);             /* M raises the supervisor timer interrupt */
  run_in_mode(PRV_S, s_timer, 0);
  csr_clear(mip, MIP_STIP);
  print_log("S: taken after M set mip.STIP (delegated)");

  /* delegated interrupts are never taken in M (§3.1.8) */
  csr_set(mip, MIP_SSIP);
  csr_write(mie, MIP_SSIP);
  csr_set(mstatus, MSTATUS_MIE);
  __asm__ volatile("nop; nop; nop");
  csr_clear(mstatus, MSTATUS_MIE);
  csr_clear(mip, MIP_SSIP);
  csr_write(mie, 0);
  print_log("M: taken with delegated SSI pending and MIE=1");

  /* an M interrupt arriving in S-mode, with mstatus.MIE = 0 */
  csr_write(mie, MIP_MSIP);
  csr_clear(mstatus, MSTATUS_MIE);
  trap_reset();
  run_in_mode(PRV_S, s_raise_msi, 0);
  csr_write(mie, 0);
  print_log("M: taken while in S with MIE=0");

  /* UART THR-empty → PLIC source 10 → context 1 (S) → SEIP, delegated to S */
  MMIO32(PLIC_PRIORITY(UART_IRQ)) = 1;
  MMIO32(PLIC_THRESHOLD(CTX_S)) = 0;
  MMIO32(PLIC_ENABLE(CTX_S)) = 1U << UART_IRQ;
  run_in_mode(PRV_S, s_external, 0);
  print_log("S: taken after UART IER.ETBEI=1 (PLIC context 1)");
  show("mip.SEIP after complete", (csr_read(mip) >> 9) & 1);
  /* threshold (PLIC spec §7): priority 1 <= threshold 1 masks the source. Nothing is printed
   * while IER.ETBEI = 1: each character sent would re-raise the THR-empty interrupt. */
  MMIO32(PLIC_THRESHOLD(CTX_S)) = 1;
  uart_drain();
  MMIO8(UART_IER) = 0x02;
  u64 seip_thr1 = (csr_read(mip) >> 9) & 1;
  u64 pend_thr1 = (MMIO32(PLIC_PENDING) >> UART_IRQ) & 1;
  MMIO32(PLIC_THRESHOLD(CTX_S)) = 0;
  u64 seip_thr0 = (csr_read(mip) >> 9) & 1;
  u64 claim = MMIO32(PLIC_CLAIM(CTX_S));
  u64 seip_claimed = (csr_read(mip) >> 9) & 1;
  u64 pend_claimed = (MMIO32(PLIC_PENDING) >> UART_IRQ) & 1;
  MMIO8(UART_IER) = 0;
  MMIO32(PLIC_CLAIM(CTX_S)) = (u32)claim;
  u64 seip_done = (csr_read(mip) >> 9) & 1;
  u64 pend_done = (MMIO32(PLIC_PENDING) >> UART_IRQ) & 1;
  show("mip.SEIP with threshold=1", seip_thr1);
  show("PLIC pending bit 10 with threshold=1", pend_thr1);
  show("mip.SEIP with threshold=0", seip_thr0);
  show("PLIC claim (context 1)", claim);
  show("mip.SEIP while claimed", seip_claimed);
  show("PLIC pending bit 10 while claimed", pend_claimed);
  show("mip.SEIP after IER=0 and complete", seip_done);
  show("PLIC pending bit 10 after IER=0 and complete", pend_done);
  MMIO32(PLIC_ENABLE(CTX_S)) = 0;
  csr_write(mideleg, 0);
}

int main(void)
{
  print("interrupts\n");
  m_hook = m_irq;
  s_hook = s_irq;
  MMIO64(CLINT_MTIMECMP(0)) = ~0UL;
  machine_level();
  supervisor_level();
  finish();
}
