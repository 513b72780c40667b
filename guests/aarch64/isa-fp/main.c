/* isa-fp: scalar floating point, single and double, and conversions to and from half (ARM DDI
 * 0487 "Floating-point data types and arithmetic", C6.2/C7.2 F* instructions, FPCR/FPSR; the pseudocode of FPAdd, FPMulAdd, FPProcessNaNs, FPRoundInt, FPToFixed, FPConvert).
 *
 * Every operation runs in inline asm between `msr fpsr, xzr` and `mrs fpsr`, with operands moved
 * in and results moved out as bit patterns, so the C compiler never computes a value. A line is
 * "<op> <operands> = <result bits> [flags]", flags being the FPSR cumulative bits the one
 * operation set: IO (invalid), DZ (divide by zero), OF, UF, IX (inexact), ID (input denormal).
 * Covered: arithmetic, fused multiply-add (vs separate), compares and their NZCV, fccmp/fcsel,
 * min/max(nm) with NaNs and signed zeros, fabs/fneg/fmov immediates, rounding modes (FPCR.RMode),
 * flush-to-zero (FPCR.FZ), default NaN (FPCR.DN), NaN propagation order, conversions between
 * half/single/double (also FPCR.AHP), to and from integers and fixed point, frint*, cumulative
 * FPSR behaviour and FPCR/FPSR writable bits. */
#include "rt.h"

/* double */
#define D_ONE   0x3ff0000000000000UL
#define D_TWO   0x4000000000000000UL
#define D_THREE 0x4008000000000000UL
#define D_HALF  0x3fe0000000000000UL
#define D_M1    0xbff0000000000000UL
#define D_EPS53 0x3ca0000000000000UL   /* 2^-53: half an ulp of 1.0 */
#define D_1P    0x3ff0000000000001UL   /* 1 + 2^-52 */
#define D_1M    0x3fefffffffffffffUL   /* 1 - 2^-53 */
#define D_MAX   0x7fefffffffffffffUL
#define D_MINN  0x0010000000000000UL   /* smallest normal */
#define D_DEN   0x0000000000000001UL   /* smallest subnormal */
#define D_INF   0x7ff0000000000000UL
#define D_NINF  0xfff0000000000000UL
#define D_QNAN  0x7ff8000000000123UL
#define D_NQNAN 0xfff8000000000789UL
#define D_SNAN  0x7ff0000000000456UL
#define D_QNANH 0x7ff8123456789abcUL   /* payload in the high bits too */
#define D_PZ    0x0000000000000000UL
#define D_NZ    0x8000000000000000UL
#define D_2_5   0x4004000000000000UL
#define D_M2_5  0xc004000000000000UL
#define D_3_5   0x400c000000000000UL
#define D_M0_5  0xbfe0000000000000UL
#define D_1E20  0x4415af1d78b58c40UL
#define D_M1E20 0xc415af1d78b58c40UL
#define D_2P63  0x43e0000000000000UL
#define D_M2P63 0xc3e0000000000000UL
#define D_2P64  0x43f0000000000000UL
#define D_2P31  0x41e0000000000000UL
#define D_1E300 0x7e37e43c8800759cUL
/* single */
#define S_ONE   0x3f800000UL
#define S_TWO   0x40000000UL
#define S_THREE 0x40400000UL
#define S_EPS24 0x33800000UL
#define S_MAX   0x7f7fffffUL
#define S_MINN  0x00800000UL
#define S_DEN   0x00000001UL
#define S_INF   0x7f800000UL
#define S_QNAN  0x7fc00123UL
#define S_SNAN  0x7f800456UL
#define S_2_5   0x40200000UL
#define S_M2_5  0xc0200000UL
/* half */
#define H_MAX   0x7bffUL
#define H_DEN   0x0001UL

#define FPCR_AHP   (1UL << 26)
#define FPCR_DN    (1UL << 25)
#define FPCR_FZ    (1UL << 24)
#define FPCR_RMODE(m) ((u64)(m) << 22)

static u64 R, F;   /* result bits and FPSR of the last FP() */

/* setup moves the operands %[x] %[y] %[z] into v0..v2, text runs with FPSR cleared, out moves
 * the result into %[r] */
#define FP(setup, text, out, a, b, c)                                                          \
  __asm__ volatile(setup "\n msr fpsr, xzr\n " text "\n mrs %[f], fpsr\n " out                \
                   : [r] "=&r"(R), [f] "=&r"(F)                                               \
                   : [x] "r"((u64)(a)), [y] "r"((u64)(b)), [z] "r"((u64)(c))                  \
                   : "x9", "v0", "v1", "v2", "cc", "memory")

#define SETUP_D "fmov d0, %[x]\n fmov d1, %[y]\n fmov d2, %[z]"
#define SETUP_S "fmov s0, %w[x]\n fmov s1, %w[y]\n fmov s2, %w[z]"
#define OUT_D "fmov %[r], d0"
#define OUT_S "fmov %w[r], s0"
#define OUT_X "mov %[r], x9"

#define D1(insn, a) FP(SETUP_D, insn " d0, d0", OUT_D, a, 0, 0)
#define D2(insn, a, b) FP(SETUP_D, insn " d0, d0, d1", OUT_D, a, b, 0)
#define D3(insn, a, b, c) FP(SETUP_D, insn " d0, d0, d1, d2", OUT_D, a, b, c)
#define S1(insn, a) FP(SETUP_S, insn " s0, s0", OUT_S, a, 0, 0)
#define S2(insn, a, b) FP(SETUP_S, insn " s0, s0, s1", OUT_S, a, b, 0)
#define S3(insn, a, b, c) FP(SETUP_S, insn " s0, s0, s1, s2", OUT_S, a, b, c)

