/* isa-int: A64 integer instructions (ARM DDI 0487 C3 "A64 instruction set encoding", C6
 * descriptions). Each instruction under test is written out in inline asm, so the exact
 * encoding runs; every line is "name = result" (plus "nzcv" for flag-setting forms), `check`
 * lines are fixed by the architecture, `show` lines record QEMU. Each group ends with a checksum
 * over its results, the program with one over all groups.
 * Runs with the MMU off: every data access is aligned (Device memory, see the Makefile). */
#include "rt.h"

#define MIN64 0x8000000000000000UL
#define MAX64 0x7fffffffffffffffUL
#define M1    0xffffffffffffffffUL

static u64 gsum, total;

static void fold(u64 v)
{
  gsum = ((gsum << 5) | (gsum >> 59)) ^ v;
  gsum *= 0x9e3779b97f4a7c15UL;
}

static void res(const char *name, u64 v)
{
  show(name, v);
  fold(v);
}

static void chk(const char *name, u64 v, u64 want)
{
  check(name, v, want);
  fold(v);
}

static void flags_str(u64 f)
{
  putch(f & (1UL << 31) ? 'N' : '-');
  putch(f & (1UL << 30) ? 'Z' : '-');
  putch(f & (1UL << 29) ? 'C' : '-');
  putch(f & (1UL << 28) ? 'V' : '-');
}

/* "name = <result> nzcv <NZCV>" */
static void resf(const char *name, u64 v, u64 f)
{
  print(name);
  print(" = ");
  put_hex(v);
  print(" nzcv ");
  flags_str(f);
  nl();
  fold(v);
  fold(f);
}

static void group_end(const char *name)
{
  printf("%s: checksum %016lx\n", name, gsum);
  total = ((total << 7) | (total >> 57)) ^ gsum;
  gsum = 0;
}

/* one instruction on registers; X and W forms */
#define R2(insn, a) ({ u64 __r; __asm__ volatile(insn " %0, %1" : "=r"(__r) : "r"((u64)(a))); __r; })
#define R2W(insn, a) ({ u64 __r; __asm__ volatile(insn " %w0, %w1" : "=r"(__r) : "r"((u64)(a))); __r; })
#define R3(insn, a, b) ({ u64 __r; __asm__ volatile(insn " %0, %1, %2" : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b))); __r; })
#define R3W(insn, a, b) ({ u64 __r; __asm__ volatile(insn " %w0, %w1, %w2" : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b))); __r; })
#define R4(insn, a, b, c) ({ u64 __r; __asm__ volatile(insn " %0, %1, %2, %3" : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b)), "r"((u64)(c))); __r; })
#define RI(insn, a, imm) ({ u64 __r; __asm__ volatile(insn " %0, %1, " imm : "=r"(__r) : "r"((u64)(a))); __r; })
#define RIW(insn, a, imm) ({ u64 __r; __asm__ volatile(insn " %w0, %w1, " imm : "=r"(__r) : "r"((u64)(a))); __r; })

/* flag-setting forms: NZCV is set to fin first (for adcs/sbcs/ccmp), read back after */
#define F3(insn, a, b, fin, r, f) \
  __asm__ volatile("msr nzcv, %[fi]\n " insn " %[rr], %[aa], %[bb]\n mrs %[ff], nzcv" \
                   : [rr] "=&r"(r), [ff] "=&r"(f) : [aa] "r"((u64)(a)), [bb] "r"((u64)(b)), [fi] "r"((u64)(fin)) : "cc")
#define F3W(insn, a, b, fin, r, f) \
  __asm__ volatile("msr nzcv, %[fi]\n " insn " %w[rr], %w[aa], %w[bb]\n mrs %[ff], nzcv" \
                   : [rr] "=&r"(r), [ff] "=&r"(f) : [aa] "r"((u64)(a)), [bb] "r"((u64)(b)), [fi] "r"((u64)(fin)) : "cc")
#define FLAG_C (1UL << 29)
#define FLAG_V (1UL << 28)
#define FLAG_Z (1UL << 30)
#define FLAG_N (1UL << 31)

