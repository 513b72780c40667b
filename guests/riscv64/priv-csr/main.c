/* priv-csr: CSR access rights, WARL fields, trap causes and xRET behaviour (priv spec 1.12:
 * §2.1 CSR address map, §3.1 M-mode CSRs, §3.3 mret/sret/wfi, §4.1 S-mode CSRs).
 * Each "trial" runs one instruction in a given mode (run_in_mode) and prints the trap it took:
 * mcause and mtval (QEMU writes the faulting instruction's bits to mtval for illegal
 * instructions; the hart must do the same). */
#include "rt.h"

/* one-instruction trial bodies, run in U, S or M */
#define BODY(name, text) static u64 name(u64 a) { __asm__ volatile(text ::: "memory", "t0"); return a; }
BODY(b_csrr_mstatus, "csrr t0, mstatus")
BODY(b_csrw_mstatus, "csrw mstatus, zero")
BODY(b_csrr_sstatus, "csrr t0, sstatus")
BODY(b_csrr_mscratch, "csrr t0, mscratch")
BODY(b_csrr_mhartid, "csrr t0, mhartid")
BODY(b_csrw_mhartid, "csrw mhartid, zero")
BODY(b_csrrs_mhartid_x0, "csrrs t0, mhartid, x0")
BODY(b_csrrsi_mhartid_1, "csrrsi t0, mhartid, 1")
BODY(b_csrrsi_mhartid_0, "csrrsi t0, mhartid, 0")
BODY(b_csrw_cycle, "csrw cycle, zero")
BODY(b_csrr_cycle, "csrr t0, cycle")
BODY(b_csrr_time, "csrr t0, time")
BODY(b_csrr_instret, "csrr t0, instret")
BODY(b_csrr_satp, "csrr t0, satp")
BODY(b_sfence, "sfence.vma")
BODY(b_csrr_unknown, "csrr t0, 0x8ff")
BODY(b_csrr_unknown_m, "csrr t0, 0x7ff")
BODY(b_ecall, "li a7, 0\n ecall")
BODY(b_ebreak, "ebreak")
BODY(b_zero32, ".4byte 0x00000000")
BODY(b_ones32, ".4byte 0xffffffff")
BODY(b_sret, "sret")
BODY(b_mret, "mret")
BODY(b_wfi, "wfi")

static void trial(const char *name, u64 mode, u64 (*fn)(u64))
{
  trap_reset();
  if (mode == PRV_M)
    fn(0);
  else
    run_in_mode(mode, fn, 0);
  print(name);
  if (!m_trap.count) {
    print(": no trap\n");
    return;
  }
  print(": mcause = ");
  put_hex(m_trap.cause);
  print(" mtval = ");
  put_hex(m_trap.tval);
  if (m_trap.count != 1) {
    print(" traps = ");
    put_dec(m_trap.count);
  }
  nl();
  trap_reset();
}

static void access_rights(void)
{
  /* §2.1: csr[9:8] = lowest privilege that may access; csr[11:10] = 11 means read-only */
  trial("U csrr mstatus", PRV_U, b_csrr_mstatus);
  trial("U csrr sstatus", PRV_U, b_csrr_sstatus);
  trial("S csrr mstatus", PRV_S, b_csrr_mstatus);
  trial("S csrw mstatus", PRV_S, b_csrw_mstatus);
  trial("S csrr mscratch", PRV_S, b_csrr_mscratch);
  trial("S csrr mhartid", PRV_S, b_csrr_mhartid);
  trial("S csrr sstatus", PRV_S, b_csrr_sstatus);
  trial("M csrr mhartid", PRV_M, b_csrr_mhartid);
  trial("M csrw mhartid", PRV_M, b_csrw_mhartid);
  trial("M csrrs mhartid,x0", PRV_M, b_csrrs_mhartid_x0);
  trial("M csrrsi mhartid,0", PRV_M, b_csrrsi_mhartid_0);
  trial("M csrrsi mhartid,1", PRV_M, b_csrrsi_mhartid_1);
  trial("M csrw cycle", PRV_M, b_csrw_cycle);
  trial("M csrr cycle", PRV_M, b_csrr_cycle);
  trial("M csrr time", PRV_M, b_csrr_time);
  trial("M csrr instret", PRV_M, b_csrr_instret);
  trial("M csrr 0x7ff (unimplemented)", PRV_M, b_csrr_unknown_m);
  trial("U csrr 0x8ff (unimplemented)", PRV_U, b_csrr_unknown);
  /* counter enables (§3.1.11, §4.1.5): S needs mcounteren, U needs mcounteren and scounteren */
  csr_write(mcounteren, 0);
  csr_write(scounteren, 0);
  trial("S csrr cycle, mcounteren=0", PRV_S, b_csrr_cycle);
  trial("S csrr time, mcounteren=0", PRV_S, b_csrr_time);
  csr_write(mcounteren, 7);
  trial("S csrr cycle, mcounteren=7", PRV_S, b_csrr_cycle);
  trial("S csrr time, mcounteren=7", PRV_S, b_csrr_time);
  trial("U csrr instret, mcounteren=7 scounteren=0", PRV_U, b_csrr_instret);
  csr_write(scounteren, 7);
  trial("U csrr instret, mcounteren=7 scounteren=7", PRV_U, b_csrr_instret);
  csr_write(mcounteren, 0);
  trial("U csrr cycle, mcounteren=0 scounteren=7", PRV_U, b_csrr_cycle);
  csr_write(scounteren, 0);
  /* TVM (§3.1.6.5): satp and sfence.vma trap in S-mode */
  csr_set(mstatus, MSTATUS_TVM);
  trial("S csrr satp, TVM=1", PRV_S, b_csrr_satp);
  trial("S sfence.vma, TVM=1", PRV_S, b_sfence);
  csr_clear(mstatus, MSTATUS_TVM);
  trial("S csrr satp, TVM=0", PRV_S, b_csrr_satp);
}

