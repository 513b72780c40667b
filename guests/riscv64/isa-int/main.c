/* isa-int: RV64I + M edge cases (unpriv spec 20191213, ch. 2 RV32I, ch. 5 RV64I, ch. 7 M).
 * Each line is one fact; `check` lines are fixed by the spec, `show` lines record what QEMU does
 * (misaligned accesses, whose outcome the spec leaves to the execution environment). */
#include "rt.h"

#define MIN64 0x8000000000000000UL
#define M1    0xffffffffffffffffUL

static void divide(void)
{
  /* M §7.2: division by zero gives all ones (quotient) / the dividend (remainder);
   * signed overflow (MIN / -1) gives MIN and remainder 0. No trap in either case. */
  check("div 7/0", OP_RR("div", 7, 0), M1);
  check("divu 0/0", OP_RR("divu", 0, 0), M1);
  check("rem 7/0", OP_RR("rem", 7, 0), 7);
  check("rem -7/0", OP_RR("rem", -7L, 0), (u64)-7L);
  check("remu 7/0", OP_RR("remu", 7, 0), 7);
  check("div min/-1", OP_RR("div", MIN64, M1), MIN64);
  check("rem min/-1", OP_RR("rem", MIN64, M1), 0);
  check("divu min/-1", OP_RR("divu", MIN64, M1), 0);
  check("remu min/-1", OP_RR("remu", MIN64, M1), MIN64);
  /* rounding toward zero; remainder takes the dividend's sign */
  check("div -7/2", OP_RR("div", -7L, 2), (u64)-3L);
  check("rem -7/2", OP_RR("rem", -7L, 2), M1);
  check("div 7/-2", OP_RR("div", 7, -2L), (u64)-3L);
  check("rem 7/-2", OP_RR("rem", 7, -2L), 1);
  check("divu -1/3", OP_RR("divu", M1, 3), 0x5555555555555555UL);
  /* W forms use the low 32 bits and sign-extend the 32-bit result (§7.2) */
  check("divw 5/0", OP_RR("divw", 5, 0), M1);
  check("divuw 5/0", OP_RR("divuw", 5, 0), M1);
  check("remw 0x1_80000005/0", OP_RR("remw", 0x180000005UL, 0), 0xffffffff80000005UL);
  check("remuw 0x1_00000005/0", OP_RR("remuw", 0x100000005UL, 0), 5);
  check("divw min32/-1", OP_RR("divw", 0x80000000UL, M1), 0xffffffff80000000UL);
  check("remw min32/-1", OP_RR("remw", 0x80000000UL, M1), 0);
  check("divw 0x1_00000007/2", OP_RR("divw", 0x100000007UL, 2), 3);
  check("divuw 0xffffffff80000000/2", OP_RR("divuw", 0xffffffff80000000UL, 2), 0x40000000);
  check("divuw 0xfffffffe/1", OP_RR("divuw", 0xfffffffeUL, 1), 0xfffffffffffffffeUL);
  check("remuw 0xffffffff/0x10", OP_RR("remuw", 0xffffffffUL, 0x10), 0xf);
  check("remw -7/2", OP_RR("remw", 0xfffffff9UL, 2), M1);
}

