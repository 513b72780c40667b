/* counters: writes to mcycle and minstret (priv spec 1.12 §3.1.11, Zicntr). The value a CSR
 * instruction writes is the value the NEXT instruction reads: the writing instruction's own
 * increment is suppressed. Each probe is one asm block, so the instructions between the write and
 * the read are exactly the ones written there; the values are exact and checked.
 *
 * Not recorded from QEMU (see the Makefile's SPEC_ONLY): QEMU 7.2 reads host ticks from these
 * counters without -icount, and with -icount it counts the writing instruction (a write of X
 * reads back X + 1, and ~0 reads back 0). The .expected file is what the spec says. */
#include "rt.h"

/* write v, read in the next instruction */
static u64 w_r_instret(u64 v) { u64 r; __asm__ volatile("csrw minstret, %1\n csrr %0, minstret" : "=&r"(r) : "r"(v)); return r; }
static u64 w_r_cycle(u64 v) { u64 r; __asm__ volatile("csrw mcycle, %1\n csrr %0, mcycle" : "=&r"(r) : "r"(v)); return r; }
/* the user-level aliases read the same counters (Zicntr) */
static u64 w_r_instret_alias(u64 v) { u64 r; __asm__ volatile("csrw minstret, %1\n csrr %0, instret" : "=&r"(r) : "r"(v)); return r; }
static u64 w_r_cycle_alias(u64 v) { u64 r; __asm__ volatile("csrw mcycle, %1\n csrr %0, cycle" : "=&r"(r) : "r"(v)); return r; }
/* one instruction between write and read: counted */
static u64 w_nop_r_instret(u64 v) { u64 r; __asm__ volatile("csrw minstret, %1\n nop\n csrr %0, minstret" : "=&r"(r) : "r"(v)); return r; }
/* the write's value, then one more read: X, X + 1 */
static u64 w_r_r_instret(u64 v) { u64 a, b; __asm__ volatile("csrw minstret, %2\n csrr %0, minstret\n csrr %1, minstret" : "=&r"(a), "=&r"(b) : "r"(v)); return b - a; }
/* two back-to-back writes: the second one's value is read */
static u64 w_w_r_instret(u64 v) { u64 r; __asm__ volatile("csrw minstret, zero\n csrw minstret, %1\n csrr %0, minstret" : "=&r"(r) : "r"(v)); return r; }
/* csrrwi writes too */
static u64 wi_r_instret(void) { u64 r; __asm__ volatile("csrwi minstret, 21\n csrr %0, minstret" : "=&r"(r)); return r; }
/* csrrw returns the value before its write: the count the writer itself reads */
static u64 w_swap_instret(u64 v, u64 *after) { u64 old, r; __asm__ volatile("csrw minstret, %2\n csrrw %0, minstret, %3\n csrr %1, minstret" : "=&r"(old), "=&r"(r) : "r"(v), "r"(~v)); *after = r; return old; }
/* csrrs / csrrc write old | mask and old & ~mask */
static u64 w_set_r_instret(u64 v, u64 m) { u64 r; __asm__ volatile("csrw minstret, %1\n csrs minstret, %2\n csrr %0, minstret" : "=&r"(r) : "r"(v), "r"(m)); return r; }
static u64 w_clear_r_instret(u64 v, u64 m) { u64 r; __asm__ volatile("csrw minstret, %1\n csrc minstret, %2\n csrr %0, minstret" : "=&r"(r) : "r"(v), "r"(m)); return r; }
/* csrrs with rs1 = x0 does not write (§2.1 of Zicsr): its own increment counts */
static u64 w_rs0_r_instret(u64 v) { u64 r; __asm__ volatile("csrw minstret, %1\n csrrs zero, minstret, zero\n csrr %0, minstret" : "=&r"(r) : "r"(v)); return r; }
/* a write to one counter leaves the other counting */
static u64 w_cycle_r_instret(u64 v) { u64 r; __asm__ volatile("csrw minstret, %1\n csrw mcycle, zero\n csrr %0, minstret" : "=&r"(r) : "r"(v)); return r; }
/* time is not a write target of mcycle: it must not jump back */
static u64 time_around_mcycle(void) { u64 a, b; __asm__ volatile("csrr %0, time\n csrw mcycle, zero\n csrr %1, time" : "=&r"(a), "=&r"(b)); return b >= a; }

/* a loop long enough to span many of the emulator's run windows (and to be translated) */
#define LOOP 100000
static u64 loop_instret(void)
{
  u64 r, n = LOOP;
  __asm__ volatile("csrw minstret, zero\n 1: addi %1, %1, -1\n bnez %1, 1b\n csrr %0, minstret" : "=&r"(r), "+r"(n));
  return r;
}
static u64 loop_cycle(void)
{
  u64 r, n = LOOP;
  __asm__ volatile("csrw mcycle, zero\n 1: addi %1, %1, -1\n bnez %1, 1b\n csrr %0, mcycle" : "=&r"(r), "+r"(n));
  return r;
}

static const u64 values[] = { 0, 1000, 0xffffffffUL, 0x100000000UL, 0x123456789abcdef0UL, ~0UL };

/* prints "<before><v><after> = <got>" (and a mismatch when got != want) */
static void probe(const char *before, u64 v, const char *after, u64 got, u64 want)
{
  print(before);
  put_hex(v);
  print(after);
  check("", got, want);
}

int main(void)
{
  u64 old, after;
  print("counters\n");
  for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
    u64 v = values[i];
    probe("csrw minstret, ", v, "; csrr minstret", w_r_instret(v), v);
    probe("csrw mcycle, ", v, "; csrr mcycle", w_r_cycle(v), v);
  }
  probe("csrw minstret, ", 77, "; csrr instret", w_r_instret_alias(77), 77);
  probe("csrw mcycle, ", 77, "; csrr cycle", w_r_cycle_alias(77), 77);
  probe("csrw minstret, ", 1000, "; nop; csrr minstret", w_nop_r_instret(1000), 1001);
  probe("csrw minstret, ", ~0UL, "; nop; csrr minstret (wraps)", w_nop_r_instret(~0UL), 0);
  probe("csrw minstret, ", 500, "; csrr; csrr: difference", w_r_r_instret(500), 1);
  probe("csrw minstret, zero; csrw minstret, ", 9, "; csrr minstret", w_w_r_instret(9), 9);
  check("csrwi minstret, 21; csrr minstret", wi_r_instret(), 21);
  old = w_swap_instret(0x40, &after);
  check("csrw minstret, 0x40; csrrw minstret, ~0x40: old value", old, 0x40);
  check("  then csrr minstret", after, ~0x40UL);
  probe("csrw minstret, ", 0x30, "; csrs minstret, 0xf00; csrr minstret", w_set_r_instret(0x30, 0xf00), 0xf30);
  probe("csrw minstret, ", 0x3ff, "; csrc minstret, 0xf0; csrr minstret", w_clear_r_instret(0x3ff, 0xf0), 0x30f);
  probe("csrw minstret, ", 0x10, "; csrrs zero, minstret, zero (no write); csrr minstret", w_rs0_r_instret(0x10), 0x11);
  probe("csrw minstret, ", 0x10, "; csrw mcycle, zero; csrr minstret", w_cycle_r_instret(0x10), 0x11);
  check("time does not go back when mcycle is written", time_around_mcycle(), 1);
  check("minstret after a 100000-iteration loop (2 instructions each)", loop_instret(), 2 * LOOP);
  check("mcycle after the same loop >= 200000", loop_cycle() >= 2 * LOOP, 1);
  finish();
}