static void addsub(void)
{
  u64 r, f;
  F3("adds", MAX64, 1, 0, r, f);
  resf("adds max+1", r, f);
  check("  adds max+1 flags", f >> 28, 0x9);          /* N, V */
  F3("adds", M1, 1, 0, r, f);
  resf("adds -1+1", r, f);
  check("  adds -1+1 flags", f >> 28, 0x6);           /* Z, C */
  F3("adds", MIN64, MIN64, 0, r, f);
  resf("adds min+min", r, f);
  check("  adds min+min flags", f >> 28, 0x7);        /* Z, C, V */
  F3("adds", 5, 7, 0, r, f);
  resf("adds 5+7", r, f);
  F3("subs", 5, 7, 0, r, f);
  resf("subs 5-7", r, f);
  check("  subs 5-7 flags", f >> 28, 0x8);            /* N, borrow: C clear */
  F3("subs", 7, 5, 0, r, f);
  resf("subs 7-5", r, f);
  F3("subs", 7, 7, 0, r, f);
  resf("subs 7-7", r, f);
  check("  subs 7-7 flags", f >> 28, 0x6);            /* Z, C (no borrow) */
  F3("subs", MIN64, 1, 0, r, f);
  resf("subs min-1", r, f);
  check("  subs min-1 flags", f >> 28, 0x3);          /* C, V */
  F3("subs", 0, MIN64, 0, r, f);
  resf("subs 0-min", r, f);
  F3("adcs", M1, 0, FLAG_C, r, f);
  resf("adcs -1+0+C", r, f);
  F3("adcs", MAX64, 0, FLAG_C, r, f);
  resf("adcs max+0+C", r, f);
  F3("adcs", M1, M1, FLAG_C, r, f);
  resf("adcs -1+-1+C", r, f);
  F3("adcs", 1, 2, 0, r, f);
  resf("adcs 1+2+0", r, f);
  F3("sbcs", 5, 5, 0, r, f);
  resf("sbcs 5-5-!C(0)", r, f);
  F3("sbcs", 5, 5, FLAG_C, r, f);
  resf("sbcs 5-5-!C(1)", r, f);
  F3("sbcs", 0, 0, 0, r, f);
  resf("sbcs 0-0-1", r, f);
  F3("sbcs", MIN64, 0, 0, r, f);
  resf("sbcs min-0-1", r, f);
  F3("adc", 1, 2, FLAG_C, r, f);
  resf("adc 1+2+C (flags kept)", r, f);
  F3("sbc", 1, 2, FLAG_C | FLAG_N, r, f);
  resf("sbc 1-2-!C (flags kept)", r, f);
  F3W("adds", 0x17fffffffUL, 1, 0, r, f);
  resf("adds w 0x7fffffff+1", r, f);
  F3W("adds", 0xffffffffUL, 1, 0, r, f);
  resf("adds w 0xffffffff+1", r, f);
  F3W("subs", 0x80000000UL, 1, 0, r, f);
  resf("subs w 0x80000000-1", r, f);
  F3W("subs", 0xaaaa000000000001UL, 2, 0, r, f);
  resf("subs w 1-2 (upper bits ignored)", r, f);
  F3W("adcs", 0xffffffffUL, 0, FLAG_C, r, f);
  resf("adcs w 0xffffffff+0+C", r, f);
  F3W("sbcs", 0x80000000UL, 0, 0, r, f);
  resf("sbcs w 0x80000000-0-1", r, f);
  F3W("add", 0xffffffffUL, 0x0000000100000001UL, 0, r, f);
  chk("add w zero-extends", r, 0);

  /* compare aliases, negation, carry-in negation */
  __asm__ volatile("msr nzcv, xzr\n cmp %1, #0\n mrs %0, nzcv" : "=r"(f) : "r"(0UL) : "cc");
  resf("cmp 0,#0", 0, f);
  __asm__ volatile("msr nzcv, xzr\n cmn %1, #1\n mrs %0, nzcv" : "=r"(f) : "r"(M1) : "cc");
  resf("cmn -1,#1", 0, f);
  __asm__ volatile("msr nzcv, xzr\n cmp %1, #4095, lsl #12\n mrs %0, nzcv" : "=r"(f) : "r"(0xfff000UL) : "cc");
  resf("cmp 0xfff000,#0xfff,lsl 12", 0, f);
  __asm__ volatile("msr nzcv, xzr\n negs %0, %2\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(MIN64) : "cc");
  resf("negs min", r, f);
  __asm__ volatile("msr nzcv, xzr\n negs %0, %2\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(0UL) : "cc");
  resf("negs 0", r, f);
  __asm__ volatile("msr nzcv, xzr\n ngcs %0, %2\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(0UL) : "cc");
  resf("ngcs 0 (C=0)", r, f);
  __asm__ volatile("msr nzcv, %2\n ngc %0, %3\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(FLAG_C), "r"(5UL) : "cc");
  resf("ngc 5 (C=1)", r, f);

  /* immediates (12-bit, optionally << 12) and shifted / extended register operands */
  res("add #4095", RI("add", 1, "#4095"));
  res("add #1,lsl 12", RI("add", 1, "#1, lsl #12"));
  res("sub #4095,lsl 12", RI("sub", 0, "#4095, lsl #12"));
  res("add w #1 (0xffffffff)", RIW("add", 0xffffffffUL, "#1"));
  res("add lsl 63", ({ u64 __r; __asm__ volatile("add %0, %1, %2, lsl #63" : "=r"(__r) : "r"(1UL), "r"(3UL)); __r; }));
  res("sub lsr 4", ({ u64 __r; __asm__ volatile("sub %0, %1, %2, lsr #4" : "=r"(__r) : "r"(0x1000UL), "r"(MIN64)); __r; }));
  res("add asr 60", ({ u64 __r; __asm__ volatile("add %0, %1, %2, asr #60" : "=r"(__r) : "r"(0UL), "r"(MIN64)); __r; }));
  res("add w asr 31", ({ u64 __r; __asm__ volatile("add %w0, %w1, %w2, asr #31" : "=r"(__r) : "r"(0UL), "r"(0x80000000UL)); __r; }));
  res("add uxtb", ({ u64 __r; __asm__ volatile("add %0, %1, %w2, uxtb" : "=r"(__r) : "r"(0x1000UL), "r"(0x1ffUL)); __r; }));
  res("add uxth #2", ({ u64 __r; __asm__ volatile("add %0, %1, %w2, uxth #2" : "=r"(__r) : "r"(0UL), "r"(0x18001UL)); __r; }));
  res("add sxtb", ({ u64 __r; __asm__ volatile("add %0, %1, %w2, sxtb" : "=r"(__r) : "r"(0x1000UL), "r"(0x80UL)); __r; }));
  res("add sxth #1", ({ u64 __r; __asm__ volatile("add %0, %1, %w2, sxth #1" : "=r"(__r) : "r"(0UL), "r"(0x8000UL)); __r; }));
  res("add sxtw #3", ({ u64 __r; __asm__ volatile("add %0, %1, %w2, sxtw #3" : "=r"(__r) : "r"(0UL), "r"(0xfffffffeUL)); __r; }));
  res("add uxtw #4", ({ u64 __r; __asm__ volatile("add %0, %1, %w2, uxtw #4" : "=r"(__r) : "r"(0UL), "r"(0xfffffffeUL)); __r; }));
  res("sub sxtx", ({ u64 __r; __asm__ volatile("sub %0, %1, %2, sxtx #2" : "=r"(__r) : "r"(0UL), "r"(3UL)); __r; }));
  /* SP as an operand: add x, sp, #0 and mov to/from sp */
  res("add from sp - sp", ({ u64 __r, __s; __asm__ volatile("add %0, sp, #16\n mov %1, sp\n sub %0, %0, %1" : "=&r"(__r), "=&r"(__s)); __r; }));
  res("sub sp ext uxtw", ({ u64 __r, __s; __asm__ volatile("mov %1, sp\n sub sp, sp, %w2, uxtw #4\n mov %0, sp\n mov sp, %1\n sub %0, %1, %0"
                                                           : "=&r"(__r), "=&r"(__s) : "r"(0x100000002UL)); __r; }));
  group_end("addsub");
}

#define LOGI(insn, a, imm) res(insn " #" #imm, RI(insn, a, "#" #imm))
#define LOGIW(insn, a, imm) res(insn " w #" #imm, RIW(insn, a, "#" #imm))

static void logical(void)
{
  const u64 x = 0x0123456789abcdefUL;
  /* bitmask immediates (DecodeBitMasks() pseudocode): element sizes 2..64, rotations, wrapping runs */
  LOGI("and", M1, 0x5555555555555555);
  LOGI("and", M1, 0xaaaaaaaaaaaaaaaa);
  LOGI("and", x, 0x3333333333333333);
  LOGI("and", x, 0x1111111111111111);
  LOGI("and", x, 0x6666666666666666);
  LOGI("and", x, 0x0f0f0f0f0f0f0f0f);
  LOGI("and", x, 0xc3c3c3c3c3c3c3c3);
  LOGI("and", x, 0x00ff00ff00ff00ff);
  LOGI("and", x, 0xfff0fff0fff0fff0);
  LOGI("and", x, 0x0000ffff0000ffff);
  LOGI("and", x, 0x7fffff807fffff80);
  LOGI("and", x, 0x00000000ffffffff);
  LOGI("and", x, 0xffffffff00000000);
  LOGI("and", M1, 0x8000000000000000);
  LOGI("and", M1, 0x0000000000000001);
  LOGI("orr", 0, 0x7ffffffffffffffe);
  LOGI("orr", 0, 0xfffffffffffffffe);
  LOGI("orr", 0, 0xe00000000000000f);
  LOGI("orr", 0, 0x0000000000fff000);
  LOGI("eor", x, 0x8000000000000001);
  LOGI("eor", x, 0xfffffffffffffff7);
  LOGIW("and", M1, 0xff00ff00);
  LOGIW("orr", 0xffffffff00000000UL, 0x80000001);
  LOGIW("eor", 0x5555555555555555UL, 0x7ffffffe);
  LOGIW("and", x, 0x55555555);
  res("mov #0x5555555555555555 (orr xzr)", ({ u64 __r; __asm__ volatile("orr %0, xzr, #0x5555555555555555" : "=r"(__r)); __r; }));
  /* register forms with shifts, inversions */
  res("and lsl 4", ({ u64 __r; __asm__ volatile("and %0, %1, %2, lsl #4" : "=r"(__r) : "r"(x), "r"(M1)); __r; }));
  res("orr ror 8", ({ u64 __r; __asm__ volatile("orr %0, %1, %2, ror #8" : "=r"(__r) : "r"(0UL), "r"(x)); __r; }));
  res("eor asr 63", ({ u64 __r; __asm__ volatile("eor %0, %1, %2, asr #63" : "=r"(__r) : "r"(x), "r"(MIN64)); __r; }));
  res("bic", R3("bic", x, 0xff00ff00ff00ff00UL));
  res("orn", R3("orn", x, 0xffffffff00000000UL));
  res("eon", R3("eon", x, x));
  res("mvn", R2("mvn", x));
  res("orr w ror 16", ({ u64 __r; __asm__ volatile("orr %w0, %w1, %w2, ror #16" : "=r"(__r) : "r"(0UL), "r"(0xdead0000beefUL)); __r; }));
  res("bic w", R3W("bic", M1, 0x0f0f0f0fUL));
  res("mvn w", R2W("mvn", 0x1234567800000000UL));
  u64 r, f;
  F3("ands", MIN64, M1, FLAG_C | FLAG_V, r, f);
  resf("ands min,-1 (C,V cleared)", r, f);
  F3("ands", x, 0, FLAG_C | FLAG_V, r, f);
  resf("ands x,0", r, f);
  F3("bics", M1, M1, 0, r, f);
  resf("bics -1,-1", r, f);
  F3W("ands", 0xffffffff80000000UL, 0xffffffff80000001UL, 0, r, f);
  resf("ands w N from bit 31", r, f);
  __asm__ volatile("msr nzcv, xzr\n tst %1, #0x8000000000000000\n mrs %0, nzcv" : "=r"(f) : "r"(MIN64) : "cc");
  resf("tst min,#0x8000000000000000", 0, f);
  __asm__ volatile("msr nzcv, xzr\n ands %0, %2, #0xff\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(0x100UL) : "cc");
  resf("ands 0x100,#0xff", r, f);
  group_end("logical");
}

static void moves(void)
{
  u64 r;
  __asm__ volatile("movz %0, #0x1234, lsl #48" : "=r"(r)); res("movz #0x1234,lsl 48", r);
  __asm__ volatile("movz %0, #0xffff, lsl #16" : "=r"(r)); res("movz #0xffff,lsl 16", r);
  __asm__ volatile("movz %w0, #0xffff, lsl #16" : "=r"(r)); res("movz w #0xffff,lsl 16", r);
  __asm__ volatile("movn %0, #0" : "=r"(r)); res("movn #0", r);
  __asm__ volatile("movn %0, #0x1234, lsl #16" : "=r"(r)); res("movn #0x1234,lsl 16", r);
  __asm__ volatile("movn %0, #0xffff, lsl #48" : "=r"(r)); res("movn #0xffff,lsl 48", r);
  __asm__ volatile("movn %w0, #0x1234" : "=r"(r)); res("movn w #0x1234", r);
  __asm__ volatile("movn %w0, #0, lsl #16" : "=r"(r)); res("movn w #0,lsl 16", r);
  r = 0x1111222233334444UL;
  __asm__ volatile("movk %0, #0xabcd" : "+r"(r)); res("movk #0xabcd", r);
  __asm__ volatile("movk %0, #0xabcd, lsl #32" : "+r"(r)); res("movk #0xabcd,lsl 32", r);
  __asm__ volatile("movk %0, #0, lsl #48" : "+r"(r)); res("movk #0,lsl 48", r);
  r = 0xffffffffffffffffUL;
  __asm__ volatile("movk %w0, #0x5a5a, lsl #16" : "+r"(r)); res("movk w #0x5a5a,lsl 16 (zero-extends)", r);
  __asm__ volatile("mov %0, #-2" : "=r"(r)); res("mov #-2", r);
  __asm__ volatile("mov %w0, #-2" : "=r"(r)); res("mov w #-2", r);
  __asm__ volatile("mov %0, xzr" : "=r"(r)); res("mov xzr", r);
  r = 0xdeadbeefcafef00dUL;
  __asm__ volatile("mov %w0, %w0" : "+r"(r)); res("mov w,w (zero-extends)", r);
  group_end("moves");
}

static void bitfield(void)
{
  const u64 x = 0xfedcba9876543210UL;
  res("ubfx #4,#8", RI("ubfx", x, "#4, #8"));
  res("ubfx #60,#4", RI("ubfx", x, "#60, #4"));
  res("ubfx #0,#64", RI("ubfx", x, "#0, #64"));
  res("sbfx #4,#8", RI("sbfx", x, "#4, #8"));
  res("sbfx #36,#4", RI("sbfx", x, "#36, #4"));
  res("sbfx #63,#1", RI("sbfx", x, "#63, #1"));
  res("ubfiz #8,#12", RI("ubfiz", x, "#8, #12"));
  res("sbfiz #60,#4", RI("sbfiz", x, "#60, #4"));
  res("sbfiz #4,#8", RI("sbfiz", 0x80UL, "#4, #8"));
  res("ubfx w #28,#4", RIW("ubfx", x, "#28, #4"));
  res("sbfx w #28,#4", RIW("sbfx", x, "#28, #4"));
  res("sbfx w #0,#32", RIW("sbfx", 0x80000000UL, "#0, #32"));
  u64 d = 0x1111111111111111UL;
  __asm__ volatile("bfi %0, %1, #8, #16" : "+r"(d) : "r"(x)); res("bfi #8,#16", d);
  d = 0x1111111111111111UL;
  __asm__ volatile("bfi %0, %1, #60, #4" : "+r"(d) : "r"(x)); res("bfi #60,#4", d);
  d = 0x1111111111111111UL;
  __asm__ volatile("bfxil %0, %1, #40, #24" : "+r"(d) : "r"(x)); res("bfxil #40,#24", d);
  d = 0x1111111111111111UL;
  __asm__ volatile("bfi %w0, %w1, #28, #4" : "+r"(d) : "r"(x)); res("bfi w #28,#4", d);
  d = 0x1111111111111111UL;
  __asm__ volatile("bfxil %w0, %w1, #4, #8" : "+r"(d) : "r"(x)); res("bfxil w #4,#8", d);
  d = 0x2222222222222222UL;
  __asm__ volatile("bfm %0, xzr, #60, #7" : "+r"(d)); res("bfm xzr,#60,#7 (clear bits 4..11)", d);
  /* raw bitfield moves with imms < immr (rotate right and insert) */
  res("ubfm #8,#3", RI("ubfm", 0x0123456789abcdefUL, "#8, #3"));
  res("sbfm #8,#3", RI("sbfm", 0xfUL, "#8, #3"));
  d = 0x3333333333333333UL;
  __asm__ volatile("bfm %0, %1, #60, #7" : "+r"(d) : "r"(x)); res("bfm #60,#7", d);
  res("sxtb", ({ u64 __r; __asm__ volatile("sxtb %0, %w1" : "=r"(__r) : "r"(0x80UL)); __r; }));
  res("sxth", ({ u64 __r; __asm__ volatile("sxth %0, %w1" : "=r"(__r) : "r"(0x12348000UL)); __r; }));
  res("sxtw", ({ u64 __r; __asm__ volatile("sxtw %0, %w1" : "=r"(__r) : "r"(0x80000000UL)); __r; }));
  res("sxtb w", R2W("sxtb", 0xff80UL));
  res("uxtb w", R2W("uxtb", 0xffffUL));
  res("uxth w", R2W("uxth", 0x12345678UL));
  res("extr #8", ({ u64 __r; __asm__ volatile("extr %0, %1, %2, #8" : "=r"(__r) : "r"(x), "r"(0x1122334455667788UL)); __r; }));
  res("extr #0", ({ u64 __r; __asm__ volatile("extr %0, %1, %2, #0" : "=r"(__r) : "r"(x), "r"(0x1122334455667788UL)); __r; }));
  res("extr #63", ({ u64 __r; __asm__ volatile("extr %0, %1, %2, #63" : "=r"(__r) : "r"(x), "r"(0x1122334455667788UL)); __r; }));
  res("extr w #4", ({ u64 __r; __asm__ volatile("extr %w0, %w1, %w2, #4" : "=r"(__r) : "r"(x), "r"(0x1122334455667788UL)); __r; }));
  res("ror #12 (extr)", RI("ror", x, "#12"));
  group_end("bitfield");
}

static void shifts(void)
{
  const u64 x = 0x8000000000000081UL;
  /* C6.2: register shifts take the amount modulo the data size */
  chk("lsl x,64", R3("lsl", x, 64), x);
  chk("lsl x,65", R3("lsl", x, 65), 0x102);
  chk("lsr x,127", R3("lsr", x, 127), 1);
  chk("asr x,63", R3("asr", x, 63), M1);
  chk("asr x,-1", R3("asr", x, M1), M1);
  chk("ror x,1", R3("ror", x, 1), 0xc000000000000040UL);
  chk("ror x,64", R3("ror", x, 64), x);
  chk("lslv x,3", R3("lslv", x, 3), 0x408);
  chk("lsl w 1,31", R3W("lsl", 1, 31), 0x80000000UL);
  chk("lsl w 0x1_23456789,32", R3W("lsl", 0x123456789UL, 32), 0x23456789);
  chk("lsl w 0x1_23456789,36", R3W("lsl", 0x123456789UL, 36), 0x34567890);
  chk("lsr w 0xffffffff80000000,4", R3W("lsr", 0xffffffff80000000UL, 4), 0x08000000);
  chk("asr w 0x80000000,4", R3W("asr", 0x80000000UL, 4), 0xf8000000UL);
  chk("asr w 0x80000000,35", R3W("asr", 0x80000000UL, 35), 0xf0000000UL);
  chk("ror w 0x80000001,1", R3W("ror", 0x80000001UL, 1), 0xc0000000UL);
  chk("ror w 0x12345678,40", R3W("ror", 0x12345678UL, 40), 0x78123456UL);
  chk("lsl #63", RI("lsl", 3, "#63"), MIN64);
  chk("lsr #63", RI("lsr", MIN64, "#63"), 1);
  chk("asr #1", RI("asr", MIN64, "#1"), 0xc000000000000000UL);
  chk("asr w #31", RIW("asr", 0x80000000UL, "#31"), 0xffffffffUL);
  chk("lsl w #31", RIW("lsl", 3, "#31"), 0x80000000UL);
  chk("ror w #4", RIW("ror", 0x12345678UL, "#4"), 0x81234567UL);
  group_end("shifts");
}

/* condition codes: for each cond, the set of the 16 NZCV values for which it holds */
#define COND_MASK(cond) ({ u64 __m = 0; for (u64 __n = 0; __n < 16; __n++) { u64 __t; \
    __asm__ volatile("msr nzcv, %1\n csel %0, %2, xzr, " cond : "=r"(__t) : "r"(__n << 28), "r"(1UL) : "cc"); \
    __m |= __t << __n; } __m; })
#define BCOND_MASK(cond) ({ u64 __m = 0; for (u64 __n = 0; __n < 16; __n++) { u64 __t; \
    __asm__ volatile("msr nzcv, %1\n mov %0, #1\n b." cond " 1f\n mov %0, #0\n1:" : "=&r"(__t) : "r"(__n << 28) : "cc"); \
    __m |= __t << __n; } __m; })