static void causes(void)
{
  /* §3.1.15 exception codes: ecall from U/S/M = 8/9/11, breakpoint = 3, illegal = 2 */
  trial("U ecall", PRV_U, b_ecall);
  trial("S ecall", PRV_S, b_ecall);
  trial("M ecall", PRV_M, b_ecall);
  trial("U ebreak", PRV_U, b_ebreak);
  trial("M ebreak", PRV_M, b_ebreak);
  /* 0x00000000: its low halfword is the defined-illegal 16-bit 0x0000, so the handler
   * (which skips by the low bits' length) sees two traps */
  trial("M .4byte 0x00000000", PRV_M, b_zero32);
  trial("M .4byte 0xffffffff", PRV_M, b_ones32);
  trial("U sret", PRV_U, b_sret);
  trial("U mret", PRV_U, b_mret);
  trial("S mret", PRV_S, b_mret);
  csr_set(mstatus, MSTATUS_TSR);
  trial("S sret, TSR=1", PRV_S, b_sret);
  csr_clear(mstatus, MSTATUS_TSR);
  /* §3.1.6.5 TW: wfi in S (or U) traps when TW = 1; wfi in U traps when S-mode exists
   * (unless it completes in bounded time) */
  csr_set(mstatus, MSTATUS_TW);
  trial("S wfi, TW=1", PRV_S, b_wfi);
  trial("U wfi, TW=1", PRV_U, b_wfi);
  csr_clear(mstatus, MSTATUS_TW);
  trial("U wfi, TW=0", PRV_U, b_wfi);
}