static void flags(u64 f)
{
  static const struct { u64 bit; const char *name; } names[] = {
    { 1UL << 0, " IO" }, { 1UL << 1, " DZ" }, { 1UL << 2, " OF" }, { 1UL << 3, " UF" },
    { 1UL << 4, " IX" }, { 1UL << 7, " ID" }, { 1UL << 27, " QC" },
  };
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
    if (f & names[i].bit)
      print(names[i].name);
  if (f & ~(0x9fUL | (1UL << 27)))
    printf(" other %lx", f);
}

static const char *prefix = "";

static void out(const char *name, int digits)
{
  print(prefix);
  print(name);
  print(" = ");
  put_hexn(R, digits);
  flags(F);
  nl();
}

#define OD(name) out(name, 16)
#define OS(name) out(name, 8)
#define OH(name) out(name, 4)

static void nzcv_out(const char *name)
{
  print(name);
  print(": nzcv ");
  putch(R & (1UL << 31) ? 'N' : '-');
  putch(R & (1UL << 30) ? 'Z' : '-');
  putch(R & (1UL << 29) ? 'C' : '-');
  putch(R & (1UL << 28) ? 'V' : '-');
  flags(F);
  nl();
}

static void set_fpcr(u64 v)
{
  write_sysreg(fpcr, v);
}

static void arithmetic(void)
{
  D2("fadd", D_ONE, D_TWO); OD("fadd.d 1+2");
  D2("fadd", D_ONE, D_EPS53); OD("fadd.d 1+2^-53 (tie, even)");
  D2("fadd", D_1P, D_EPS53); OD("fadd.d (1+2^-52)+2^-53 (tie, even)");
  D2("fsub", D_ONE, D_ONE); OD("fsub.d 1-1");
  D2("fsub", D_NZ, D_PZ); OD("fsub.d -0-0");
  D2("fadd", D_NZ, D_NZ); OD("fadd.d -0+-0");
  D2("fadd", D_MAX, D_MAX); OD("fadd.d max+max");
  D2("fadd", D_INF, D_NINF); OD("fadd.d inf+-inf");
  D2("fsub", D_INF, D_INF); OD("fsub.d inf-inf");
  D2("fmul", D_THREE, D_HALF); OD("fmul.d 3*0.5");
  D2("fmul", D_INF, D_PZ); OD("fmul.d inf*0");
  D2("fmul", D_NZ, D_THREE); OD("fmul.d -0*3");
  D2("fmul", D_MINN, D_HALF); OD("fmul.d minnormal*0.5 (exact subnormal)");
  D2("fmul", D_MINN, D_1M); OD("fmul.d minnormal*(1-2^-53) (tiny, inexact)");
  D2("fmul", D_DEN, D_HALF); OD("fmul.d mindenormal*0.5");
  D2("fnmul", D_THREE, D_TWO); OD("fnmul.d 3*2");
  D2("fdiv", D_ONE, D_THREE); OD("fdiv.d 1/3");
  D2("fdiv", D_ONE, D_PZ); OD("fdiv.d 1/0");
  D2("fdiv", D_M1, D_PZ); OD("fdiv.d -1/0");
  D2("fdiv", D_PZ, D_PZ); OD("fdiv.d 0/0");
  D2("fdiv", D_INF, D_INF); OD("fdiv.d inf/inf");
  D2("fdiv", D_ONE, D_INF); OD("fdiv.d 1/inf");
  D2("fdiv", D_MAX, D_HALF); OD("fdiv.d max/0.5");
  D1("fsqrt", D_TWO); OD("fsqrt.d 2");
  D1("fsqrt", D_NZ); OD("fsqrt.d -0");
  D1("fsqrt", D_M1); OD("fsqrt.d -1");
  D1("fsqrt", D_INF); OD("fsqrt.d inf");
  D1("fsqrt", D_DEN); OD("fsqrt.d mindenormal");

  S2("fadd", S_ONE, S_TWO); OS("fadd.s 1+2");
  S2("fadd", S_ONE, S_EPS24); OS("fadd.s 1+2^-24 (tie, even)");
  S2("fadd", S_MAX, S_MAX); OS("fadd.s max+max");
  S2("fmul", S_MINN, 0x3f000000UL); OS("fmul.s minnormal*0.5");
  S2("fmul", S_DEN, 0x3f000000UL); OS("fmul.s mindenormal*0.5");
  S2("fdiv", S_ONE, S_THREE); OS("fdiv.s 1/3");
  S2("fdiv", S_ONE, 0); OS("fdiv.s 1/0");
  S2("fdiv", 0, 0); OS("fdiv.s 0/0");
  S1("fsqrt", S_TWO); OS("fsqrt.s 2");
  S1("fsqrt", 0xbf800000UL); OS("fsqrt.s -1");
  S2("fnmul", S_ONE, 0); OS("fnmul.s 1*0");
}