static void conditions(void)
{
  /* bit n of each mask: the condition holds with NZCV = n (N = bit 3 ... V = bit 0) */
  chk("csel eq", COND_MASK("eq"), 0xf0f0);
  chk("csel ne", COND_MASK("ne"), 0x0f0f);
  chk("csel cs", COND_MASK("cs"), 0xcccc);
  chk("csel cc", COND_MASK("cc"), 0x3333);
  chk("csel mi", COND_MASK("mi"), 0xff00);
  chk("csel pl", COND_MASK("pl"), 0x00ff);
  chk("csel vs", COND_MASK("vs"), 0xaaaa);
  chk("csel vc", COND_MASK("vc"), 0x5555);
  chk("csel hi", COND_MASK("hi"), 0x0c0c);
  chk("csel ls", COND_MASK("ls"), 0xf3f3);
  chk("csel ge", COND_MASK("ge"), 0xaa55);
  chk("csel lt", COND_MASK("lt"), 0x55aa);
  chk("csel gt", COND_MASK("gt"), 0x0a05);
  chk("csel le", COND_MASK("le"), 0xf5fa);
  chk("csel al", COND_MASK("al"), 0xffff);
  chk("csel nv", COND_MASK("nv"), 0xffff);   /* ConditionHolds(): NV behaves as AL */
  chk("b.eq", BCOND_MASK("eq"), 0xf0f0);
  chk("b.hi", BCOND_MASK("hi"), 0x0c0c);
  chk("b.ge", BCOND_MASK("ge"), 0xaa55);
  chk("b.gt", BCOND_MASK("gt"), 0x0a05);
  chk("b.le", BCOND_MASK("le"), 0xf5fa);
  chk("b.nv", BCOND_MASK("nv"), 0xffff);

  u64 r;
  const u64 z = 0, one = 1;
#define CS(text, fl, a, b) ({ __asm__ volatile("msr nzcv, %1\n " text " %0, %2, %3, eq" : "=r"(r) : "r"((u64)(fl)), "r"((u64)(a)), "r"((u64)(b)) : "cc"); r; })
  res("csinc eq (Z)", CS("csinc", FLAG_Z, 10, 20));
  res("csinc eq (!Z)", CS("csinc", 0, 10, 20));
  res("csinv eq (!Z)", CS("csinv", 0, 10, 20));
  res("csneg eq (!Z)", CS("csneg", 0, 10, 20));
  res("csneg eq (!Z) min", CS("csneg", 0, 10, MIN64));
  res("csinc eq (!Z) -1", CS("csinc", 0, 10, M1));
  __asm__ volatile("msr nzcv, %1\n cset %0, hi" : "=r"(r) : "r"(FLAG_C) : "cc"); res("cset hi (C)", r);
  __asm__ volatile("msr nzcv, %1\n csetm %0, lt" : "=r"(r) : "r"(FLAG_N) : "cc"); res("csetm lt (N)", r);
  __asm__ volatile("msr nzcv, %1\n cinc %0, %2, ne" : "=r"(r) : "r"(0UL), "r"(M1) : "cc"); res("cinc ne -1", r);
  __asm__ volatile("msr nzcv, %1\n cneg %0, %2, mi" : "=r"(r) : "r"(FLAG_N), "r"(5UL) : "cc"); res("cneg mi 5", r);
  __asm__ volatile("msr nzcv, %1\n csinc %w0, %w2, %w3, eq" : "=r"(r) : "r"(0UL), "r"(z), "r"(0xffffffffUL) : "cc"); res("csinc w 0xffffffff+1", r);
  __asm__ volatile("msr nzcv, %1\n csneg %w0, %w2, %w3, eq" : "=r"(r) : "r"(0UL), "r"(z), "r"(one) : "cc"); res("csneg w -1", r);

  /* ccmp/ccmn: condition true → flags of the compare, false → the immediate nzcv */
  u64 f;
#define CC(text, fl, a, b) ({ __asm__ volatile("msr nzcv, %1\n " text "\n mrs %0, nzcv" : "=r"(f) : "r"((u64)(fl)), "r"((u64)(a)), "r"((u64)(b)) : "cc"); f; })
  resf("ccmp 5,5,#0,eq (Z: compare)", 0, CC("ccmp %2, %3, #0, eq", FLAG_Z, 5, 5));
  resf("ccmp 5,5,#0b1010,eq (!Z: imm)", 0, CC("ccmp %2, %3, #0b1010, eq", 0, 5, 5));
  resf("ccmp min,1,#0,al", 0, CC("ccmp %2, %3, #0, al", 0, MIN64, 1));
  resf("ccmn -1,1,#0,cs (C)", 0, CC("ccmn %2, %3, #0, cs", FLAG_C, M1, 1));
  resf("ccmp #31,#15,ne (!Z)", 0, CC("ccmp %2, #31, #15, ne", 0, 31, 0));
  resf("ccmp w 0x80000000,1,#0,vc", 0, CC("ccmp %w2, %w3, #0, vc", 0, 0x80000000UL, 1));
  resf("ccmn w 0x7fffffff,#1,#0,pl", 0, CC("ccmn %w2, #1, #0, pl", 0, 0x7fffffffUL, 0));
  group_end("conditions");
}

