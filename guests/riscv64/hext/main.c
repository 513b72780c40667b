/* hext: the hypervisor extension (priv spec 1.12 ch. 8) as QEMU 7.2 implements it.
 * M-mode delegates the guest-related traps to HS (medeleg) and runs hs_main in HS-mode. HS builds
 * a G-stage Sv39x4 table (§8.5.1), then runs small guest functions in VS-mode (sret with
 * hstatus.SPV = 1, §8.4.1); the guest keeps vsatp = Bare, so its addresses are GPAs.
 * G-stage map (root index = GPA[40:30], 2048 entries, 16 KiB):
 *   0      0x00000000  1 GiB identity (UART, CLINT)         U R W
 *   1      0x40000000  → level-1 → level-0 table of 4 KiB test pages:
 *            +0x0000 → gpage[0] U R W   +0x1000 → gpage[1] U R   +0x2000 invalid
 *            +0x3000 → gpage[3] R W (no U: every G-stage access counts as U, §8.5.1)
 *   2      0x80000000  1 GiB identity (this program)         U R W X
 * (GPAs with bit 40 set are not tried: QEMU 7.2 wrongly applies the sign-extension check of
 * VS-stage addresses to G-stage GPAs and faults on them.)
 * Guest page faults report stval = GVA and htval = GPA >> 2 (§8.6.3). */
#include "rt.h"

#define HSTATUS 0x600
#define HEDELEG 0x602
#define HIDELEG 0x603
#define HIE     0x604
#define HVIP    0x645
#define HGATP   0x680
#define VSSTATUS 0x200
#define VSIE    0x204
#define VSTVEC  0x205
#define VSSCRATCH 0x240
#define VSATP   0x280
#define HSTATUS_SPV  (1UL << 7)
#define HSTATUS_SPVP (1UL << 8)
#define HSTATUS_GVA  (1UL << 6)
#define HSTATUS_VTW  (1UL << 21)
#define HSTATUS_VTSR (1UL << 22)

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE(pa, flags) ((((u64)(pa) >> 12) << 10) | (flags))

static u64 groot[2048] __attribute__((aligned(16384)));
static u64 gl1[512] __attribute__((aligned(4096)));
static u64 gl0[512] __attribute__((aligned(4096)));
static volatile u64 gpage[4][512] __attribute__((aligned(4096)));
static u8 vs_stack[4096] __attribute__((aligned(16)));

#define GPA_PAGE(i) (0x40000000UL + 0x1000UL * (i))

static void build_gstage(void)
{
  const u64 rwxu = PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D;
  groot[0] = PTE(0, rwxu);
  groot[1] = PTE(gl1, PTE_V);
  groot[2] = PTE(0x80000000UL, rwxu | PTE_X);
  gl1[0] = PTE(gl0, PTE_V);
  gl0[0] = PTE(gpage[0], rwxu);
  gl0[1] = PTE(gpage[1], PTE_V | PTE_R | PTE_U | PTE_A);
  gl0[2] = 0;
  gl0[3] = PTE(gpage[3], PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  for (int i = 0; i < 4; i++)
    gpage[i][0] = 0x4000 + i;
}

static inline void hfence_gvma(void)
{
  __asm__ volatile(".option push\n .option arch, +h\n hfence.gvma\n .option pop" ::: "memory");
}

/* ---------------- guest (VS-mode) functions ---------------- */
static volatile u64 irq_seen;

static u64 g_ecall(u64 a) { __asm__ volatile("li a7, 0\n ecall" ::: "a7", "memory"); return a; }
static u64 g_load(u64 gva) { u64 v; __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(gva) : "memory"); return v; }
static u64 g_store(u64 gva) { __asm__ volatile("sd %0, 8(%0)" :: "r"(gva) : "memory"); return 0; }
static u64 g_call(u64 gva) { return ((u64 (*)(u64))gva)(5); }
static u64 g_read_sstatus(u64 a) { (void)a; return csr_read(sstatus); }
static u64 g_write_sscratch(u64 a) { csr_write(sscratch, a); return 0; }
static u64 g_read_satp(u64 a) { (void)a; return csr_read(satp); }
static u64 g_read_hstatus(u64 a) { (void)a; return csr_read(0x600); }
static u64 g_read_mstatus(u64 a) { (void)a; return csr_read(mstatus); }
static u64 g_read_vsstatus(u64 a) { (void)a; return csr_read(0x200); }
static u64 g_hlv(u64 gva)
{
  u64 v = 0;
  __asm__ volatile(".option push\n .option arch, +h\n hlv.w %0, (%1)\n .option pop" : "+r"(v) : "r"(gva) : "memory");
  return v;
}
static u64 g_ebreak(u64 a) { __asm__ volatile("ebreak" ::: "memory"); return a; }
static u64 g_wfi(u64 a) { __asm__ volatile("wfi" ::: "memory"); return a; }
static u64 g_sret(u64 a) { __asm__ volatile("sret" ::: "memory"); return a; }
/* enable interrupt bits `mask` in (v)sie and (v)sstatus.SIE and wait until one was taken */
static u64 g_wait_irq(u64 mask)
{
  csr_set(sie, mask);
  csr_set(sstatus, MSTATUS_SIE);
  while (!irq_seen)
    ;
  csr_clear(sstatus, MSTATUS_SIE);
  csr_clear(sie, mask);
  return 0;
}