static void fused(void)
{
  /* (1+2^-52)^2 - (1+2^-51): exactly 2^-104 fused, 0 when the product is rounded first */
  D3("fmadd", D_1P, D_1P, 0xbff0000000000002UL); OD("fmadd.d (1+e)*(1+e)-(1+2e)");
  FP(SETUP_D, "fmul d0, d0, d1\n fadd d0, d0, d2", OUT_D, D_1P, D_1P, 0xbff0000000000002UL); OD("fmul+fadd.d same");
  D3("fmsub", D_1P, D_1P, 0x3ff0000000000002UL); OD("fmsub.d (1+2e)-(1+e)*(1+e)");
  D3("fnmadd", D_1P, D_1P, 0xbff0000000000002UL); OD("fnmadd.d -((1+e)*(1+e))-(-(1+2e))");
  D3("fnmsub", D_1P, D_1P, 0x3ff0000000000002UL); OD("fnmsub.d (1+e)*(1+e)-(1+2e)");
  D3("fmadd", D_TWO, D_THREE, D_ONE); OD("fmadd.d 2*3+1");
  D3("fmsub", D_TWO, D_THREE, D_ONE); OD("fmsub.d 1-2*3");
  D3("fnmadd", D_TWO, D_THREE, D_ONE); OD("fnmadd.d -(2*3)-1");
  D3("fnmsub", D_TWO, D_THREE, D_ONE); OD("fnmsub.d 2*3-1");
  D3("fmadd", D_PZ, D_M1, D_NZ); OD("fmadd.d 0*-1+-0");
  D3("fmadd", D_PZ, D_M1, D_PZ); OD("fmadd.d 0*-1+0");
  D3("fnmadd", D_PZ, D_ONE, D_PZ); OD("fnmadd.d -(0*1)-0");
  D3("fmadd", D_INF, D_PZ, D_ONE); OD("fmadd.d inf*0+1");
  D3("fmadd", D_INF, D_PZ, D_QNAN); OD("fmadd.d inf*0+qnan");
  D3("fmadd", D_MAX, D_TWO, D_NINF); OD("fmadd.d max*2+-inf");
  D3("fmadd", D_INF, D_ONE, D_NINF); OD("fmadd.d inf*1+-inf");
  S3("fmadd", 0x3f800001UL, 0x3f800001UL, 0xbf800002UL); OS("fmadd.s (1+e)*(1+e)-(1+2e)");
  S3("fnmsub", 0x40000000UL, 0x40400000UL, S_ONE); OS("fnmsub.s 2*3-1");
}

static void nans(void)
{
  D2("fadd", D_QNAN, D_ONE); OD("fadd.d qnan+1");
  D2("fadd", D_ONE, D_QNAN); OD("fadd.d 1+qnan");
  D2("fadd", D_SNAN, D_ONE); OD("fadd.d snan+1");
  D2("fadd", D_QNAN, D_SNAN); OD("fadd.d qnan+snan (snan first)");
  D2("fadd", D_NQNAN, D_QNAN); OD("fadd.d -qnan+qnan (first operand)");
  D2("fmul", D_QNAN, D_NQNAN); OD("fmul.d qnan*-qnan");
  D2("fdiv", D_ONE, D_SNAN); OD("fdiv.d 1/snan");
  D1("fsqrt", D_SNAN); OD("fsqrt.d snan");
  D1("fsqrt", D_NQNAN); OD("fsqrt.d -qnan");
  /* FPMulAdd: NaNs are looked for in the order addend, first, second (sNaN before qNaN) */
  D3("fmadd", D_QNAN, D_ONE, D_NQNAN); OD("fmadd.d qnan*1+(-qnan) (addend)");
  D3("fmadd", D_SNAN, D_ONE, D_NQNAN); OD("fmadd.d snan*1+(-qnan) (snan)");
  D3("fmadd", D_ONE, D_QNAN, D_ONE); OD("fmadd.d 1*qnan+1");
  D3("fmadd", D_NQNAN, D_QNAN, D_ONE); OD("fmadd.d -qnan*qnan+1");
  S2("fadd", S_QNAN, S_ONE); OS("fadd.s qnan+1");
  S2("fadd", S_SNAN, S_ONE); OS("fadd.s snan+1");
  S2("fadd", S_ONE, S_SNAN); OS("fadd.s 1+snan");
  /* FPCR.DN: every NaN result is the default NaN */
  set_fpcr(FPCR_DN);
  prefix = "DN: ";
  D2("fadd", D_QNAN, D_ONE); OD("fadd.d qnan+1");
  D2("fadd", D_SNAN, D_ONE); OD("fadd.d snan+1");
  D2("fmin", D_QNAN, D_ONE); OD("fmin.d qnan,1");
  D3("fmadd", D_QNAN, D_ONE, D_NQNAN); OD("fmadd.d qnan*1+(-qnan)");
  S2("fadd", S_QNAN, S_ONE); OS("fadd.s qnan+1");
  D1("fabs", D_NQNAN); OD("fabs.d -qnan (not arithmetic: unchanged)");
  D1("fneg", D_SNAN); OD("fneg.d snan");
  FP(SETUP_D, "fcvt s0, d0", OUT_S, D_QNANH, 0, 0); OS("fcvt s<-d qnan");
  set_fpcr(0);
  prefix = "";
}