static void bits(void)
{
  const u64 x = 0x0123456789abcdefUL;
  chk("clz 0", R2("clz", 0), 64);
  chk("clz 1", R2("clz", 1), 63);
  chk("clz min", R2("clz", MIN64), 0);
  chk("clz w 0 (upper set)", R2W("clz", 0xffffffff00000000UL), 32);
  chk("clz w 0x8000", R2W("clz", 0x8000UL), 16);
  chk("cls 0", R2("cls", 0), 63);
  chk("cls -1", R2("cls", M1), 63);
  chk("cls 1", R2("cls", 1), 62);
  chk("cls min", R2("cls", MIN64), 0);
  chk("cls 0xc0..", R2("cls", 0xc000000000000000UL), 1);
  chk("cls w -1", R2W("cls", M1), 31);
  chk("cls w 0x7fffffff", R2W("cls", 0x7fffffffUL), 0);
  chk("rbit", R2("rbit", x), 0xf7b3d591e6a2c480UL);
  chk("rbit w", R2W("rbit", x), 0xf7b3d591UL);
  chk("rev", R2("rev", x), 0xefcdab8967452301UL);
  chk("rev w", R2W("rev", x), 0xefcdab89UL);
  chk("rev16", R2("rev16", x), 0x23016745ab89efcdUL);
  chk("rev16 w", R2W("rev16", x), 0xab89efcdUL);
  chk("rev32", R2("rev32", x), 0x67452301efcdab89UL);
  group_end("bits");
}