static void warl(void)
{
  u64 v, save = csr_read(mstatus);
  /* misa: print only I M A F D C S U H and MXL (other bits are implementation detail) */
  v = csr_read(misa);
  show("misa MXL", v >> 62);
  show("misa IMAFDCSUH bits", v & ((1 << 8) | (1 << 12) | (1 << 0) | (1 << 5) | (1 << 3) | (1 << 2) |
                                   (1 << 18) | (1 << 20) | (1 << 7)));
  show("mhartid", csr_read(mhartid));
  /* mstatus.MPP is WARL (§3.1.6.1). Writing the reserved 2 is not tried: QEMU 7.2 keeps it
   * instead of reading back a legal mode. */
  csr_clear(mstatus, MSTATUS_MPP);
  show("mstatus.MPP after writing 0", (csr_read(mstatus) >> 11) & 3);
  csr_set(mstatus, 1UL << 11);
  show("mstatus.MPP after writing 1", (csr_read(mstatus) >> 11) & 3);
  show("mstatus.UXL", (csr_read(mstatus) >> 32) & 3);
  show("mstatus.SXL", (csr_read(mstatus) >> 34) & 3);
  csr_clear(mstatus, 0xfUL << 32);
  show("mstatus.UXL/SXL after writing 0", (csr_read(mstatus) >> 32) & 0xf);
  csr_write(mstatus, save);
  /* sstatus is a restricted view of mstatus (§4.1.1) */
  csr_set(sstatus, MSTATUS_SUM | MSTATUS_MIE | MSTATUS_MPP);
  v = csr_read(mstatus);
  show("mstatus.SUM after sstatus write", (v >> 18) & 1);
  show("mstatus.MIE after sstatus write", (v >> 3) & 1);
  show("mstatus.MPP after sstatus write", (v >> 11) & 3);
  csr_write(mstatus, save);
  /* delegation registers (§3.1.8): writable bits. medeleg[11] (ecall from M) is masked out
   * (it should be read-only zero; QEMU 7.2 keeps it); interrupt bits above 12 (bit 13 = LCOFI of
   * Sscofpmf, which QEMU has) are masked out too. */
  csr_write(medeleg, ~0UL);
  show("medeleg after writing all ones (bit 11 masked)", csr_read(medeleg) & ~(1UL << 11));
  csr_write(medeleg, 0);
  csr_write(mideleg, ~0UL);
  show("mideleg after writing all ones (bits 12:0)", csr_read(mideleg) & 0x1fff);
  csr_write(mideleg, 0);
  show("mideleg after writing 0", csr_read(mideleg));
  csr_write(mie, ~0UL);
  show("mie after writing all ones (bits 12:0)", csr_read(mie) & 0x1fff);
  csr_write(mie, 0);
  csr_write(mideleg, MIP_SSIP | MIP_STIP | MIP_SEIP);
  csr_write(sie, ~0UL);
  show("sie after writing all ones (mideleg = SSIP|STIP|SEIP)", csr_read(sie));
  show("mie after that", csr_read(mie));
  csr_write(sie, 0);
  csr_write(mideleg, 0);
  /* mepc: bit 1 writable with C (§3.1.14). (Bit 0 should read zero; QEMU 7.2 keeps it, so
   * it is not tried.) */
  v = csr_swap(mepc, 0x80000006UL);
  show("mepc after writing 0x80000006", csr_read(mepc));
  csr_write(mepc, v);
  /* mtvec MODE >= 2 is reserved (§3.1.7); record what QEMU keeps */
  v = csr_read(mtvec);
  csr_write(mtvec, 0x80001002UL);
  show("mtvec unchanged after writing 0x80001002", csr_read(mtvec) == v);
  csr_write(mtvec, 0x80001001UL);
  show("mtvec after writing 0x80001001", csr_read(mtvec));
  csr_write(mtvec, 0x80001007UL);
  show("mtvec after writing 0x80001007", csr_read(mtvec));
  csr_write(mtvec, v);
  v = csr_read(stvec);
  csr_write(stvec, 0x80001003UL);
  show("stvec after writing 0x80001003", csr_read(stvec));
  csr_write(stvec, v);
  /* mscratch/sscratch are plain read/write; csrrw returns the old value */
  v = csr_read(mscratch);
  csr_write(mscratch, 0x1234);
  show("csrrw mscratch old", csr_swap(mscratch, 0x5678));
  show("mscratch", csr_read(mscratch));
  csr_write(mscratch, v);
}

/* mret/sret stack updates (§3.1.6.1, §3.3.2) */
static u64 ret_m_to_m(void)
{
  u64 st;
  /* MPP = M, MPIE = 0, MIE = 0: after mret MIE = 0, MPIE = 1, MPP = U (least privileged) */
  csr_clear(mstatus, MSTATUS_MIE | MSTATUS_MPIE);
  csr_set(mstatus, MSTATUS_MPP);
  __asm__ volatile("lla t0, 1f\n csrw mepc, t0\n mret\n 1: csrr %0, mstatus" : "=r"(st) :: "t0", "memory");
  return st;
}

static u64 s_sret_s_to_s(u64 a)
{
  u64 st;
  (void)a;
  /* SPP = S, SPIE = 1, SIE = 0: after sret SIE = 1, SPIE = 1, SPP = U */
  csr_clear(sstatus, MSTATUS_SIE);
  csr_set(sstatus, MSTATUS_SPIE | MSTATUS_SPP);
  __asm__ volatile("lla t0, 1f\n csrw sepc, t0\n sret\n 1: csrr %0, sstatus" : "=r"(st) :: "t0", "memory");
  csr_clear(sstatus, MSTATUS_SIE);
  return st;
}


static void xret(void)
{
  u64 st = ret_m_to_m();
  show("mret M->M: MIE", (st >> 3) & 1);
  show("mret M->M: MPIE", (st >> 7) & 1);
  show("mret M->M: MPP", (st >> 11) & 3);
  st = run_in_mode(PRV_S, s_sret_s_to_s, 0);
  show("sret S->S: SIE", (st >> 1) & 1);
  show("sret S->S: SPIE", (st >> 5) & 1);
  show("sret S->S: SPP", (st >> 8) & 1);
  /* (priv 1.12 §3.1.6.3: mret to a lower mode clears MPRV. Not tried: QEMU 7.2 keeps it.) */
  /* a trap from S records MPP = 1 and MPIE = old MIE */
  trap_reset();
  (void)run_in_mode(PRV_S, b_ecall, 0);
  show("trap from S: MPP", (m_trap.status >> 11) & 3);
  show("trap from S: MPIE", (m_trap.status >> 7) & 1);
  show("trap from S: mepc - b_ecall", m_trap.epc - (u64)(uintptr_t)b_ecall);
  trap_reset();
}

int main(void)
{
  print("priv-csr\n");
  warl();
  access_rights();
  causes();
  xret();
  finish();
}
