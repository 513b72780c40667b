/* sv39: Sv39 translation from S-mode (priv spec 1.12 §4.3 Sv32 algorithm, §4.4 Sv39).
 * M-mode builds the tables, delegates page faults (causes 12/13/15) to S and runs the tests in S.
 * Virtual layout (root table index = VA[38:30]):
 *   0  0x00000000 1 GiB identity gigapage, RW (UART, CLINT, test device)
 *   1  0x40000000 → level-1 table: [0] → level-0 table of 4 KiB test pages (below),
 *                   [1] 0x40200000 2 MiB megapage → PA 0x80400000, [2] misaligned megapage
 *   2  0x80000000 1 GiB identity gigapage, RWX (this program)
 *   3  0xc0000000 1 GiB gigapage → PA 0x80000000 (an alias of RAM)
 *   4  0x100000000 misaligned gigapage (PPN[1] != 0)
 * Lines print PTE flag bits (D A G U X W R V = bits 7..0) and trap causes with stval. */
#include "rt.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE(pa, flags) ((((u64)(pa) >> 12) << 10) | (flags))

static u64 root[512] __attribute__((aligned(4096)));
static u64 l1[512] __attribute__((aligned(4096)));
static u64 l0[512] __attribute__((aligned(4096)));
static volatile u64 tpage[8][512] __attribute__((aligned(4096)));

/* a page of code reached through a 4 KiB X mapping */
__attribute__((section(".text.xpage"), aligned(4096), noinline)) u64 xpage_fn(u64 a) { return a + 42; }

#define VA_PAGE(i) (0x40000000UL + 0x1000UL * (i))
#define VA_MEGA    0x40200000UL
#define VA_BADMEGA 0x40400000UL
#define VA_GIGA    0xc0000000UL
#define VA_BADGIGA 0x100000000UL
#define PA_MEGA    0x80400000UL

enum { P_AD, P_RO, P_XO, P_U, P_INV, P_WO, P_SW, P_X };