static void muldiv(void)
{
  chk("mul", R3("mul", 0x123456789UL, 0x987654321UL), 0xd77d742cce1833a9UL);
  chk("mul w", R3W("mul", 0xffffffff00010001UL, 0x10001UL), 0x00020001UL);
  chk("madd 3*4+5", R4("madd", 3, 4, 5), 17);
  chk("msub 5-3*4", R4("msub", 3, 4, 5), (u64)-7L);
  chk("mneg 3*4", R3("mneg", 3, 4), (u64)-12L);
  chk("madd w", ({ u64 __r; __asm__ volatile("madd %w0, %w1, %w2, %w3" : "=r"(__r) : "r"(0x10000UL), "r"(0x10000UL), "r"(7UL)); __r; }), 7);
  chk("smulh -1*-1", R3("smulh", M1, M1), 0);
  chk("umulh -1*-1", R3("umulh", M1, M1), 0xfffffffffffffffeUL);
  chk("smulh min*min", R3("smulh", MIN64, MIN64), 0x4000000000000000UL);
  chk("smulh max*min", R3("smulh", MAX64, MIN64), 0xc000000000000000UL);
  chk("umulh 2^63*2", R3("umulh", MIN64, 2), 1);
  chk("smulh -1*1", R3("smulh", M1, 1), M1);
  chk("smaddl", ({ u64 __r; __asm__ volatile("smaddl %0, %w1, %w2, %3" : "=r"(__r) : "r"(0xffffffffUL), "r"(0x80000000UL), "r"(1UL)); __r; }),
      0x80000001UL);
  chk("umaddl", ({ u64 __r; __asm__ volatile("umaddl %0, %w1, %w2, %3" : "=r"(__r) : "r"(0xffffffffUL), "r"(0xffffffffUL), "r"(1UL)); __r; }),
      0xfffffffe00000002UL);
  chk("smsubl", ({ u64 __r; __asm__ volatile("smsubl %0, %w1, %w2, %3" : "=r"(__r) : "r"(0xfffffffeUL), "r"(3UL), "r"(0UL)); __r; }), 6);
  chk("umsubl", ({ u64 __r; __asm__ volatile("umsubl %0, %w1, %w2, %3" : "=r"(__r) : "r"(0xfffffffeUL), "r"(3UL), "r"(0UL)); __r; }),
      (u64)-(3 * 0xfffffffeL));
  chk("smull", ({ u64 __r; __asm__ volatile("smull %0, %w1, %w2" : "=r"(__r) : "r"(0x80000000UL), "r"(0x80000000UL)); __r; }),
      0x4000000000000000UL);
  chk("umull", ({ u64 __r; __asm__ volatile("umull %0, %w1, %w2" : "=r"(__r) : "r"(0x80000000UL), "r"(0x80000000UL)); __r; }),
      0x4000000000000000UL);
  /* C6.2: division by zero gives 0; INT_MIN / -1 gives INT_MIN (no trap either way) */
  chk("udiv 7/0", R3("udiv", 7, 0), 0);
  chk("sdiv 7/0", R3("sdiv", 7, 0), 0);
  chk("sdiv min/-1", R3("sdiv", MIN64, M1), MIN64);
  chk("udiv min/-1", R3("udiv", MIN64, M1), 0);
  chk("sdiv -7/2", R3("sdiv", -7L, 2), (u64)-3L);
  chk("sdiv 7/-2", R3("sdiv", 7, -2L), (u64)-3L);
  chk("udiv -1/3", R3("udiv", M1, 3), 0x5555555555555555UL);
  chk("udiv w 5/0", R3W("udiv", 5, 0), 0);
  chk("sdiv w min32/-1", R3W("sdiv", 0x80000000UL, M1), 0x80000000UL);
  chk("sdiv w 0x1_fffffff9/2", R3W("sdiv", 0x1fffffff9UL, 2), 0xfffffffdUL);
  chk("udiv w 0xffffffff/0x10", R3W("udiv", 0xffffffffUL, 0x10), 0x0fffffffUL);
  group_end("muldiv");
}