static int vs_irq(struct frame *f)
{
  if (!(f->cause & CAUSE_INTR))
    return 0;
  u64 code = f->cause & ~CAUSE_INTR;
  if (code == 1)
    csr_clear(sip, MIP_SSIP);      /* in VS this clears hvip.VSSIP (§8.2.12 vsip) */
  else
    csr_clear(sie, 1UL << code);   /* VSTIP can only be cleared by HS */
  vs_trap.count++;
  vs_trap.cause = f->cause;
  irq_seen = 1;
  return 1;
}

static int hs_irq(struct frame *f)
{
  if (!(f->cause & CAUSE_INTR))
    return 0;
  u64 code = f->cause & ~CAUSE_INTR;
  if (code == 2 || code == 6)
    csr_clear(HVIP, 1UL << code);
  s_trap.count++;
  s_trap.cause = f->cause;
  s_trap.status = f->status;
  s_trap.hstatus = csr_read(HSTATUS);
  irq_seen = 1;
  return 1;
}

/* ---------------- HS-mode driver ---------------- */

static u64 guest(u64 (*fn)(u64), u64 arg)
{
  csr_set(HSTATUS, HSTATUS_SPV);
  return s_run_in_mode(1, fn, arg);
}

/* prints where the guest's trap went (HS or VS) and what it recorded */
static void outcome(const char *name, u64 v)
{
  print(name);
  if (s_trap.count) {
    print(": HS scause = ");
    put_hex(s_trap.cause);
    print(" stval = ");
    put_hex(s_trap.tval);
    print(" htval = ");
    put_hex(s_trap.tval2);
    print(" htinst = ");
    put_hex(s_trap.tinst);
    print(" hstatus.GVA = ");
    put_dec((s_trap.hstatus >> 6) & 1);
    print(" SPV = ");
    put_dec((s_trap.hstatus >> 7) & 1);
  } else if (vs_trap.count) {
    print(": VS scause = ");
    put_hex(vs_trap.cause);
    print(" stval = ");
    put_hex(vs_trap.tval);
  } else {
    print(" = ");
    put_hex(v);
  }
  nl();
  trap_reset();
}

static void hs_guest_traps(void)
{
  trap_reset();
  /* §8.6.1: ecall from VS is cause 10; medeleg delegates it to HS */
  outcome("VS ecall", guest(g_ecall, 0));
  /* guest page faults (§8.6.3): causes 20/21/23, stval = GVA, htval = GPA >> 2 */
  outcome("VS load GPA 0x40000000 (RW page)", guest(g_load, GPA_PAGE(0)));
  outcome("VS store GPA 0x40001008 (R page)", guest(g_store, GPA_PAGE(1)));
  outcome("VS load GPA 0x40002010 (invalid)", guest(g_load, GPA_PAGE(2) + 0x10));
  outcome("VS load GPA 0x40003000 (no U bit)", guest(g_load, GPA_PAGE(3)));
  outcome("VS load GPA 0xc0000040 (no entry)", guest(g_load, 0xc0000040UL));
  outcome("VS fetch GPA 0x40002000 (invalid)", guest(g_call, GPA_PAGE(2)));
  outcome("VS fetch GPA 0x40000000 (no X)", guest(g_call, GPA_PAGE(0)));
  outcome("VS load GPA 0x20000000000 (beyond 41 bits)", guest(g_load, 0x20000000000UL));
  /* virtual instruction exceptions (§8.6.1, cause 22) vs illegal instruction */
  outcome("VS csrr hstatus", guest(g_read_hstatus, 0));
  outcome("VS csrr vsstatus", guest(g_read_vsstatus, 0));
  outcome("VS csrr mstatus", guest(g_read_mstatus, 0));
  /* (stval is not printed here: QEMU 7.2 leaves the previous instruction's bits in it) */
  (void)guest(g_hlv, GPA_PAGE(0));
  show("VS hlv.w: HS scause", s_trap.cause);
  trap_reset();
  csr_set(HSTATUS, HSTATUS_VTW);
  outcome("VS wfi, hstatus.VTW=1", guest(g_wfi, 0));
  csr_clear(HSTATUS, HSTATUS_VTW);
  csr_set(HSTATUS, HSTATUS_VTSR);
  outcome("VS sret, hstatus.VTSR=1", guest(g_sret, 0));
  csr_clear(HSTATUS, HSTATUS_VTSR);
  /* hedeleg passes an exception on to VS (§8.2.2): a breakpoint, seen by the guest. (Not an
   * illegal instruction: QEMU 7.2 turns a delegated cause 2 into 1, mistaking it for VSSIP.) */
  outcome("VS ebreak, hedeleg[3]=0", guest(g_ebreak, 0));
  csr_write(HEDELEG, 1UL << 3);
  outcome("VS ebreak, hedeleg[3]=1", guest(g_ebreak, 0));
  csr_write(HEDELEG, 0);
}

