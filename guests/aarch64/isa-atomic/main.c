/* isa-atomic: exclusives and acquire/release accesses (ARM DDI 0487 "Synchronization and
 * semaphores", C6.2 LDXR/STXR/LDAXR/STLXR/LDXP/STXP/LDAR/STLR/CLREX), and whether the LSE atomics
 * (FEAT_LSE, Armv8.1) exist: ID_AA64ISAR0_EL1.Atomic, then one instruction of each LSE family —
 * on cortex-a53 (Armv8.0) each is UNDEFINED (EC 0x00), which is what the golden file records.
 * The full LSE matrix is the isa-lse program (recorded on -cpu max).
 * Runs with the MMU on (rt's identity map): exclusives are defined on Normal memory. */
#include "rt.h"

static u64 words[8] __attribute__((aligned(64)));
static u64 pair[4] __attribute__((aligned(16)));

static void reset_words(void)
{
  for (int i = 0; i < 8; i++)
    words[i] = 0x1111111111111111UL * (u64)(i + 1);
}

static void exclusives(void)
{
  u64 v, st, *a = &words[0];
  reset_words();
  /* a successful pair: status 0, memory updated */
  __asm__ volatile("ldxr %0, [%2]\n add %0, %0, #1\n stxr %w1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(a) : "memory");
  check("ldxr/stxr: status", st, 0);
  check("  memory", *a, 0x1111111111111112UL);
  /* CLREX clears the local monitor: the store-exclusive fails and does not write */
  __asm__ volatile("ldxr %0, [%2]\n clrex\n stxr %w1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(a), "r"(0UL) : "memory");
  check("ldxr, clrex, stxr: status", st, 1);
  __asm__ volatile("ldxr %0, [%2]\n clrex\n stxr %w1, %3, [%2]" : "=&r"(v), "=&r"(st) : "r"(a), "r"(0UL) : "memory");
  check("  memory unchanged", *a, 0x1111111111111112UL);
  /* a store-exclusive with the monitor open (no ldxr since clrex) fails */
  __asm__ volatile("clrex\n stxr %w0, %1, [%2]" : "=&r"(st) : "r"(5UL), "r"(a) : "memory");
  check("stxr without ldxr: status", st, 1);
  /* a second stxr after a successful one fails (the first one cleared the monitor) */
  __asm__ volatile("ldxr %0, [%2]\n stxr %w1, %0, [%2]\n stxr %w1, %3, [%2]" : "=&r"(v), "=&r"(st) : "r"(a), "r"(9UL) : "memory");
  check("second stxr: status", st, 1);
  check("  memory", *a, 0x1111111111111112UL);
  /* store-exclusive to another address than the load-exclusive: whether it succeeds is
   * IMPLEMENTATION DEFINED ("Exclusive access instructions and Non-shareable memory"); QEMU: it fails */
  __asm__ volatile("ldxr %0, [%2]\n stxr %w1, %0, [%3]" : "=&r"(v), "=&r"(st) : "r"(a), "r"(&words[1]) : "memory");
  show("ldxr [w0], stxr [w1]: status (QEMU)", st);
  show("  words[1]", words[1]);
  /* an exception between them: QEMU clears the monitor (exception entry/return may) */
  __asm__ volatile("ldxr %0, [%2]\n svc #1\n stxr %w1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(a) : "memory", "x0", "x1");
  show("ldxr, svc, stxr: status (QEMU)", st);

  /* sizes: ldxrb/h/w zero-extend, stxrb/h/w write only their bytes */
  reset_words();
  a = &words[2];
  *a = 0x8182838485868788UL;
  __asm__ volatile("ldxrb %w0, [%2]\n stxrb %w1, %w3, [%2]" : "=&r"(v), "=&r"(st) : "r"(a), "r"(0xffffffffffffff00UL) : "memory");
  check("ldxrb", v, 0x88);
  check("  stxrb status", st, 0);
  __asm__ volatile("ldxrh %w0, [%2]\n stxrh %w1, %w3, [%2]" : "=&r"(v), "=&r"(st) : "r"((u8 *)a + 2), "r"(0xabcdUL) : "memory");
  check("ldxrh +2", v, 0x8586);
  __asm__ volatile("ldxr %w0, [%2]\n stxr %w1, %w3, [%2]" : "=&r"(v), "=&r"(st) : "r"((u8 *)a + 4), "r"(0x01020304UL) : "memory");
  check("ldxr w +4", v, 0x81828384UL);
  check("  memory after b/h/w stores", *a, 0x01020304abcd8700UL);
  __asm__ volatile("ldaxr %0, [%2]\n stlxr %w1, %3, [%2]" : "=&r"(v), "=&r"(st) : "r"(a), "r"(0x55UL) : "memory");
  check("ldaxr", v, 0x01020304abcd8700UL);
  check("  stlxr status", st, 0);
  __asm__ volatile("ldaxrh %w0, [%2]\n stlxrh %w1, %w0, [%2]" : "=&r"(v), "=&r"(st) : "r"(a) : "memory");
  check("ldaxrh/stlxrh status", st, 0);
  __asm__ volatile("ldaxrb %w0, [%2]\n clrex\n stlxrb %w1, %w0, [%2]" : "=&r"(v), "=&r"(st) : "r"(a) : "memory");
  check("ldaxrb, clrex, stlxrb status", st, 1);

  /* pairs: ldxp/stxp of two doublewords and two words; 16-byte aligned */
  pair[0] = 0xa0a0a0a0a0a0a0a0UL;
  pair[1] = 0xb1b1b1b1b1b1b1b1UL;
  u64 v2;
  __asm__ volatile("ldxp %0, %1, [%3]\n stxp %w2, %1, %0, [%3]" : "=&r"(v), "=&r"(v2), "=&r"(st) : "r"(pair) : "memory");
  check("ldxp first", v, 0xa0a0a0a0a0a0a0a0UL);
  check("ldxp second", v2, 0xb1b1b1b1b1b1b1b1UL);
  check("  stxp (swapped) status", st, 0);
  check("  pair[0]", pair[0], 0xb1b1b1b1b1b1b1b1UL);
  check("  pair[1]", pair[1], 0xa0a0a0a0a0a0a0a0UL);
  __asm__ volatile("ldaxp %w0, %w1, [%3]\n stlxp %w2, %w1, %w0, [%3]" : "=&r"(v), "=&r"(v2), "=&r"(st) : "r"(pair) : "memory");
  check("ldaxp w first", v, 0xb1b1b1b1UL);
  check("  stlxp w status", st, 0);
  check("  pair[0]", pair[0], 0xb1b1b1b1b1b1b1b1UL);
  __asm__ volatile("ldxp %0, %1, [%3]\n clrex\n stxp %w2, xzr, xzr, [%3]" : "=&r"(v), "=&r"(v2), "=&r"(st) : "r"(pair) : "memory");
  check("ldxp, clrex, stxp: status", st, 1);
  check("  pair[1]", pair[1], 0xa0a0a0a0a0a0a0a0UL);

  /* an exclusive to an unaligned address is an alignment fault even on Normal memory ("Alignment support") */
  exc_reset();
  v = 0xee;
  __asm__ volatile("ldxr %0, [%1]" : "+r"(v) : "r"((u8 *)words + 4) : "memory");
  print_exc("ldxr x at +4");
  if (exc.count)
    show("  FAR - words", exc.far - (u64)(uintptr_t)words);
  exc_reset();
  __asm__ volatile("ldxp %0, %1, [%2]" : "=&r"(v), "=&r"(v2) : "r"((u8 *)pair + 8) : "memory");
  print_exc("ldxp x at +8 (pairs need 16-byte alignment)");
  if (exc.count)
    show("  FAR - pair", exc.far - (u64)(uintptr_t)pair);
  __asm__ volatile("clrex");
}

static void acquire_release(void)
{
  u64 v;
  reset_words();
  u64 *a = &words[3];
  *a = 0xf0e0d0c0b0a09080UL;
  __asm__ volatile("ldarb %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); check("ldarb", v, 0x80);
  __asm__ volatile("ldarh %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); check("ldarh", v, 0x9080);
  __asm__ volatile("ldar %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); check("ldar w", v, 0xb0a09080UL);
  __asm__ volatile("ldar %0, [%1]" : "=r"(v) : "r"(a) : "memory"); check("ldar x", v, 0xf0e0d0c0b0a09080UL);
  __asm__ volatile("stlrb %w0, [%1]" :: "r"(0x1234UL), "r"(a) : "memory");
  __asm__ volatile("stlrh %w0, [%1]" :: "r"(0x5678UL), "r"((u8 *)a + 2) : "memory");
  __asm__ volatile("stlr %w0, [%1]" :: "r"(0x9abcdef0UL), "r"((u8 *)a + 4) : "memory");
  check("stlrb + stlrh + stlr w", *a, 0x9abcdef056789034UL);
  __asm__ volatile("stlr %0, [%1]" :: "r"(0x0102030405060708UL), "r"(a) : "memory");
  check("stlr x", *a, 0x0102030405060708UL);
  __asm__ volatile("dmb ish\n dmb ishld\n dmb ishst\n dsb sy\n isb" ::: "memory");
  show("barriers ran", 1);

  /* the retry loop every lock uses: 1000 exclusive increments, counting the retries */
  u64 count = 0, fails = 0;
  *a = 0;
  for (int i = 0; i < 1000; i++) {
    u64 st;
    do {
      __asm__ volatile("ldaxr %0, [%2]\n add %0, %0, #3\n stlxr %w1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(a) : "memory");
      fails += st;
    } while (st);
    count++;
  }
  check("1000 ldaxr/stlxr increments by 3", *a, 3000);
  check("  store-exclusive failures", fails, 0);
}

/* One LSE instruction of each family on a doubleword; prints its result, or that it was
 * UNDEFINED (then Rt still holds 0xee and memory is unchanged). */
#define LSE(name, text, init, s_in)                                                            \
  do {                                                                                        \
    u64 __t = 0xee, __s = (s_in);                                                             \
    words[4] = (init);                                                                        \
    exc_reset();                                                                              \
    __asm__ volatile(".arch_extension lse\n " text : "+r"(__t), "+r"(__s) : "r"(&words[4]) : "memory"); \
    lse_line(name, __t, __s, words[4]);                                                       \
  } while (0)

static void lse_line(const char *name, u64 t, u64 s, u64 mem)
{
  print(name);
  if (exc.count)
    printf(": UNDEFINED (EC 0x%02x)\n", (u32)ESR_EC(exc.esr));
  else
    printf(": Rt/Rs %016lx %016lx, memory %016lx\n", t, s, mem);
}

static void lse_probe(void)
{
  u64 isar0 = read_sysreg(id_aa64isar0_el1);
  show("ID_AA64ISAR0_EL1", isar0);
  show("ID_AA64ISAR0_EL1.Atomic (0 = no LSE, 2 = LSE)", (isar0 >> 20) & 0xf);
  LSE("ldadd", "ldadd %1, %0, [%2]", 5, 3);
  LSE("ldclral", "ldclral %1, %0, [%2]", 0xff, 0x0f);
  LSE("ldeora", "ldeora %1, %0, [%2]", 0xff, 0x0f);
  LSE("ldsetl", "ldsetl %1, %0, [%2]", 0xf0, 0x0f);
  LSE("ldsmax", "ldsmax %1, %0, [%2]", 0x8000000000000000UL, 1);
  LSE("ldsmin", "ldsmin %1, %0, [%2]", 0x8000000000000000UL, 1);
  LSE("ldumax", "ldumax %1, %0, [%2]", 0x8000000000000000UL, 1);
  LSE("ldumin", "ldumin %1, %0, [%2]", 0x8000000000000000UL, 1);
  LSE("swpal", "swpal %1, %0, [%2]", 7, 9);
  LSE("ldaddb", "ldaddb %w1, %w0, [%2]", 0xff, 1);
  LSE("stadd (ldadd xzr)", "stadd %1, [%2]", 5, 3);
  LSE("cas (equal)", "cas %1, %0, [%2]", 7, 7);
  LSE("casal (not equal)", "casal %1, %0, [%2]", 7, 8);
  /* casp needs even/odd register pairs: the registers are loaded inside the asm */
  u64 s0, s1;
  pair[0] = 1;
  pair[1] = 2;
  exc_reset();
  __asm__ volatile(".arch_extension lse\n mov x4, #1\n mov x5, #2\n mov x6, #3\n mov x7, #4\n"
                   " casp x4, x5, x6, x7, [%2]\n mov %0, x4\n mov %1, x5"
                   : "=r"(s0), "=r"(s1) : "r"(pair) : "memory", "x4", "x5", "x6", "x7");
  print("casp (equal)");
  if (exc.count)
    printf(": UNDEFINED (EC 0x%02x)\n", (u32)ESR_EC(exc.esr));
  else
    printf(": Rs %lx %lx, memory %lx %lx\n", s0, s1, pair[0], pair[1]);
}

int main(void)
{
  print("isa-atomic\n");
  mmu_identity_on();
  exclusives();
  acquire_release();
  lse_probe();
  finish("isa-atomic");
}