/* 64 bytes of data for the load/store tests (aligned accesses only: the MMU is off) */
static u8 buf[128] __attribute__((aligned(64))) = {
  0x87, 0x86, 0x85, 0x84, 0x83, 0x82, 0x81, 0x80, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x7a, 0x79, 0x78,
  0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
};

#define LD(insn, reg, addr) ({ u64 __r; __asm__ volatile(insn " %" reg "0, [%1]" : "=r"(__r) : "r"(addr) : "memory"); __r; })

static void loads_stores(void)
{
  u8 *p = buf;
  /* widths and extensions (C6.2 LDRB/LDRSB/LDRH/LDRSH/LDR/LDRSW): W targets zero the upper half */
  chk("ldrb", LD("ldrb", "w", p), 0x87);
  chk("ldrsb x", LD("ldrsb", "x", p), 0xffffffffffffff87UL);
  chk("ldrsb w", LD("ldrsb", "w", p), 0xffffff87UL);
  chk("ldrh", LD("ldrh", "w", p), 0x8687);
  chk("ldrsh x", LD("ldrsh", "x", p), 0xffffffffffff8687UL);
  chk("ldrsh w", LD("ldrsh", "w", p), 0xffff8687UL);
  chk("ldr w", LD("ldr", "w", p), 0x84858687UL);
  chk("ldrsw", LD("ldrsw", "x", p), 0xffffffff84858687UL);
  chk("ldr x", LD("ldr", "x", p), 0x8081828384858687UL);
  chk("ldrsb x +8", LD("ldrsb", "x", p + 8), 0x7f);
  chk("ldtr x (unprivileged)", LD("ldtr", "x", p + 8), 0x78797a7b7c7d7e7fUL);
  /* immediate offsets: scaled unsigned and unscaled signed */
  u64 r, a;
  __asm__ volatile("ldr %0, [%1, #8]" : "=r"(r) : "r"(p) : "memory"); chk("ldr [#8]", r, 0x78797a7b7c7d7e7fUL);
  __asm__ volatile("ldur %0, [%1, #-8]" : "=r"(r) : "r"(p + 16) : "memory"); chk("ldur [#-8]", r, 0x78797a7b7c7d7e7fUL);
  __asm__ volatile("ldurh %w0, [%1, #-1]" : "=r"(r) : "r"(p + 3) : "memory"); chk("ldurh [#-1]", r, 0x8485);
  __asm__ volatile("ldursw %0, [%1, #-4]" : "=r"(r) : "r"(p + 8) : "memory"); chk("ldursw [#-4]", r, 0xffffffff80818283UL);
  __asm__ volatile("ldrh %w0, [%1, #4094]" : "=r"(r) : "r"((u64)(uintptr_t)p - 4094 + 16) : "memory"); chk("ldrh [#4094]", r, 0xe1f0);
  /* pre/post-index write back the base */
  a = (u64)(uintptr_t)p;
  __asm__ volatile("ldr %0, [%1, #8]!" : "=r"(r), "+r"(a) :: "memory");
  chk("ldr [#8]! value", r, 0x78797a7b7c7d7e7fUL);
  chk("ldr [#8]! base - buf", a - (u64)(uintptr_t)p, 8);
  __asm__ volatile("ldr %0, [%1], #-8" : "=r"(r), "+r"(a) :: "memory");
  chk("ldr [],#-8 value", r, 0x78797a7b7c7d7e7fUL);
  chk("ldr [],#-8 base - buf", a - (u64)(uintptr_t)p, 0);
  __asm__ volatile("ldrb %w0, [%1], #1\n ldrb %w0, [%1], #1" : "=&r"(r), "+r"(a) :: "memory");
  chk("ldrb [],#1 twice", r, 0x86);
  chk("  base - buf", a - (u64)(uintptr_t)p, 2);
  /* register offsets with extend and shift */
  __asm__ volatile("ldr %0, [%1, %2, lsl #3]" : "=r"(r) : "r"(p), "r"(1UL) : "memory"); chk("ldr [x, lsl 3]", r, 0x78797a7b7c7d7e7fUL);
  __asm__ volatile("ldr %w0, [%1, %w2, sxtw #2]" : "=r"(r) : "r"(p + 8), "r"(0xfffffffeUL) : "memory"); chk("ldr w [w, sxtw 2] (-2)", r, 0x84858687UL);
  __asm__ volatile("ldrh %w0, [%1, %w2, uxtw #1]" : "=r"(r) : "r"(p), "r"(0x100000008UL) : "memory"); chk("ldrh [w, uxtw 1]", r, 0xe1f0);
  __asm__ volatile("ldrsb %0, [%1, %2]" : "=r"(r) : "r"(p + 16), "r"(-15L) : "memory"); chk("ldrsb [x] (-15)", r, 0xffffffffffffff86UL);
  __asm__ volatile("ldr %0, [%1, %w2, sxtw]" : "=r"(r) : "r"(p + 16), "r"(0xfffffff8UL) : "memory"); chk("ldr [w, sxtw] (-8)", r, 0x78797a7b7c7d7e7fUL);
  /* pairs */
  u64 r2;
  __asm__ volatile("ldp %0, %1, [%2]" : "=r"(r), "=r"(r2) : "r"(p) : "memory");
  chk("ldp x first", r, 0x8081828384858687UL);
  chk("ldp x second", r2, 0x78797a7b7c7d7e7fUL);
  __asm__ volatile("ldp %w0, %w1, [%2, #8]" : "=r"(r), "=r"(r2) : "r"(p) : "memory");
  chk("ldp w first", r, 0x7c7d7e7fUL);
  chk("ldp w second", r2, 0x78797a7bUL);
  __asm__ volatile("ldpsw %0, %1, [%2]" : "=r"(r), "=r"(r2) : "r"(p + 16) : "memory");
  chk("ldpsw first", r, 0xffffffffc3d2e1f0UL);
  chk("ldpsw second", r2, 0xffffffff8796a5b4UL);
  __asm__ volatile("ldnp %0, %1, [%2]" : "=r"(r), "=r"(r2) : "r"(p) : "memory");
  chk("ldnp second", r2, 0x78797a7b7c7d7e7fUL);
  a = (u64)(uintptr_t)(p + 32);
  __asm__ volatile("ldp %0, %1, [%2, #-32]!" : "=r"(r), "=r"(r2), "+r"(a) :: "memory");
  chk("ldp [#-32]! base - buf", a - (u64)(uintptr_t)p, 0);
  __asm__ volatile("ldp %0, %1, [%2], #16" : "=r"(r), "=r"(r2), "+r"(a) :: "memory");
  chk("ldp [],#16 base - buf", a - (u64)(uintptr_t)p, 16);

  /* stores of each width, read back as doublewords */
  u8 *s = buf + 64;
  for (int i = 0; i < 64; i++)
    s[i] = 0;
  __asm__ volatile("strb %w0, [%1]" :: "r"(0x1234567890abcdefUL), "r"(s) : "memory");
  __asm__ volatile("strh %w0, [%1, #2]" :: "r"(0x1234567890abcdefUL), "r"(s) : "memory");
  __asm__ volatile("str %w0, [%1, #4]" :: "r"(0x1234567890abcdefUL), "r"(s) : "memory");
  chk("strb+strh+str w", *(volatile u64 *)s, 0x90abcdefcdef00efUL);
  __asm__ volatile("stur %0, [%1, #-8]" :: "r"(0x1122334455667788UL), "r"(s + 16) : "memory");
  chk("stur [#-8]", *(volatile u64 *)(s + 8), 0x1122334455667788UL);
  a = (u64)(uintptr_t)s;
  __asm__ volatile("stp %1, %2, [%0, #16]!\n stp %w1, %w2, [%0, #16]\n str %1, [%0], #-16"
                   : "+r"(a) : "r"(0xaaaaaaaabbbbbbbbUL), "r"(0xccccccccddddddddUL) : "memory");
  chk("stp [#16]! base - s", a - (u64)(uintptr_t)s, 0);
  res("  after stp/stp w/str post", *(volatile u64 *)(s + 16));
  res("  +24", *(volatile u64 *)(s + 24));
  res("  +32", *(volatile u64 *)(s + 32));
  __asm__ volatile("str %0, [%1, %2, lsl #3]" :: "r"(0x5151515151515151UL), "r"(s), "r"(5UL) : "memory");
  chk("str [x, lsl 3]", *(volatile u64 *)(s + 40), 0x5151515151515151UL);
  __asm__ volatile("sttr %w0, [%1]" :: "r"(0x61626364UL), "r"(s + 48) : "memory");
  __asm__ volatile("stnp %w0, %w0, [%1, #8]" :: "r"(0x71727374UL), "r"(s + 48) : "memory");
  res("sttr w", *(volatile u64 *)(s + 48));
  res("stnp w", *(volatile u64 *)(s + 56));
  /* store with writeback where the data register is the base is CONSTRAINED UNPREDICTABLE:
   * left out. prfm is a hint: it must not fault even on an unmapped address. */
  __asm__ volatile("prfm pldl1keep, [%0]\n prfm pstl2strm, [%0, #64]" :: "r"(0x0b000000UL));
  res("after prfm", 1);

  /* PC-relative literal loads and address generation */
  __asm__ volatile("ldr %0, 1f\n b 2f\n .balign 8\n1: .quad 0x0123456789abcdef\n2:" : "=r"(r));
  chk("ldr literal x", r, 0x0123456789abcdefUL);
  __asm__ volatile("ldr %w0, 1f\n b 2f\n .balign 4\n1: .word 0x89abcdef\n2:" : "=r"(r));
  chk("ldr literal w", r, 0x89abcdefUL);
  __asm__ volatile("ldrsw %0, 1f\n b 2f\n .balign 4\n1: .word 0x89abcdef\n2:" : "=r"(r));
  chk("ldrsw literal", r, 0xffffffff89abcdefUL);
  __asm__ volatile("1: adr %0, 1b + 0x1234\n adr %1, 1b\n sub %0, %0, %1" : "=&r"(r), "=&r"(r2));
  chk("adr label+0x1234 - adr label", r, 0x1234);
  __asm__ volatile("1: adr %0, .-0x100000\n adr %1, 1b\n sub %0, %1, %0" : "=&r"(r), "=&r"(r2));
  chk("adr .-0x100000", r, 0x100000);
  __asm__ volatile("adrp %0, buf\n" : "=r"(r));
  chk("adrp buf - (buf & ~0xfff)", r - ((u64)(uintptr_t)buf & ~0xfffUL), 0);
  __asm__ volatile("1: adrp %0, 1b\n adr %1, 1b\n and %1, %1, #~0xfff\n sub %0, %0, %1" : "=&r"(r), "=&r"(r2));
  chk("adrp . - (. & ~0xfff)", r, 0);
  group_end("loadstore");
}

