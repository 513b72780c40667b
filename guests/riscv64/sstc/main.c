/* sstc: the Sstc extension's stimecmp (Sstc spec 1.0; priv 1.12 §3.1.18 menvcfg.STCE):
 * with menvcfg.STCE = 1, mip.STIP reflects time >= stimecmp and S-mode programs its own timer.
 * Access rules without STCE / without mcounteren.TM are recorded as QEMU 7.2 applies them. */
#include "rt.h"

#define MENVCFG 0x30a
#define MENVCFG_STCE (1UL << 63)

static volatile u64 taken[4];
static volatile u64 ntaken;

static int s_irq(struct frame *f)
{
  if (f->cause != (CAUSE_INTR | 5))
    return 0;
  csr_write(stimecmp, ~0UL);   /* S clears its own timer interrupt */
  if (ntaken < 4)
    taken[ntaken++] = f->cause;
  return 1;
}

static u64 s_read_stimecmp(u64 a) { (void)a; return csr_read(stimecmp); }
static u64 s_write_stimecmp(u64 a) { csr_write(stimecmp, a); return 0; }

static u64 s_timer(u64 a)
{
  (void)a;
  csr_write(stimecmp, csr_read(time) + 1000);   /* 100 us at 10 MHz */
  csr_set(sie, MIP_STIP);
  for (;;) {   /* no lost wake-up: check and wfi with SIE = 0 (priv §3.3.3) */
    csr_clear(sstatus, MSTATUS_SIE);
    if (ntaken)
      break;
    __asm__ volatile("wfi");
    csr_set(sstatus, MSTATUS_SIE);
  }
  csr_clear(sie, MIP_STIP);
  return 0;
}

static void trial(const char *name, u64 (*fn)(u64), u64 arg)
{
  trap_reset();
  (void)run_in_mode(PRV_S, fn, arg);
  print(name);
  if (m_trap.count) {
    print(": mcause = ");
    put_hex(m_trap.cause);
    print(" mtval = ");
    put_hex(m_trap.tval);
  } else {
    print(": no trap");
  }
  nl();
  trap_reset();
}

int main(void)
{
  print("sstc\n");
  csr_write(MENVCFG, MENVCFG_STCE);
  show("menvcfg.STCE after writing 1", csr_read(MENVCFG) >> 63);
  csr_write(MENVCFG, 0);
  show("menvcfg.STCE after writing 0", csr_read(MENVCFG) >> 63);

  /* access rules */
  trap_reset();
  u64 v = csr_read(stimecmp);
  show("M csrr stimecmp with STCE=0: traps", m_trap.count);
  (void)v;
  csr_write(mcounteren, 2);   /* TM */
  trial("S csrr stimecmp, STCE=0 TM=1", s_read_stimecmp, 0);
  csr_write(MENVCFG, MENVCFG_STCE);
  csr_write(mcounteren, 0);
  trial("S csrr stimecmp, STCE=1 TM=0", s_read_stimecmp, 0);
  csr_write(mcounteren, 2);
  trial("S csrr stimecmp, STCE=1 TM=1", s_read_stimecmp, 0);
  trial("S csrw stimecmp, STCE=1 TM=1", s_write_stimecmp, 0x123456789UL);
  show("stimecmp after S wrote 0x123456789", csr_read(stimecmp));

  /* STIP follows the comparison (Sstc §2.1) and is read-only in mip while STCE = 1 */
  csr_write(stimecmp, 0);
  show("mip.STIP with stimecmp=0", (csr_read(mip) >> 5) & 1);
  csr_clear(mip, MIP_STIP);
  show("mip.STIP after csrc mip.STIP", (csr_read(mip) >> 5) & 1);
  csr_write(stimecmp, ~0UL);
  show("mip.STIP with stimecmp=-1", (csr_read(mip) >> 5) & 1);

  /* an S-mode timer interrupt, delegated to S */
  s_hook = s_irq;
  csr_write(stvec, (u64)(uintptr_t)s_trap_entry);
  csr_write(mideleg, MIP_STIP);
  (void)run_in_mode(PRV_S, s_timer, 0);
  print("S timer interrupts taken:");
  for (u64 i = 0; i < ntaken; i++) {
    print(" ");
    put_hex(taken[i]);
  }
  nl();
  show("mip.STIP after handler", (csr_read(mip) >> 5) & 1);
  csr_write(mideleg, 0);
  csr_write(MENVCFG, 0);
  finish();
}