static void build(void)
{
  root[0] = PTE(0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  root[1] = PTE(l1, PTE_V);
  root[2] = PTE(0x80000000UL, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
  root[3] = PTE(0x80000000UL, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  root[4] = PTE(0x80200000UL, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);   /* PPN[1] != 0 */
  l1[0] = PTE(l0, PTE_V);
  l1[1] = PTE(PA_MEGA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  l1[2] = PTE(PA_MEGA + 0x1000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D); /* PPN[0] != 0 */
  l0[P_AD] = PTE(tpage[P_AD], PTE_V | PTE_R | PTE_W);                   /* A = D = 0 */
  l0[P_RO] = PTE(tpage[P_RO], PTE_V | PTE_R);
  l0[P_XO] = PTE(tpage[P_XO], PTE_V | PTE_X | PTE_A);
  l0[P_U] = PTE(tpage[P_U], PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
  l0[P_INV] = PTE(tpage[P_INV], 0);
  l0[P_WO] = PTE(tpage[P_WO], PTE_V | PTE_W | PTE_A | PTE_D);           /* W without R: reserved */
  l0[P_SW] = PTE(tpage[P_SW], PTE_V | PTE_R | PTE_A);
  l0[P_X] = PTE(xpage_fn, PTE_V | PTE_X | PTE_A);
  for (int i = 0; i < 8; i++)
    tpage[i][0] = 0x1000 + i;
  *(volatile u64 *)PA_MEGA = 0x2000;
  *(volatile u64 *)(PA_MEGA + 0x1ffff8) = 0x2001;
}

static u64 ld(u64 va) { u64 v; __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(va) : "memory"); return v; }
static void sd(u64 va, u64 v) { __asm__ volatile("sd %0, 0(%1)" :: "r"(v), "r"(va) : "memory"); }

/* prints the S-mode trap the last access took (stval relative to a base) or its value */
static void outcome(const char *name, u64 v)
{
  print(name);
  if (s_trap.count) {
    print(": scause = ");
    put_hex(s_trap.cause);
    print(" stval = ");
    put_hex(s_trap.tval);
  } else {
    print(" = ");
    put_hex(v);
  }
  nl();
  trap_reset();
}

static void flags(const char *name, u64 pte)
{
  show(name, pte & 0x3ff);
}

static u64 s_tests(u64 arg)
{
  (void)arg;
  trap_reset();
  show("satp", csr_read(satp) >> 60);
  /* A/D (§4.3.1 step 7): QEMU updates them in hardware (Svadu-like) instead of faulting */
  flags("PTE flags before access", l0[P_AD]);
  outcome("load via A=0 page", ld(VA_PAGE(P_AD)));
  flags("PTE flags after load", l0[P_AD]);
  sd(VA_PAGE(P_AD), 0x5555);
  outcome("store via D=0 page", ld(VA_PAGE(P_AD)));
  flags("PTE flags after store", l0[P_AD]);
  /* permissions (§4.3.1 step 5): faults report the virtual address in stval */
  outcome("load via R page", ld(VA_PAGE(P_RO)));
  sd(VA_PAGE(P_RO) + 8, 1);
  outcome("store via R page", 0);
  outcome("load via X page, MXR=0", ld(VA_PAGE(P_XO)));
  csr_set(sstatus, MSTATUS_MXR);
  outcome("load via X page, MXR=1", ld(VA_PAGE(P_XO)));
  csr_clear(sstatus, MSTATUS_MXR);
  outcome("load via invalid PTE", ld(VA_PAGE(P_INV) + 0x10));
  sd(VA_PAGE(P_INV) + 0x18, 1);
  outcome("store via invalid PTE", 0);
  outcome("load via W-only PTE (reserved)", ld(VA_PAGE(P_WO)));
  sd(VA_PAGE(P_SW), 7);
  outcome("store via R page with A=1 D=0", 0);
  flags("  its PTE flags", l0[P_SW]);
  /* U pages from S (§4.1.1.2): need SUM for loads/stores, never executable */
  outcome("load via U page, SUM=0", ld(VA_PAGE(P_U)));
  csr_set(sstatus, MSTATUS_SUM);
  outcome("load via U page, SUM=1", ld(VA_PAGE(P_U)));
  sd(VA_PAGE(P_U) + 8, 9);
  outcome("store via U page, SUM=1", ld(VA_PAGE(P_U) + 8));
  u64 (*ufn)(u64) = (u64 (*)(u64))VA_PAGE(P_U);
  u64 r = ufn(1);
  outcome("execute U page from S, SUM=1", r);
  csr_clear(sstatus, MSTATUS_SUM);
  /* instruction fetch through a 4 KiB X mapping, and from a non-X page */
  u64 (*xfn)(u64) = (u64 (*)(u64))VA_PAGE(P_X);
  outcome("call via X page: xpage_fn(1)", xfn(1));
  u64 (*rfn)(u64) = (u64 (*)(u64))VA_PAGE(P_RO);
  r = rfn(1);
  outcome("execute R page", r);
  u64 (*ifn)(u64) = (u64 (*)(u64))(VA_PAGE(P_INV) + 0x40);
  r = ifn(1);
  outcome("execute invalid page", r);
  /* superpages (§4.4.1): 2 MiB and 1 GiB leaves; a misaligned one is a page fault */
  outcome("load 2 MiB page +0", ld(VA_MEGA));
  outcome("load 2 MiB page +0x1ffff8", ld(VA_MEGA + 0x1ffff8));
  outcome("load misaligned 2 MiB page", ld(VA_BADMEGA + 0x100));
  sd(VA_GIGA + ((u64)(uintptr_t)&tpage[7][1] - 0x80000000UL), 0x3000);
  outcome("store via 1 GiB alias, read back physically", tpage[7][1]);
  outcome("load misaligned 1 GiB page", ld(VA_BADGIGA + 0x200));
  /* non-canonical VA (§4.4.1: bits 63:39 must equal bit 38) */
  outcome("load non-canonical 0x0000008000000000", ld(0x0000008000000000UL));
  outcome("load non-canonical 0xffffff0000000000", ld(0xffffff0000000000UL));
  outcome("load canonical 0xffffffc000000000 (unmapped)", ld(0xffffffc000000000UL));
  /* changing a PTE takes effect after sfence.vma (§4.2.1) */
  outcome("load page 6 before remap", ld(VA_PAGE(P_SW)));
  l0[P_SW] = PTE(tpage[7], PTE_V | PTE_R | PTE_A);
  __asm__ volatile("sfence.vma %0, zero" :: "r"(VA_PAGE(P_SW)) : "memory");
  outcome("load page 6 after remap + sfence.vma", ld(VA_PAGE(P_SW)));
  l0[P_INV] = PTE(tpage[P_INV], PTE_V | PTE_R | PTE_A);
  sfence_vma();
  outcome("load formerly invalid page after sfence.vma", ld(VA_PAGE(P_INV) + 0x10));
  return 0;
}

int main(void)
{
  print("sv39\n");
  build();
  tpage[P_INV][2] = 0x1004;
  tpage[P_U][1] = 0;
  csr_write(stvec, (u64)(uintptr_t)s_trap_entry);
  csr_write(medeleg, (1UL << 12) | (1UL << 13) | (1UL << 15));
  csr_write(satp, (8UL << 60) | ((u64)(uintptr_t)root >> 12));
  sfence_vma();
  (void)run_in_mode(PRV_S, s_tests, 0);
  csr_write(medeleg, 0);
  /* M-mode with MPRV = 1, MPP = S: loads translate as S (§3.1.6.3); faults stay in M */
  trap_reset();
  u64 st = csr_read(mstatus);
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, MSTATUS_MPRV | (1UL << 11));
  u64 v = ld(VA_MEGA);
  u64 w = ld(VA_PAGE(P_RO) + 0x1000 * 0x100);
  csr_write(mstatus, st);
  show("M MPRV=1 MPP=S load 2 MiB page", v);
  show("M MPRV=1 MPP=S load unmapped: mcause", m_trap.cause);
  show("M MPRV=1 MPP=S load unmapped: mtval", m_trap.tval);
  (void)w;
  csr_write(satp, 0);
  finish();
}