static void minmax(void)
{
  D2("fmin", D_ONE, D_TWO); OD("fmin.d 1,2");
  D2("fmax", D_ONE, D_TWO); OD("fmax.d 1,2");
  D2("fmin", D_ONE, D_QNAN); OD("fmin.d 1,qnan");
  D2("fmax", D_QNAN, D_ONE); OD("fmax.d qnan,1");
  D2("fminnm", D_ONE, D_QNAN); OD("fminnm.d 1,qnan");
  D2("fminnm", D_QNAN, D_ONE); OD("fminnm.d qnan,1");
  D2("fmaxnm", D_NQNAN, D_M1); OD("fmaxnm.d -qnan,-1");
  D2("fmaxnm", D_QNAN, D_NQNAN); OD("fmaxnm.d qnan,-qnan");
  D2("fminnm", D_SNAN, D_ONE); OD("fminnm.d snan,1");
  D2("fmin", D_ONE, D_SNAN); OD("fmin.d 1,snan");
  D2("fmin", D_NZ, D_PZ); OD("fmin.d -0,+0");
  D2("fmin", D_PZ, D_NZ); OD("fmin.d +0,-0");
  D2("fmax", D_NZ, D_PZ); OD("fmax.d -0,+0");
  D2("fmaxnm", D_PZ, D_NZ); OD("fmaxnm.d +0,-0");
  D2("fminnm", D_PZ, D_NZ); OD("fminnm.d +0,-0");
  D2("fmin", D_INF, D_NINF); OD("fmin.d inf,-inf");
  D2("fmax", D_DEN, D_PZ); OD("fmax.d mindenormal,0");
  S2("fmin", S_ONE, S_QNAN); OS("fmin.s 1,qnan");
  S2("fminnm", S_QNAN, S_TWO); OS("fminnm.s qnan,2");
  S2("fmaxnm", S_SNAN, S_TWO); OS("fmaxnm.s snan,2");
  S2("fmax", 0x80000000UL, 0); OS("fmax.s -0,+0");
}

static void signs_and_immediates(void)
{
  D1("fabs", D_M2_5); OD("fabs.d -2.5");
  D1("fabs", D_NZ); OD("fabs.d -0");
  D1("fabs", 0xfff0000000000456UL); OD("fabs.d -snan");
  D1("fneg", D_PZ); OD("fneg.d 0");
  D1("fneg", D_QNAN); OD("fneg.d qnan");
  D1("fneg", D_SNAN); OD("fneg.d snan");
  D1("fneg", D_DEN); OD("fneg.d mindenormal");
  S1("fabs", 0xff800001UL); OS("fabs.s -snan");
  S1("fneg", S_INF); OS("fneg.s inf");
  D1("fmov", D_SNAN); OD("fmov.d snan");
#define FMOVI(imm) FP(SETUP_D, "fmov d0, #" #imm, OUT_D, 0, 0, 0); OD("fmov d0, #" #imm)
  FMOVI(1.0);
  FMOVI(-0.125);
  FMOVI(31.0);
  FMOVI(0.1328125);
  FMOVI(1.9375);
  FMOVI(-2.5);
  FP(SETUP_S, "fmov s0, #-31.0", OUT_S, 0, 0, 0); OS("fmov s0, #-31.0");
  FP(SETUP_S, "fmov s0, #0.25", OUT_S, 0, 0, 0); OS("fmov s0, #0.25");
  FP(SETUP_D, "movi d0, #0", OUT_D, D_ONE, 0, 0); OD("movi d0, #0");
}

#define CMP(text, a, b) FP(SETUP_D, "msr nzcv, xzr\n " text "\n mrs x9, nzcv", OUT_X, a, b, 0)
#define CMPS(text, a, b) FP(SETUP_S, "msr nzcv, xzr\n " text "\n mrs x9, nzcv", OUT_X, a, b, 0)

static void compares(void)
{
  CMP("fcmp d0, d1", D_ONE, D_TWO); nzcv_out("fcmp.d 1,2");
  CMP("fcmp d0, d1", D_TWO, D_ONE); nzcv_out("fcmp.d 2,1");
  CMP("fcmp d0, d1", D_ONE, D_ONE); nzcv_out("fcmp.d 1,1");
  CMP("fcmp d0, d1", D_NZ, D_PZ); nzcv_out("fcmp.d -0,+0");
  CMP("fcmp d0, d1", D_INF, D_INF); nzcv_out("fcmp.d inf,inf");
  CMP("fcmp d0, d1", D_NINF, D_DEN); nzcv_out("fcmp.d -inf,mindenormal");
  CMP("fcmp d0, d1", D_QNAN, D_ONE); nzcv_out("fcmp.d qnan,1");
  CMP("fcmpe d0, d1", D_QNAN, D_ONE); nzcv_out("fcmpe.d qnan,1");
  CMP("fcmp d0, d1", D_ONE, D_SNAN); nzcv_out("fcmp.d 1,snan");
  CMP("fcmp d0, #0.0", D_NZ, 0); nzcv_out("fcmp.d -0,#0.0");
  CMP("fcmp d0, #0.0", D_M1, 0); nzcv_out("fcmp.d -1,#0.0");
  CMP("fcmpe d0, #0.0", D_NQNAN, 0); nzcv_out("fcmpe.d -qnan,#0.0");
  CMPS("fcmp s0, s1", S_ONE, S_TWO); nzcv_out("fcmp.s 1,2");
  CMPS("fcmp s0, s1", S_QNAN, S_QNAN); nzcv_out("fcmp.s qnan,qnan");
  CMPS("fcmpe s0, s1", S_ONE, S_ONE); nzcv_out("fcmpe.s 1,1");
  /* fccmp: condition true → compare, false → NZCV = the immediate (and no exception) */
  CMP("mov x9, #0\n cmp x9, #0\n fccmp d0, d1, #0b1111, eq", D_ONE, D_TWO); nzcv_out("fccmp.d 1,2,#NZCV,eq (true)");
  CMP("mov x9, #0\n cmp x9, #1\n fccmp d0, d1, #0b1010, eq", D_ONE, D_TWO); nzcv_out("fccmp.d 1,2,#N-C-,eq (false)");
  CMP("mov x9, #0\n cmp x9, #0\n fccmpe d0, d1, #0, eq", D_QNAN, D_TWO); nzcv_out("fccmpe.d qnan,2,#0,eq (true)");
  CMP("mov x9, #0\n cmp x9, #1\n fccmpe d0, d1, #0, eq", D_QNAN, D_TWO); nzcv_out("fccmpe.d qnan,2,#0,eq (false)");
  CMPS("mov x9, #0\n cmp x9, #0\n fccmp s0, s1, #0, ne", S_SNAN, S_TWO); nzcv_out("fccmp.s snan,2,#0,ne (false)");
  /* fcsel on the flags of a compare */
  FP(SETUP_D, "fcmp d0, d1\n fcsel d0, d0, d1, gt", OUT_D, D_TWO, D_ONE, 0); OD("fcmp 2,1; fcsel gt");
  FP(SETUP_D, "fcmp d0, d1\n fcsel d0, d0, d1, gt", OUT_D, D_QNAN, D_ONE, 0); OD("fcmp qnan,1; fcsel gt");
  FP(SETUP_D, "fcmp d0, d1\n fcsel d0, d0, d1, vs", OUT_D, D_QNAN, D_ONE, 0); OD("fcmp qnan,1; fcsel vs");
  FP(SETUP_S, "fcmp s0, s1\n fcsel s0, s0, s1, mi", OUT_S, S_ONE, S_TWO, 0); OS("fcmp.s 1,2; fcsel mi");
}

