/* isa-compressed: a sample of every RV64C instruction class (cops.S), then HINT encodings
 * (must execute as no-ops) and reserved/illegal encodings (must raise illegal instruction,
 * cause 2; mtval records what QEMU puts there). Unpriv spec 20191213 ch. 16. */
#include "rt.h"

void c_run(u64 *out);
void c_hint_addi0(void), c_hint_li_x0(void), c_hint_slli0(void), c_hint_srli0(void),
  c_hint_mv_x0(void), c_hint_nop_imm(void), c_ill_zero(void), c_res_addi4spn0(void),
  c_res_lui0(void), c_res_addi16sp0(void), c_res_lwsp_x0(void), c_res_ldsp_x0(void),
  c_res_jr_x0(void), c_res_addiw_x0(void), c_res_q0_100(void), c_res_ca_10(void);

static const struct { const char *name; u64 want; } res[] = {
  { "c.li a0,-32", 0xffffffffffffffe0UL },
  { "c.li 31; c.addi -1", 30 },
  { "c.addiw 0x7fffffff+1", 0xffffffff80000000UL },
  { "c.addiw 0x1_80000000,0", 0xffffffff80000000UL },
  { "c.lui 0xfffe0", 0xfffffffffffe0000UL },
  { "c.lui 0x1f", 0x1f000 },
  { "c.addi16sp -496: sp delta", 496 },
  { "c.addi4spn 1020: a0 - sp", 1020 },
  { "c.srai 0x8000000000000010,63", 0xffffffffffffffffUL },
  { "c.srli 0x8000000000000010,60", 8 },
  { "c.andi -1,-32", 0xffffffffffffffe0UL },
  { "c.slli 3,62", 0xc000000000000000UL },
  { "c.sub", 0xffff0001feffff01UL },   /* 0xffff0000 - 0xffff00ff00ff */
  { "c.xor", 0x0000ffffff0000ffUL },
  { "c.or", 0x0000ffffffff00ffUL },
  { "c.and", 0x0000000000ff0000UL },
  { "c.subw 0x80000000-1", 0x7fffffff },
  { "c.addw 0x7fffffff+1", 0xffffffff80000000UL },
  { "c.mv", 0x123456789abcdef0UL },
  { "c.add", 0x2468acf13579bde0UL },
  { "c.lw 0x80000001", 0xffffffff80000001UL },
  { "c.ld", 0x400921fb54442d18UL },
  { "c.sw then c.ld", 0x55aa55aa },
  { "c.sd then c.ld", 0xfffffffffffffffeUL },
  { "c.fld then c.fsd", 0x400921fb54442d18UL },
  { "c.sdsp then c.ldsp", 0xfedcba9880000002UL },
  { "c.swsp then c.lwsp", 0xffffffff80000002UL },
  { "c.fsdsp then c.fldsp", 0x400921fb54442d18UL },
  { "c.j skips", 0 },
  { "c.beqz taken", 0 },
  { "c.bnez not taken", 1 },
  { "c.jalr link - pc", 2 },
  { "c.jr", 7 },
  { "after c.ebreak", 0x3c },
};
#define NRES (sizeof res / sizeof res[0])

static u64 out[NRES];

static void hint(const char *name, void (*fn)(void))
{
  u64 a0;
  trap_reset();
  /* the stub sets a0 = 0x77, runs the hint and returns: a0 must still be 0x77 */
  __asm__ volatile("jalr %1\n mv %0, a0" : "=r"(a0) : "r"(fn) : "ra", "a0", "memory");
  print(name);
  print(m_trap.count ? " traps" : " no trap");
  print(", a0 = ");
  put_hex(a0);
  nl();
  if (m_trap.count || a0 != 0x77)
    rt_failures++;
}

static void illegal(const char *name, void (*fn)(void))
{
  trap_reset();
  fn();
  print(name);
  if (!m_trap.count) {
    print(" does not trap   <-- MISMATCH\n");
    rt_failures++;
    return;
  }
  print(": mcause = ");
  put_hex(m_trap.cause);
  print(" mtval = ");
  put_hex(m_trap.tval);
  print(" mepc - stub = ");
  put_hex(m_trap.epc - (u64)(uintptr_t)fn);
  nl();
  if (m_trap.cause != 2)
    rt_failures++;
}

int main(void)
{
  print("isa-compressed\n");
  trap_reset();
  c_run(out);
  for (unsigned i = 0; i < NRES; i++)
    check(res[i].name, out[i], res[i].want);
  /* c.ebreak: breakpoint, cause 3 (priv 1.12 §3.1.15); mtval per QEMU */
  show("c.ebreak mcause", m_trap.cause);
  show("c.ebreak mtval", m_trap.tval);
  show("c.ebreak traps", m_trap.count);

  hint("c.addi a0,0 (hint)", c_hint_addi0);
  hint("c.li x0,5 (hint)", c_hint_li_x0);
  hint("c.slli a0,0 (hint)", c_hint_slli0);
  hint("c.srli a0,0 (hint)", c_hint_srli0);
  hint("c.mv x0,a1 (hint)", c_hint_mv_x0);
  hint("c.nop 1 (hint)", c_hint_nop_imm);

  illegal("0x0000", c_ill_zero);
  illegal("c.addi4spn imm=0 (0x0004)", c_res_addi4spn0);
  illegal("c.lui a0,0 (0x6501)", c_res_lui0);
  illegal("c.addi16sp 0 (0x6101)", c_res_addi16sp0);
  illegal("c.lwsp x0 (0x4002)", c_res_lwsp_x0);
  illegal("c.ldsp x0 (0x6002)", c_res_ldsp_x0);
  illegal("c.jr x0 (0x8002)", c_res_jr_x0);
  illegal("c.addiw x0 (0x2001)", c_res_addiw_x0);
  illegal("quadrant 0 funct3 100 (0x8000)", c_res_q0_100);
  illegal("CA reserved funct2 (0x9d4d)", c_res_ca_10);
  finish();
}