static void hs_aliasing(void)
{
  /* §8.2: in VS-mode the s* CSRs reach the vs* registers */
  u64 save = csr_read(VSSTATUS);
  csr_set(VSSTATUS, MSTATUS_SUM);
  csr_clear(sstatus, MSTATUS_SUM);
  u64 v = guest(g_read_sstatus, 0);
  show("VS sstatus.SUM with vsstatus.SUM=1, HS sstatus.SUM=0", (v >> 18) & 1);
  csr_write(VSSTATUS, save);
  u64 hs_scratch = csr_read(sscratch);
  u64 vs_scratch = csr_read(VSSCRATCH);
  (void)guest(g_write_sscratch, 0x2222);
  show("vsscratch after VS wrote sscratch=0x2222", csr_read(VSSCRATCH));
  show("HS sscratch unchanged", csr_read(sscratch) == hs_scratch);
  csr_write(VSSCRATCH, vs_scratch);
  csr_write(VSATP, 0);
  show("VS satp (= vsatp)", guest(g_read_satp, 0));
  trap_reset();
}

static void hs_hlv(void)
{
  /* §8.3 HLV/HSV from HS: accesses as VS (hstatus.SPVP = 1) through vsatp and hgatp */
  u64 v = 0;
  csr_set(HSTATUS, HSTATUS_SPVP);
  trap_reset();
  __asm__ volatile(".option push\n .option arch, +h\n hlv.w %0, (%1)\n .option pop" : "+r"(v) : "r"(GPA_PAGE(0)) : "memory");
  outcome("HS hlv.w GPA 0x40000000", v);
  __asm__ volatile(".option push\n .option arch, +h\n hsv.w %0, (%1)\n .option pop" :: "r"(0xabcd1234UL), "r"(GPA_PAGE(0) + 4) : "memory");
  outcome("HS hsv.w GPA 0x40000004, then host read", gpage[0][0]);
  v = 0;
  __asm__ volatile(".option push\n .option arch, +h\n hlv.wu %0, (%1)\n .option pop" : "+r"(v) : "r"(GPA_PAGE(0) + 4) : "memory");
  outcome("HS hlv.wu GPA 0x40000004", v);
  v = 0;
  __asm__ volatile(".option push\n .option arch, +h\n hlv.w %0, (%1)\n .option pop" : "+r"(v) : "r"(0xc0000080UL) : "memory");
  outcome("HS hlv.w GPA 0xc0000080 (no entry)", v);
  __asm__ volatile(".option push\n .option arch, +h\n hsv.d %0, (%1)\n .option pop" :: "r"(1UL), "r"(GPA_PAGE(1)) : "memory");
  outcome("HS hsv.d GPA 0x40001000 (R page)", 0);
  csr_clear(HSTATUS, HSTATUS_SPVP);
}