static void rounding_modes(void)
{
  static const char *const names[4] = { "RN: ", "RP: ", "RM: ", "RZ: " };
  for (u64 m = 0; m < 4; m++) {
    set_fpcr(FPCR_RMODE(m));
    prefix = names[m];
    D2("fadd", D_ONE, D_EPS53); OD("fadd.d 1+2^-53");
    D2("fadd", D_M1, 0xbca0000000000000UL); OD("fadd.d -1-2^-53");
    D2("fadd", D_ONE, 0x3ca8000000000000UL); OD("fadd.d 1+1.5*2^-53");
    D2("fsub", D_ONE, D_ONE); OD("fsub.d 1-1");
    D2("fdiv", D_ONE, D_THREE); OD("fdiv.d 1/3");
    D2("fdiv", D_M1, D_THREE); OD("fdiv.d -1/3");
    D2("fmul", D_MAX, D_TWO); OD("fmul.d max*2");
    D2("fmul", 0xffefffffffffffffUL, D_TWO); OD("fmul.d -max*2");
    D2("fmul", D_MINN, D_1M); OD("fmul.d minnormal*(1-2^-53)");
    D1("fsqrt", D_TWO); OD("fsqrt.d 2");
    D3("fmadd", D_ONE, D_ONE, D_EPS53); OD("fmadd.d 1*1+2^-53");
    S2("fdiv", S_ONE, S_THREE); OS("fdiv.s 1/3");
    FP(SETUP_D, "fcvt s0, d0", OUT_S, 0x3fd5555555555555UL, 0, 0); OS("fcvt s<-d 1/3");
    FP(SETUP_D, "fcvt h0, d0", OUT_S, 0x40effe0000000000UL, 0, 0); OH("fcvt h<-d 65520");
    D1("frinti", D_2_5); OD("frinti.d 2.5");
    D1("frinti", D_M2_5); OD("frinti.d -2.5");
    D1("frintx", D_M0_5); OD("frintx.d -0.5");
    FP("mov x9, %[x]", "scvtf d0, x9", OUT_D, 0x20000000000001UL, 0, 0); OD("scvtf.d 2^53+1");
    FP("mov x9, %[x]", "scvtf d0, x9", OUT_D, 0xffdfffffffffffffUL, 0, 0); OD("scvtf.d -(2^53+1)");
    FP("mov x9, %[x]", "ucvtf s0, w9", OUT_S, 0xffffffffUL, 0, 0); OS("ucvtf.s 0xffffffff");
    /* fcvtz* truncate and fcvtn* round to nearest whatever FPCR says */
    FP(SETUP_D, "fcvtzs x9, d0", OUT_X, D_M2_5, 0, 0); OD("fcvtzs x -2.5");
    FP(SETUP_D, "fcvtns x9, d0", OUT_X, D_M2_5, 0, 0); OD("fcvtns x -2.5");
  }
  set_fpcr(0);
  prefix = "";
}