static void multiply(void)
{
  check("mul 0x123456789/0x987654321", OP_RR("mul", 0x123456789UL, 0x987654321UL), 0xd77d742cce1833a9UL);
  check("mul min*-1", OP_RR("mul", MIN64, M1), MIN64);
  check("mulh -1*-1", OP_RR("mulh", M1, M1), 0);
  check("mulhu -1*-1", OP_RR("mulhu", M1, M1), 0xfffffffffffffffeUL);
  check("mulhsu -1*0xffff..ff", OP_RR("mulhsu", M1, M1), M1);
  check("mulh min*min", OP_RR("mulh", MIN64, MIN64), 0x4000000000000000UL);
  check("mulhu min*min", OP_RR("mulhu", MIN64, MIN64), 0x4000000000000000UL);
  check("mulhsu min*min", OP_RR("mulhsu", MIN64, MIN64), 0xc000000000000000UL);
  check("mulh max*max", OP_RR("mulh", 0x7fffffffffffffffUL, 0x7fffffffffffffffUL), 0x3fffffffffffffffUL);
  check("mulh max*min", OP_RR("mulh", 0x7fffffffffffffffUL, MIN64), 0xc000000000000000UL);
  check("mulhsu -2*3", OP_RR("mulhsu", -2L, 3), M1);
  check("mulhsu 3*-2", OP_RR("mulhsu", 3, -2L), 2);
  check("mulhu 2^63*2", OP_RR("mulhu", MIN64, 2), 1);
  check("mulh -1*1", OP_RR("mulh", M1, 1), M1);
  /* mulw: low 32 bits of the product, sign-extended */
  check("mulw 0x7fffffff*2", OP_RR("mulw", 0x7fffffffUL, 2), 0xfffffffffffffffeUL);
  check("mulw 0x1_00000003*0x1_00000005", OP_RR("mulw", 0x100000003UL, 0x100000005UL), 15);
  check("mulw 0x10000*0x10000", OP_RR("mulw", 0x10000, 0x10000), 0);
}

static void shifts(void)
{
  const u64 x = 0x8000000000000081UL;
  /* RV64I §5.2: register shift amounts use rs2[5:0]; W forms rs2[4:0] */
  check("sll x,64", OP_RR("sll", x, 64), x);
  check("sll x,65", OP_RR("sll", x, 65), 0x102);
  check("srl x,127", OP_RR("srl", x, 127), 1);
  check("sra x,63", OP_RR("sra", x, 63), M1);
  check("sra x,-1", OP_RR("sra", x, M1), M1);
  check("srl x,0x100", OP_RR("srl", x, 0x100), x);
  check("sllw 1,31", OP_RR("sllw", 1, 31), 0xffffffff80000000UL);
  check("sllw 0x1_23456789,32", OP_RR("sllw", 0x123456789UL, 32), 0x23456789);
  check("sllw 0x1_23456789,36", OP_RR("sllw", 0x123456789UL, 36), 0x34567890);
  check("srlw 0xffffffff80000000,4", OP_RR("srlw", 0xffffffff80000000UL, 4), 0x08000000);
  check("srlw -1,0", OP_RR("srlw", M1, 0), M1);
  check("srlw -1,32", OP_RR("srlw", M1, 32), M1);
  check("srlw -1,31", OP_RR("srlw", M1, 31), 1);
  check("sraw 0x80000000,4", OP_RR("sraw", 0x80000000UL, 4), 0xfffffffff8000000UL);
  check("sraw 0x7fffffff_00000000,1", OP_RR("sraw", 0x7fffffff00000000UL, 1), 0);
  check("sraiw 0x80000000,31", OP_RI("sraiw", 0x80000000UL, 31), M1);
  check("srliw 0x80000000,31", OP_RI("srliw", 0x80000000UL, 31), 1);
  check("srliw 0xffffffff,0", OP_RI("srliw", 0xffffffffUL, 0), M1);
  check("slliw 3,30", OP_RI("slliw", 3, 30), 0xffffffffc0000000UL);
  check("srai min,63", OP_RI("srai", MIN64, 63), M1);
  check("srli min,63", OP_RI("srli", MIN64, 63), 1);
  check("slli 1,63", OP_RI("slli", 1, 63), MIN64);
}