static void hs_interrupts(void)
{
  /* hvip injects VS-level interrupts (§8.2.4); with hideleg they are taken in VS, where
   * VSSIP/VSTIP appear as SSIP/STIP: scause 1 / 5 (§8.2.12) */
  vs_hook = vs_irq;
  s_hook = hs_irq;
  csr_write(HIDELEG, MIP_VSSIP | MIP_VSTIP);
  csr_write(HIE, MIP_VSSIP | MIP_VSTIP);
  irq_seen = 0;
  csr_set(HVIP, MIP_VSSIP);
  (void)guest(g_wait_irq, MIP_SSIP);
  outcome("hvip.VSSIP=1, hideleg: taken in", 0);
  show("hvip.VSSIP after the guest cleared sip.SSIP", (csr_read(HVIP) >> 2) & 1);
  irq_seen = 0;
  csr_set(HVIP, MIP_VSTIP);
  (void)guest(g_wait_irq, MIP_STIP);
  csr_clear(HVIP, MIP_VSTIP);
  outcome("hvip.VSTIP=1, hideleg: taken in", 0);
  /* Not tested: a VS-level interrupt with hideleg = 0 should be an HS interrupt with code 2
   * (§8.4.2), but QEMU 7.2 never took it in our runs (neither in VS nor in HS with SIE = 1). */
  csr_write(HIE, 0);
  csr_write(HVIP, 0);
  s_hook = 0;
  vs_hook = 0;
}

static u64 hs_main(u64 a)
{
  (void)a;
  show("hstatus.VSXL", (csr_read(HSTATUS) >> 32) & 3);
  csr_write(HGATP, (8UL << 60) | (0x3fffUL << 44));
  u64 g = csr_read(HGATP);
  show("hgatp.MODE after writing 8", g >> 60);
  show("hgatp.VMID after writing all ones", (g >> 44) & 0x3fff);
  csr_write(HGATP, (8UL << 60) | ((u64)(uintptr_t)groot >> 12));
  hfence_gvma();
  csr_write(VSTVEC, (u64)(uintptr_t)vs_trap_entry);
  csr_write(VSSCRATCH, (u64)(uintptr_t)(vs_stack + sizeof vs_stack));
  csr_write(VSATP, 0);
  csr_write(HEDELEG, 0);
  hs_guest_traps();
  hs_aliasing();
  hs_hlv();
  hs_interrupts();
  csr_write(HGATP, 0);
  return 0;
}

/* M: an ecall from VS that medeleg does not delegate arrives in M with MPV = 1 (§8.6.3);
 * the hook records it and delegates cause 10 again so the guest can return to HS */
static int m_vs_ecall(struct frame *f)
{
  if (f->cause != 10)
    return 0;
  m_trap.count++;
  m_trap.cause = f->cause;
  m_trap.status = f->status;
  m_trap.tval = f->tval;
  m_trap.tval2 = f->tval2;
  m_trap.tinst = f->tinst;
  csr_set(medeleg, 1UL << 10);
  f->epc += 4;
  return 1;
}

static u64 hs_undelegated_ecall(u64 a)
{
  (void)a;
  (void)guest(g_ecall, 0);
  return 0;
}

int main(void)
{
  print("hext\n");
  show("misa.H", rt_have_h);
  if (!rt_have_h)
    finish();
  build_gstage();
  csr_write(stvec, (u64)(uintptr_t)s_trap_entry);
  /* HS handles: illegal (2), breakpoint (3), VS ecall (10), page faults (12, 13, 15), guest page faults (20, 21,
   * 23) and virtual instruction (22) */
  csr_write(medeleg, (1UL << 2) | (1UL << 3) | (1UL << 10) | (1UL << 12) | (1UL << 13) | (1UL << 15) |
                     (1UL << 20) | (1UL << 21) | (1UL << 22) | (1UL << 23));
  /* the VS-level bits of mideleg are read-only one with H (§8.4.1). QEMU 7.2 only forces them
   * on a write (they read 0 out of reset), so write first. */
  csr_write(mideleg, 0);
  show("mideleg after writing 0", csr_read(mideleg));
  (void)run_in_mode(PRV_S, hs_main, 0);

  csr_write(HGATP, (8UL << 60) | ((u64)(uintptr_t)groot >> 12));
  csr_clear(medeleg, 1UL << 10);
  m_hook = m_vs_ecall;
  trap_reset();
  (void)run_in_mode(PRV_S, hs_undelegated_ecall, 0);
  m_hook = 0;
  show("VS ecall, medeleg[10]=0: mcause", m_trap.cause);
  show("  mstatus.MPV", (m_trap.status >> 39) & 1);
  show("  mstatus.MPP", (m_trap.status >> 11) & 3);
  show("  mstatus.GVA", (m_trap.status >> 38) & 1);
  show("  mtval", m_trap.tval);
  csr_write(HGATP, 0);
  csr_write(medeleg, 0);
  finish();
}