static void flush_to_zero(void)
{
  set_fpcr(FPCR_FZ);
  prefix = "FZ: ";
  D2("fadd", D_DEN, D_PZ); OD("fadd.d mindenormal+0");
  D2("fadd", D_DEN, D_ONE); OD("fadd.d mindenormal+1");
  D2("fmul", D_MINN, D_HALF); OD("fmul.d minnormal*0.5");
  D2("fmul", 0x800fffffffffffffUL, D_TWO); OD("fmul.d -maxdenormal*2");
  D2("fsub", D_MINN, 0x0010000000000001UL); OD("fsub.d minnormal-(minnormal+ulp)");
  D1("fabs", 0x800fffffffffffffUL); OD("fabs.d -maxdenormal (not arithmetic)");
  D1("fneg", D_DEN); OD("fneg.d mindenormal");
  D2("fmax", D_DEN, D_PZ); OD("fmax.d mindenormal,0");
  D1("fsqrt", D_DEN); OD("fsqrt.d mindenormal");
  CMP("fcmp d0, d1", D_DEN, D_PZ); nzcv_out("FZ: fcmp.d mindenormal,0");
  FP(SETUP_D, "fcvt s0, d0", OUT_S, 0x3800000000000000UL, 0, 0); OS("fcvt s<-d 2^-127 (subnormal single)");
  FP(SETUP_S, "fcvt d0, s0", OUT_D, S_DEN, 0, 0); OD("fcvt d<-s mindenormal");
  FP(SETUP_S, "fcvt h0, s0", OUT_S, 0x33800000UL, 0, 0); OH("fcvt h<-s 2^-24 (half subnormal)");
  FP(SETUP_S, "fcvt s0, h0", OUT_S, H_DEN, 0, 0); OS("fcvt s<-h mindenormal");
  FP(SETUP_D, "fcvtzs x9, d0", OUT_X, D_DEN, 0, 0); OD("fcvtzs x mindenormal");
  S2("fmul", S_MINN, 0x3f000000UL); OS("fmul.s minnormal*0.5");
  S2("fadd", S_DEN, 0); OS("fadd.s mindenormal+0");
  set_fpcr(0);
  prefix = "";
}

static void conversions(void)
{
  /* between precisions */
  FP(SETUP_D, "fcvt s0, d0", OUT_S, 0x3fd5555555555555UL, 0, 0); OS("fcvt s<-d 1/3");
  FP(SETUP_D, "fcvt s0, d0", OUT_S, D_MAX, 0, 0); OS("fcvt s<-d max");
  FP(SETUP_D, "fcvt s0, d0", OUT_S, D_DEN, 0, 0); OS("fcvt s<-d mindenormal");
  FP(SETUP_D, "fcvt s0, d0", OUT_S, 0x3810000000000000UL, 0, 0); OS("fcvt s<-d 2^-126");
  FP(SETUP_D, "fcvt s0, d0", OUT_S, 0x36a0000000000000UL, 0, 0); OS("fcvt s<-d 2^-149");
  FP(SETUP_D, "fcvt s0, d0", OUT_S, 0x3690000000000000UL, 0, 0); OS("fcvt s<-d 2^-150 (tie to 0)");
  FP(SETUP_D, "fcvt s0, d0", OUT_S, D_NZ, 0, 0); OS("fcvt s<-d -0");
  FP(SETUP_D, "fcvt s0, d0", OUT_S, D_QNANH, 0, 0); OS("fcvt s<-d qnan (payload high bits)");
  FP(SETUP_D, "fcvt s0, d0", OUT_S, D_SNAN, 0, 0); OS("fcvt s<-d snan");
  FP(SETUP_D, "fcvt s0, d0", OUT_S, D_NINF, 0, 0); OS("fcvt s<-d -inf");
  FP(SETUP_S, "fcvt d0, s0", OUT_D, S_QNAN, 0, 0); OD("fcvt d<-s qnan");
  FP(SETUP_S, "fcvt d0, s0", OUT_D, S_SNAN, 0, 0); OD("fcvt d<-s snan");
  FP(SETUP_S, "fcvt d0, s0", OUT_D, S_DEN, 0, 0); OD("fcvt d<-s mindenormal");
  FP(SETUP_S, "fcvt d0, s0", OUT_D, S_MAX, 0, 0); OD("fcvt d<-s max");
  /* half (IEEE, then the Arm alternative format) */
  FP(SETUP_S, "fcvt h0, s0", OUT_S, 0x477fe000UL, 0, 0); OH("fcvt h<-s 65504");
  FP(SETUP_S, "fcvt h0, s0", OUT_S, 0x477ff000UL, 0, 0); OH("fcvt h<-s 65520");
  FP(SETUP_S, "fcvt h0, s0", OUT_S, 0x477fefffUL, 0, 0); OH("fcvt h<-s 65519.99");
  FP(SETUP_S, "fcvt h0, s0", OUT_S, 0x33800000UL, 0, 0); OH("fcvt h<-s 2^-24");
  FP(SETUP_S, "fcvt h0, s0", OUT_S, 0x33000000UL, 0, 0); OH("fcvt h<-s 2^-25 (tie to 0)");
  FP(SETUP_S, "fcvt h0, s0", OUT_S, 0x33400000UL, 0, 0); OH("fcvt h<-s 1.5*2^-25");
  FP(SETUP_S, "fcvt h0, s0", OUT_S, 0x3eaaaaabUL, 0, 0); OH("fcvt h<-s 1/3");
  FP(SETUP_S, "fcvt h0, s0", OUT_S, S_QNAN | 0x3fe000UL, 0, 0); OH("fcvt h<-s qnan");
  FP(SETUP_S, "fcvt h0, s0", OUT_S, S_SNAN | 0x200000UL, 0, 0); OH("fcvt h<-s snan");
  FP(SETUP_D, "fcvt h0, d0", OUT_S, 0x3fd5555555555555UL, 0, 0); OH("fcvt h<-d 1/3");
  FP(SETUP_D, "fcvt h0, d0", OUT_S, D_NINF, 0, 0); OH("fcvt h<-d -inf");
  FP(SETUP_S, "fcvt s0, h0", OUT_S, H_MAX, 0, 0); OS("fcvt s<-h max");
  FP(SETUP_S, "fcvt s0, h0", OUT_S, H_DEN, 0, 0); OS("fcvt s<-h mindenormal");
  FP(SETUP_S, "fcvt s0, h0", OUT_S, 0xfc00UL, 0, 0); OS("fcvt s<-h -inf");
  FP(SETUP_S, "fcvt s0, h0", OUT_S, 0x7e01UL, 0, 0); OS("fcvt s<-h qnan");
  FP(SETUP_S, "fcvt s0, h0", OUT_S, 0x7c01UL, 0, 0); OS("fcvt s<-h snan");
  FP(SETUP_S, "fcvt d0, h0", OUT_D, 0xbc00UL, 0, 0); OD("fcvt d<-h -1");
  FP(SETUP_S, "fcvt d0, h0", OUT_D, 0x7e01UL, 0, 0); OD("fcvt d<-h qnan");
  set_fpcr(FPCR_AHP);
  prefix = "AHP: ";
  FP(SETUP_S, "fcvt h0, s0", OUT_S, 0x47c00000UL, 0, 0); OH("fcvt h<-s 98304");
  FP(SETUP_S, "fcvt h0, s0", OUT_S, 0x48000000UL, 0, 0); OH("fcvt h<-s 131072");
  FP(SETUP_S, "fcvt h0, s0", OUT_S, S_INF, 0, 0); OH("fcvt h<-s inf");
  FP(SETUP_S, "fcvt h0, s0", OUT_S, S_QNAN, 0, 0); OH("fcvt h<-s qnan");
  FP(SETUP_S, "fcvt s0, h0", OUT_S, 0x7c00UL, 0, 0); OS("fcvt s<-h 0x7c00");
  FP(SETUP_S, "fcvt s0, h0", OUT_S, 0xffffUL, 0, 0); OS("fcvt s<-h 0xffff");
  set_fpcr(0);
  prefix = "";
}