static void branches(void)
{
  u64 r;
#define BR(text, v) ({ __asm__ volatile("mov %0, #1\n " text " %1, 1f\n mov %0, #0\n1:" : "=&r"(r) : "r"((u64)(v))); r; })
#define TB(text, v, bit) ({ __asm__ volatile("mov %0, #1\n " text " %1, #" #bit ", 1f\n mov %0, #0\n1:" : "=&r"(r) : "r"((u64)(v))); r; })
  chk("cbz 0 taken", BR("cbz", 0), 1);
  chk("cbz 1<<63 taken", BR("cbz", MIN64), 0);
  chk("cbnz 1<<63 taken", BR("cbnz", MIN64), 1);
  chk("cbz w 0x1_00000000 taken", ({ __asm__ volatile("mov %0, #1\n cbz %w1, 1f\n mov %0, #0\n1:" : "=&r"(r) : "r"(0x100000000UL)); r; }), 1);
  chk("cbnz w 0x1_00000000 taken", ({ __asm__ volatile("mov %0, #1\n cbnz %w1, 1f\n mov %0, #0\n1:" : "=&r"(r) : "r"(0x100000000UL)); r; }), 0);
  chk("tbz bit 63 of min taken", TB("tbz", MIN64, 63), 0);
  chk("tbnz bit 63 of min taken", TB("tbnz", MIN64, 63), 1);
  chk("tbz bit 0 of 2 taken", TB("tbz", 2, 0), 1);
  chk("tbnz bit 32 of 1<<32 taken", TB("tbnz", 0x100000000UL, 32), 1);
  chk("tbnz w bit 31 taken", ({ __asm__ volatile("mov %0, #1\n tbnz %w1, #31, 1f\n mov %0, #0\n1:" : "=&r"(r) : "r"(0x80000000UL)); r; }), 1);
  /* bl/blr link the next instruction; br/ret go anywhere; ret xN */
  u64 d;
  __asm__ volatile("bl 1f\n2: b 3f\n1: adr %1, 2b\n sub %0, x30, %1\n ret\n3:" : "=&r"(r), "=&r"(d) :: "x30");
  chk("bl: x30 - return label", r, 0);
  __asm__ volatile("adr %1, 1f\n blr %1\n2: b 3f\n1: adr %1, 2b\n sub %0, x30, %1\n ret\n3:" : "=&r"(r), "=&r"(d) :: "x30");
  chk("blr: x30 - return label", r, 0);
  __asm__ volatile("adr x9, 1f\n mov %0, #5\n br x9\n mov %0, #6\n1: add %0, %0, #1" : "=&r"(r) :: "x9");
  chk("br", r, 6);
  __asm__ volatile("adr x10, 1f\n mov %0, #7\n ret x10\n mov %0, #8\n1: add %0, %0, #1" : "=&r"(r) :: "x10");
  chk("ret x10", r, 8);
  /* a backward conditional loop */
  __asm__ volatile("mov %0, #0\n mov x11, #100\n1: add %0, %0, x11\n subs x11, x11, #1\n b.ne 1b" : "=&r"(r) :: "x11", "cc");
  chk("loop sum 1..100", r, 5050);
  group_end("branches");
}

