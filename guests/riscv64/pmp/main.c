/* pmp: physical memory protection (priv spec 1.12 §3.7), what QEMU's virt machine enforces.
 * M-mode sets up the entries below, then runs each access in S-mode (faults trap to M, are
 * recorded and skipped) and a few in M-mode (only locked entries bind M):
 *   0 OFF    pmpaddr0 = area                (the lower bound of entry 1)
 *   1 TOR    [area, area + 4K)              R
 *   2 NA4    area + 4K                      R W
 *   3 NAPOT  [area + 4K, area + 8K)         none
 *   4 NAPOT  [area + 8K, area + 12K)        X        (a function is copied there)
 *   5 NAPOT  everything                     R W X
 * and, at the end, entry 4 is locked with R only: M-mode stores there then fault, and writes
 * to the locked entry's pmpcfg byte and pmpaddr are ignored.
 * Lines: "name = value" for loads, trap causes (5 load, 7 store, 1 fetch access fault) with mtval. */
#include "rt.h"

static volatile u32 area[3 * 1024] __attribute__((aligned(16384)));

#define A(off) ((u64)(uintptr_t)area + (off))
#define NAPOT(base, size) (((base) >> 2) | (((size) >> 3) - 1))
#define CFG(i, v) ((u64)(v) << (8 * (i)))
enum { OFF = 0, TOR = 1 << 3, NA4 = 2 << 3, NAPOT_ = 3 << 3, R = 1, W = 2, X = 4, L = 0x80 };

/* the code placed in the X-only page: `addi a0, a0, 5; ret` */
static const u32 code_add5[2] = { 0x00550513u, 0x00008067u };

static u64 ld32(u64 addr) { return *(volatile u32 *)(uintptr_t)addr; }
static u64 ld64(u64 addr) { return *(volatile u64 *)(uintptr_t)addr; }
static void st32(u64 addr, u32 v) { *(volatile u32 *)(uintptr_t)addr = v; }

static void report(const char *name)
{
  print(name);
  if (m_trap.count) {
    print(": cause ");
    put_dec(m_trap.cause);
    print(" mtval ");
    put_hex(m_trap.tval - (u64)(uintptr_t)area);
    print(" (area+)");
  } else {
    print(": ok");
  }
  nl();
  trap_reset();
}

static u64 s_load32(u64 off) { return ld32(A(off)); }
static u64 s_load64(u64 off) { return ld64(A(off)); }
static u64 s_store32(u64 off) { st32(A(off), 0x5a5a0000u | (u32)off); return 0; }
static u64 s_call(u64 off) { return ((u64(*)(u64))(uintptr_t)A(off))(10); }
static u64 s_read_ro_as_code(u64 off) { return ((u64(*)(u64))(uintptr_t)A(off))(1); }

static void in_s(const char *name, u64 (*fn)(u64), u64 off)
{
  trap_reset();
  u64 v = run_in_mode(PRV_S, fn, off);
  print(name);
  print(" -> ");
  put_hex(m_trap.count ? 0 : v);
  print("; ");
  report("");
}

int main(void)
{
  area[0] = 0x11111111;
  area[1024] = 0x22222222;
  area[1025] = 0x33333333;
  area[2048] = code_add5[0];
  area[2049] = code_add5[1];
  fence_i();

  csr_write(pmpaddr0, A(0) >> 2);
  csr_write(pmpaddr1, A(4096) >> 2);
  csr_write(pmpaddr2, A(4096) >> 2);
  csr_write(pmpaddr3, NAPOT(A(4096), 4096));
  csr_write(pmpaddr4, NAPOT(A(8192), 4096));
  csr_write(pmpaddr5, -1UL);
  csr_write(pmpcfg0, CFG(0, OFF) | CFG(1, TOR | R) | CFG(2, NA4 | R | W) | CFG(3, NAPOT_) | CFG(4, NAPOT_ | X) |
                     CFG(5, NAPOT_ | R | W | X));
  show("pmpcfg0", csr_read(pmpcfg0));

  in_s("S load area+0 (TOR R)", s_load32, 0);
  in_s("S store area+0 (TOR R)", s_store32, 0);
  in_s("S load area+4 (TOR R)", s_load32, 4);
  in_s("S load area+4096 (NA4 RW)", s_load32, 4096);
  in_s("S store area+4096 (NA4 RW)", s_store32, 4096);
  in_s("S load area+4100 (NAPOT none)", s_load32, 4100);
  in_s("S store area+4100 (NAPOT none)", s_store32, 4100);
  in_s("S 8-byte load area+4096 (NA4 covers half)", s_load64, 4096);
  in_s("S call area+8192 (NAPOT X)", s_call, 8192);
  in_s("S load area+8192 (NAPOT X)", s_load32, 8192);
  in_s("S call area+0 (TOR R, not X)", s_read_ro_as_code, 0);
  in_s("S load beyond area (everything RWX)", s_load32, 12288);

  /* M-mode: unlocked entries do not bind it */
  trap_reset();
  st32(A(4100), 0x44444444);
  report("M store area+4100 (NAPOT none, unlocked)");
  show("area+4100", ld32(A(4100)));

  /* lock entry 4 as read-only: binds M too, and its configuration can no longer change */
  csr_write(pmpcfg0, CFG(0, OFF) | CFG(1, TOR | R) | CFG(2, NA4 | R | W) | CFG(3, NAPOT_) | CFG(4, NAPOT_ | R | L) |
                     CFG(5, NAPOT_ | R | W | X));
  trap_reset();
  st32(A(8192), 0);
  report("M store area+8192 (locked R)");
  show("M load area+8192", ld32(A(8192)));
  csr_write(pmpcfg0, CFG(5, NAPOT_ | R | W | X));
  csr_write(pmpaddr4, 0);
  show("pmpcfg0 after writing over the lock", csr_read(pmpcfg0));
  show("pmpaddr4 after writing over the lock", csr_read(pmpaddr4) == (NAPOT(A(8192), 4096)));
  finish();
}