/* to integer: each conversion on a row of values */
static const struct { const char *name; u64 v; } to_int_values[] = {
  { "2.5", D_2_5 }, { "-2.5", D_M2_5 }, { "3.5", D_3_5 }, { "-0.5", D_M0_5 }, { "1e20", D_1E20 },
  { "-1e20", D_M1E20 }, { "2^63", D_2P63 }, { "-2^63", D_M2P63 }, { "2^64", D_2P64 },
  { "2^31", D_2P31 }, { "qnan", D_QNAN }, { "-inf", D_NINF },
};
#define NVALS (sizeof to_int_values / sizeof to_int_values[0])

#define TO_INT(insn, reg, digits)                                                               \
  for (unsigned i = 0; i < NVALS; i++) {                                                      \
    FP(SETUP_D, insn " " reg "9, d0", OUT_X, to_int_values[i].v, 0, 0);                       \
    print(insn " " reg " ");                                                                  \
    print(to_int_values[i].name);                                                             \
    print(" = ");                                                                             \
    put_hexn(R, digits);                                                                      \
    flags(F);                                                                                 \
    nl();                                                                                     \
  }

static void to_integer(void)
{
  TO_INT("fcvtzs", "x", 16);
  TO_INT("fcvtzu", "x", 16);
  TO_INT("fcvtns", "x", 16);
  TO_INT("fcvtas", "x", 16);
  TO_INT("fcvtms", "x", 16);
  TO_INT("fcvtps", "x", 16);
  TO_INT("fcvtzs", "w", 16);
  TO_INT("fcvtzu", "w", 16);
  TO_INT("fcvtnu", "w", 16);
  TO_INT("fcvtau", "x", 16);
  /* single sources, fixed point */
  FP(SETUP_S, "fcvtzs w9, s0", OUT_X, S_M2_5, 0, 0); OD("fcvtzs w s -2.5");
  FP(SETUP_S, "fcvtzu x9, s0", OUT_X, 0x5f800000UL, 0, 0); OD("fcvtzu x s 2^64");
  FP(SETUP_S, "fcvtps x9, s0", OUT_X, S_2_5, 0, 0); OD("fcvtps x s 2.5");
  FP(SETUP_D, "fcvtzs x9, d0, #8", OUT_X, D_2_5, 0, 0); OD("fcvtzs x, #8 2.5");
  FP(SETUP_D, "fcvtzs w9, d0, #31", OUT_X, D_M0_5, 0, 0); OD("fcvtzs w, #31 -0.5");
  FP(SETUP_D, "fcvtzu x9, d0, #64", OUT_X, D_HALF, 0, 0); OD("fcvtzu x, #64 0.5");
  FP(SETUP_D, "fcvtzs x9, d0, #1", OUT_X, D_2P63, 0, 0); OD("fcvtzs x, #1 2^63");
  /* from integer */
  FP("mov x9, %[x]", "scvtf d0, x9", OUT_D, -1L, 0, 0); OD("scvtf d x -1");
  FP("mov x9, %[x]", "scvtf d0, x9", OUT_D, 0x8000000000000000UL, 0, 0); OD("scvtf d x min");
  FP("mov x9, %[x]", "scvtf d0, x9", OUT_D, 0x7fffffffffffffffUL, 0, 0); OD("scvtf d x max");
  FP("mov x9, %[x]", "ucvtf d0, x9", OUT_D, ~0UL, 0, 0); OD("ucvtf d x 2^64-1");
  FP("mov x9, %[x]", "scvtf d0, w9", OUT_D, 0xffffffff80000000UL, 0, 0); OD("scvtf d w min");
  FP("mov x9, %[x]", "ucvtf d0, w9", OUT_D, 0xffffffff80000000UL, 0, 0); OD("ucvtf d w 0x80000000");
  FP("mov x9, %[x]", "scvtf s0, w9", OUT_S, 0x7fffffffUL, 0, 0); OS("scvtf s w max");
  FP("mov x9, %[x]", "scvtf s0, x9", OUT_S, 0x1000001UL, 0, 0); OS("scvtf s x 2^24+1");
  FP("mov x9, %[x]", "scvtf s0, x9", OUT_S, 0x1000003UL, 0, 0); OS("scvtf s x 2^24+3");
  FP("mov x9, %[x]", "scvtf d0, x9, #4", OUT_D, 0x18UL, 0, 0); OD("scvtf d x, #4 0x18");
  FP("mov x9, %[x]", "ucvtf d0, x9, #64", OUT_D, 0x8000000000000000UL, 0, 0); OD("ucvtf d x, #64 2^63");
  FP("mov x9, %[x]", "scvtf s0, w9, #32", OUT_S, 0x80000000UL, 0, 0); OS("scvtf s w, #32 min");
  /* bit moves between general and FP registers, including the upper half of a vector */
  FP("mov x9, %[x]", "fmov d0, x9\n fmov v0.d[1], x9\n fmov x9, v0.d[1]", OUT_X, 0x1234UL, 0, 0); OD("fmov v0.d[1] round trip");
  FP("mov x9, %[x]", "fmov s0, w9\n fmov w9, s0", OUT_X, 0xffffffff89abcdefUL, 0, 0); OD("fmov s<-w, w<-s");
}