static void word_ops_and_compares(void)
{
  check("addw 0x7fffffff+1", OP_RR("addw", 0x7fffffffUL, 1), 0xffffffff80000000UL);
  check("addw 0xffffffff_00000001+0xffffffff", OP_RR("addw", 0xffffffff00000001UL, 0xffffffffUL), 0);
  check("subw 0x80000000-1", OP_RR("subw", 0x80000000UL, 1), 0x7fffffff);
  check("subw 0-1", OP_RR("subw", 0, 1), M1);
  check("addiw 0x80000000,0", OP_RI("addiw", 0x80000000UL, 0), 0xffffffff80000000UL);
  check("addiw 0x7fffffff,1", OP_RI("addiw", 0x7fffffffUL, 1), 0xffffffff80000000UL);
  check("addiw 0x1_00000000,-1", OP_RI("addiw", 0x100000000UL, -1), M1);
  check("add max+1", OP_RR("add", 0x7fffffffffffffffUL, 1), MIN64);
  check("slt -1,0", OP_RR("slt", M1, 0), 1);
  check("sltu -1,0", OP_RR("sltu", M1, 0), 0);
  check("slt min,max", OP_RR("slt", MIN64, 0x7fffffffffffffffUL), 1);
  check("sltu min,max", OP_RR("sltu", MIN64, 0x7fffffffffffffffUL), 0);
  check("slti 5,-1", OP_RI("slti", 5, -1), 0);
  check("sltiu 5,-1", OP_RI("sltiu", 5, -1), 1);   /* the immediate is sign-extended, then compared unsigned */
  check("sltiu -1,-1", OP_RI("sltiu", M1, -1), 0);
  check("sltiu 0,1", OP_RI("sltiu", 0, 1), 1);
  check("slti min,0", OP_RI("slti", MIN64, 0), 1);
  check("xori 0x0f,-1", OP_RI("xori", 0x0f, -1), 0xfffffffffffffff0UL);
  check("andi -1,-2048", OP_RI("andi", M1, -2048), 0xfffffffffffff800UL);
  check("ori 0,-2048", OP_RI("ori", 0, -2048), 0xfffffffffffff800UL);
}

static void upper_and_jumps(void)
{
  u64 r, d;
  /* RV64I §5.2: lui/auipc sign-extend the 32-bit result */
  __asm__ volatile("lui %0, 0x80000" : "=r"(r));
  check("lui 0x80000", r, 0xffffffff80000000UL);
  __asm__ volatile("lui %0, 0x7ffff" : "=r"(r));
  check("lui 0x7ffff", r, 0x7ffff000);
  __asm__ volatile("lui %0, 0xfffff" : "=r"(r));
  check("lui 0xfffff", r, 0xfffffffffffff000UL);
  __asm__ volatile("1: auipc %0, 0x80000\n lla %1, 1b\n sub %0, %0, %1" : "=r"(r), "=r"(d));
  check("auipc 0x80000 - pc", r, 0xffffffff80000000UL);
  __asm__ volatile("1: auipc %0, 0\n lla %1, 1b\n sub %0, %0, %1" : "=r"(r), "=r"(d));
  check("auipc 0 - pc", r, 0);
  /* jalr clears bit 0 of the target (§2.5) and links pc+4 */
  __asm__ volatile("lla %1, 1f\n addi %1, %1, 1\n jalr %0, 0(%1)\n 2: li %0, 0\n 1: lla %1, 2b\n sub %0, %0, %1"
                   : "=&r"(r), "=&r"(d));
  check("jalr odd target: link - next", r, 0);
  /* x0 ignores writes */
  __asm__ volatile("addi x0, x0, 5\n mv %0, x0" : "=r"(r));
  check("x0 after addi x0,x0,5", r, 0);
  /* branches compare signed / unsigned */
  __asm__ volatile("li %0, 0\n blt %1, x0, 1f\n li %0, 1\n 1:" : "=&r"(r) : "r"(M1));
  check("blt -1,0 fell through", r, 0);
  __asm__ volatile("li %0, 0\n bltu %1, x0, 1f\n li %0, 1\n 1:" : "=&r"(r) : "r"(M1));
  check("bltu -1,0 fell through", r, 1);
  __asm__ volatile("li %0, 0\n bge %1, %2, 1f\n li %0, 1\n 1:" : "=&r"(r) : "r"(MIN64), "r"(M1));
  check("bge min,-1 fell through", r, 1);
}