/* A mixing loop over many instruction kinds; its result is the checksum of the whole run of it. */
static void checksum_loop(void)
{
  u64 h = 0x243f6a8885a308d3UL, i = 0, t = 0, u = 0;
  __asm__ volatile(
    "mov %[i], #4096\n"
    "1:\n"
    " eor %[h], %[h], %[h], lsr #29\n"
    " madd %[h], %[h], %[k], %[i]\n"
    " ror %[t], %[h], #17\n"
    " add %[h], %[h], %[t], lsl #3\n"
    " umulh %[t], %[h], %[k]\n"
    " eor %[h], %[h], %[t]\n"
    " clz %[u], %[h]\n"
    " rbit %[t], %[h]\n"
    " adds %[h], %[h], %[u]\n"
    " csinc %[h], %[h], %[t], cc\n"
    " ubfx %[u], %[h], #13, #19\n"
    " bfi %[h], %[u], #40, #8\n"
    " tbz %[h], #7, 2f\n"
    " rev %[h], %[h]\n"
    "2:\n"
    " orr %[u], %[i], #0x100\n"
    " udiv %[t], %[h], %[u]\n"
    " sub %[h], %[h], %[t]\n"
    " subs %[i], %[i], #1\n"
    " b.ne 1b\n"
    : [h] "+r"(h), [i] "+r"(i), [t] "+r"(t), [u] "+r"(u)
    : [k] "r"(0x9e3779b97f4a7c15UL)
    : "cc");
  res("mixing loop (4096 rounds)", h);
  group_end("loop");
}

int main(void)
{
  print("isa-int\n");
  addsub();
  logical();
  moves();
  bitfield();
  shifts();
  conditions();
  bits();
  muldiv();
  loads_stores();
  branches();
  checksum_loop();
  printf("total checksum %016lx\n", total);
  finish("isa-int");
}