static const struct { const char *name; u64 v; } round_values[] = {
  { "2.5", D_2_5 }, { "-2.5", D_M2_5 }, { "0.5", D_HALF }, { "-0.5", D_M0_5 }, { "3.5", D_3_5 },
  { "1e300", D_1E300 }, { "2^51+0.5", 0x4320000000000001UL }, { "qnan", D_QNAN },
  { "snan", D_SNAN }, { "-inf", D_NINF },
};

#define FRINT(insn)                                                                             \
  for (unsigned i = 0; i < sizeof round_values / sizeof round_values[0]; i++) {               \
    D1(insn, round_values[i].v);                                                              \
    print(insn ".d ");                                                                        \
    print(round_values[i].name);                                                              \
    print(" = ");                                                                             \
    put_hex(R);                                                                               \
    flags(F);                                                                                 \
    nl();                                                                                     \
  }

static void round_to_integral(void)
{
  FRINT("frintn");
  FRINT("frinta");
  FRINT("frintm");
  FRINT("frintp");
  FRINT("frintz");
  FRINT("frinti");
  FRINT("frintx");
  S1("frintn", 0x3fc00000UL); OS("frintn.s 1.5");
  S1("frinta", 0xbfc00000UL); OS("frinta.s -1.5");
  S1("frintx", 0x3f000001UL); OS("frintx.s 0.5+ulp");
}

static void cumulative(void)
{
  /* FPSR flags are sticky: nothing clears them but a write */
  u64 f;
  __asm__ volatile("msr fpsr, xzr\n fmov d0, #1.0\n movi d1, #0\n fdiv d2, d0, d1\n"
                   " fmov d3, %1\n fadd d2, d3, d0\n fmov d3, %2\n fmul d2, d3, d3\n"
                   " fmov d3, %3\n fmul d2, d3, d3\n fadd d2, d0, d0\n mrs %0, fpsr"
                   : "=r"(f) : "r"(D_SNAN), "r"(D_MAX), "r"(D_MINN) : "v0", "v1", "v2", "v3");
  print("FPSR after 1/0, snan+1, max*max, minnormal^2, 1+1:");
  flags(f);
  nl();
  __asm__ volatile("fmov d0, #1.0\n fadd d1, d0, d0\n mrs %0, fpsr" : "=r"(f) :: "v0", "v1");
  print("FPSR after one more exact op:");
  flags(f);
  nl();
  /* writable bits, masked to the fields AArch64 defines in Armv8.0: FPSR QC and the cumulative
   * flags; FPCR AHP, DN, FZ, RMode and the trap enables (RAZ/WI where trapping is not
   * implemented, as on cortex-a53). FPSR[31:28] and FPCR Len/Stride only matter to AArch32. */
  write_sysreg(fpsr, ~0UL);
  show("FPSR & 0x0800009f after writing all ones", read_sysreg(fpsr) & 0x0800009fUL);
  write_sysreg(fpsr, 0);
  write_sysreg(fpcr, ~0UL);
  show("FPCR & 0x07c09f00 after writing all ones", read_sysreg(fpcr) & 0x07c09f00UL);
  write_sysreg(fpcr, 0);
  show("FPCR after writing 0", read_sysreg(fpcr));
}

int main(void)
{
  print("isa-fp\n");
  set_fpcr(0);
  arithmetic();
  fused();
  nans();
  minmax();
  signs_and_immediates();
  compares();
  rounding_modes();
  flush_to_zero();
  conversions();
  to_integer();
  round_to_integral();
  cumulative();
  finish("isa-fp");
}