/* 64 bytes of data, page-aligned (.data), for the load/store tests */
static volatile u8 buf[64] __attribute__((aligned(64))) = {
  0x87, 0x86, 0x85, 0x84, 0x83, 0x82, 0x81, 0x80, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x7a, 0x79, 0x78,
};

#define LOAD(insn, addr) ({ u64 __r; __asm__ volatile(insn " %0, 0(%1)" : "=r"(__r) : "r"(addr) : "memory"); __r; })
#define STORE(insn, v, addr) __asm__ volatile(insn " %0, 0(%1)" :: "r"((u64)(v)), "r"(addr) : "memory")

static void loads(void)
{
  /* §2.6 / §5.3: lb/lh/lw sign-extend, lbu/lhu/lwu zero-extend; little-endian */
  check("lb +0", LOAD("lb", buf), 0xffffffffffffff87UL);
  check("lbu +0", LOAD("lbu", buf), 0x87);
  check("lb +8", LOAD("lb", buf + 8), 0x7f);
  check("lh +0", LOAD("lh", buf), 0xffffffffffff8687UL);
  check("lhu +0", LOAD("lhu", buf), 0x8687);
  check("lw +0", LOAD("lw", buf), 0xffffffff84858687UL);
  check("lwu +0", LOAD("lwu", buf), 0x84858687UL);
  check("lw +8", LOAD("lw", buf + 8), 0x7c7d7e7f);
  check("ld +0", LOAD("ld", buf), 0x8081828384858687UL);
  check("ld +8", LOAD("ld", buf + 8), 0x78797a7b7c7d7e7fUL);
}

/* Misaligned accesses (§2.6: the EEI may handle them in hardware, trap, or emulate). Each line
 * records the value or the trap QEMU's virt machine gives in M-mode. */
static void misaligned_one(const char *name, u64 v)
{
  print(name);
  if (m_trap.count) {
    print(" traps: mcause = ");
    put_hex(m_trap.cause);
    print(" mtval - buf = ");
    put_hex(m_trap.tval - (u64)(uintptr_t)buf);
  } else {
    print(" = ");
    put_hex(v);
  }
  nl();
  trap_reset();
}

static void misaligned(void)
{
  trap_reset();
  misaligned_one("lh +1", LOAD("lh", buf + 1));
  misaligned_one("lhu +7", LOAD("lhu", buf + 7));
  misaligned_one("lw +1", LOAD("lw", buf + 1));
  misaligned_one("lw +6", LOAD("lw", buf + 6));
  misaligned_one("lwu +3", LOAD("lwu", buf + 3));
  misaligned_one("ld +1", LOAD("ld", buf + 1));
  misaligned_one("ld +4", LOAD("ld", buf + 4));
  misaligned_one("ld +7", LOAD("ld", buf + 7));
  for (int i = 16; i < 64; i++)
    buf[i] = 0;
  STORE("sh", 0xa1a2, buf + 17);
  misaligned_one("sh +17 (then ld +16)", LOAD("ld", buf + 16));
  STORE("sw", 0xb1b2b3b4, buf + 25);
  misaligned_one("sw +25 (then ld +24)", LOAD("ld", buf + 24));
  STORE("sd", 0xc1c2c3c4c5c6c7c8UL, buf + 35);
  misaligned_one("sd +35 (then ld +32)", LOAD("ld", buf + 32));
  misaligned_one("   ld +40", LOAD("ld", buf + 40));
  STORE("sd", 0xd1d2d3d4d5d6d7d8UL, buf + 62);   /* crosses into the next 64-byte line */
  misaligned_one("sd +62 (then lh +62)", LOAD("lh", buf + 62));
}

int main(void)
{
  print("isa-int\n");
  divide();
  multiply();
  shifts();
  word_ops_and_compares();
  upper_and_jumps();
  loads();
  misaligned();
  finish();
}
