/* isa-fp: F and D (unpriv spec 20191213 ch. 11 "F", ch. 12 "D"; IEEE 754-2008).
 * Every line gives the result bits in hex and the fflags the operation raised (NV DZ OF UF NX =
 * bits 4..0, §11.2), fflags being cleared before each operation. */
#include "rt.h"

/* doubles */
#define D_ONE     0x3ff0000000000000UL
#define D_TWO     0x4000000000000000UL
#define D_THREE   0x4008000000000000UL
#define D_HALF    0x3fe0000000000000UL
#define D_M1      0xbff0000000000000UL
#define D_P0      0x0000000000000000UL
#define D_M0      0x8000000000000000UL
#define D_INF     0x7ff0000000000000UL
#define D_MINF    0xfff0000000000000UL
#define D_QNAN    0x7ff8000000000000UL   /* the canonical NaN (§12.3) */
#define D_QNANP   0x7ff8000000000123UL   /* a quiet NaN with a payload */
#define D_SNAN    0x7ff0000000000001UL
#define D_MAX     0x7fefffffffffffffUL
#define D_MINN    0x0010000000000000UL   /* smallest normal */
#define D_MINSUB  0x0000000000000001UL
#define D_EPSH    0x3ca0000000000000UL   /* 2^-53 */
#define D_2_5     0x4004000000000000UL
#define D_M2_5    0xc004000000000000UL
#define D_1E10    0x4202a05f20000000UL
#define D_M1E10   0xc202a05f20000000UL
#define D_5E9     0x41f2a05f20000000UL
#define D_2P63    0x43e0000000000000UL
#define D_M2P63   0xc3e0000000000000UL
#define D_M0_5    0xbfe0000000000000UL
/* singles (as 32-bit patterns) */
#define S_ONE     0x3f800000UL
#define S_THREE   0x40400000UL
#define S_QNAN    0x7fc00000UL
#define S_SNAN    0x7f800001UL
#define S_INF     0x7f800000UL
#define S_MAX     0x7f7fffffUL

static inline void fflags_clear(void) { __asm__ volatile("fsflags x0" ::: "memory"); }
static inline u64 fflags_read(void) { u64 f; __asm__ volatile("frflags %0" : "=r"(f) :: "memory"); return f; }

/* two-operand double op with rounding-mode suffix rm ("" = dyn, ", rne", ...) */
#define D2(insn, rm, a, b) ({ u64 __r; fflags_clear();                                   \
    __asm__ volatile("fmv.d.x ft0, %1\n fmv.d.x ft1, %2\n " insn " ft2, ft0, ft1" rm "\n fmv.x.d %0, ft2" \
                     : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b)) : "ft0", "ft1", "ft2", "memory"); __r; })
#define D1(insn, rm, a) ({ u64 __r; fflags_clear();                                      \
    __asm__ volatile("fmv.d.x ft0, %1\n " insn " ft2, ft0" rm "\n fmv.x.d %0, ft2"         \
                     : "=r"(__r) : "r"((u64)(a)) : "ft0", "ft2", "memory"); __r; })
#define D3(insn, rm, a, b, c) ({ u64 __r; fflags_clear();                                \
    __asm__ volatile("fmv.d.x ft0, %1\n fmv.d.x ft1, %2\n fmv.d.x ft3, %3\n " insn " ft2, ft0, ft1, ft3" rm "\n fmv.x.d %0, ft2" \
                     : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b)), "r"((u64)(c)) : "ft0", "ft1", "ft2", "ft3", "memory"); __r; })
/* double → integer register (fcvt.*.d, fclass.d, compares) */
#define DX1(insn, rm, a) ({ u64 __r; fflags_clear();                                     \
    __asm__ volatile("fmv.d.x ft0, %1\n " insn " %0, ft0" rm : "=r"(__r) : "r"((u64)(a)) : "ft0", "memory"); __r; })
#define DX2(insn, a, b) ({ u64 __r; fflags_clear();                                      \
    __asm__ volatile("fmv.d.x ft0, %1\n fmv.d.x ft1, %2\n " insn " %0, ft0, ft1"           \
                     : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b)) : "ft0", "ft1", "memory"); __r; })
/* integer → double */
#define XD1(insn, rm, a) ({ u64 __r; fflags_clear();                                     \
    __asm__ volatile(insn " ft2, %1" rm "\n fmv.x.d %0, ft2" : "=r"(__r) : "r"((u64)(a)) : "ft2", "memory"); __r; })
/* singles: operands loaded with fmv.w.x (which NaN-boxes), result read with fmv.x.w (sign-extends) */
#define S2(insn, rm, a, b) ({ u64 __r; fflags_clear();                                   \
    __asm__ volatile("fmv.w.x ft0, %1\n fmv.w.x ft1, %2\n " insn " ft2, ft0, ft1" rm "\n fmv.x.w %0, ft2" \
                     : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b)) : "ft0", "ft1", "ft2", "memory"); __r; })

static void res(const char *name, u64 v)
{
  u64 f = fflags_read();
  print(name);
  print(" = ");
  put_hex(v);
  print(" fflags = ");
  put_hexn(f, 2);
  nl();
}

/* res() plus a self-check against the IEEE result and flags */
static void resc(const char *name, u64 v, u64 want, u64 wantf)
{
  u64 f = fflags_read();
  res(name, v);
  if (v != want || f != wantf) {
    rt_failures++;
    print("   <-- MISMATCH, want ");
    put_hex(want);
    print(" fflags ");
    put_hexn(wantf, 2);
    nl();
  }
}

#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01

static void rounding_static(void)
{
  /* 1 + 2^-53 is a tie between 1 and 1 + 2^-52 (§11.2 rounding modes) */
  resc("fadd.d 1+2^-53 rne", D2("fadd.d", ", rne", D_ONE, D_EPSH), D_ONE, NX);
  resc("fadd.d 1+2^-53 rtz", D2("fadd.d", ", rtz", D_ONE, D_EPSH), D_ONE, NX);
  resc("fadd.d 1+2^-53 rdn", D2("fadd.d", ", rdn", D_ONE, D_EPSH), D_ONE, NX);
  resc("fadd.d 1+2^-53 rup", D2("fadd.d", ", rup", D_ONE, D_EPSH), 0x3ff0000000000001UL, NX);
  resc("fadd.d 1+2^-53 rmm", D2("fadd.d", ", rmm", D_ONE, D_EPSH), 0x3ff0000000000001UL, NX);
  resc("fsub.d -1-2^-53 rne", D2("fsub.d", ", rne", D_M1, D_EPSH), D_M1, NX);
  resc("fsub.d -1-2^-53 rtz", D2("fsub.d", ", rtz", D_M1, D_EPSH), D_M1, NX);
  resc("fsub.d -1-2^-53 rdn", D2("fsub.d", ", rdn", D_M1, D_EPSH), 0xbff0000000000001UL, NX);
  resc("fsub.d -1-2^-53 rup", D2("fsub.d", ", rup", D_M1, D_EPSH), D_M1, NX);
  resc("fsub.d -1-2^-53 rmm", D2("fsub.d", ", rmm", D_M1, D_EPSH), 0xbff0000000000001UL, NX);
  resc("fdiv.d 1/3 rne", D2("fdiv.d", ", rne", D_ONE, D_THREE), 0x3fd5555555555555UL, NX);
  resc("fdiv.d 1/3 rup", D2("fdiv.d", ", rup", D_ONE, D_THREE), 0x3fd5555555555556UL, NX);
  resc("fdiv.d 1/3 rtz", D2("fdiv.d", ", rtz", D_ONE, D_THREE), 0x3fd5555555555555UL, NX);
  resc("fdiv.s 1/3 rne", S2("fdiv.s", ", rne", S_ONE, S_THREE), 0x3eaaaaabUL, NX);
  resc("fdiv.s 1/3 rdn", S2("fdiv.s", ", rdn", S_ONE, S_THREE), 0x3eaaaaaaUL, NX);
  /* overflow: rounding decides between inf and the largest finite (IEEE 754 §7.4) */
  resc("fmul.d max*2 rne", D2("fmul.d", ", rne", D_MAX, D_TWO), D_INF, OF | NX);
  resc("fmul.d max*2 rtz", D2("fmul.d", ", rtz", D_MAX, D_TWO), D_MAX, OF | NX);
  resc("fmul.d max*2 rdn", D2("fmul.d", ", rdn", D_MAX, D_TWO), D_MAX, OF | NX);
  resc("fmul.d max*2 rup", D2("fmul.d", ", rup", D_MAX, D_TWO), D_INF, OF | NX);
  resc("fmul.d max*2 rmm", D2("fmul.d", ", rmm", D_MAX, D_TWO), D_INF, OF | NX);
  resc("fmul.s max*3 rtz", S2("fmul.s", ", rtz", S_MAX, S_THREE), S_MAX, OF | NX);
  /* underflow: exact subnormal results raise nothing; inexact tiny ones raise UF|NX */
  resc("fmul.d minnormal*0.5", D2("fmul.d", ", rne", D_MINN, D_HALF), 0x0008000000000000UL, 0);
  resc("fmul.d minsub*0.5 rne", D2("fmul.d", ", rne", D_MINSUB, D_HALF), D_P0, UF | NX);
  resc("fmul.d minsub*0.5 rup", D2("fmul.d", ", rup", D_MINSUB, D_HALF), D_MINSUB, UF | NX);
  resc("fmul.d minsub*0.5 rmm", D2("fmul.d", ", rmm", D_MINSUB, D_HALF), D_MINSUB, UF | NX);
  /* fcvt rounding */
  resc("fcvt.w.d 2.5 rne", DX1("fcvt.w.d", ", rne", D_2_5), 2, NX);
  resc("fcvt.w.d 2.5 rtz", DX1("fcvt.w.d", ", rtz", D_2_5), 2, NX);
  resc("fcvt.w.d 2.5 rdn", DX1("fcvt.w.d", ", rdn", D_2_5), 2, NX);
  resc("fcvt.w.d 2.5 rup", DX1("fcvt.w.d", ", rup", D_2_5), 3, NX);
  resc("fcvt.w.d 2.5 rmm", DX1("fcvt.w.d", ", rmm", D_2_5), 3, NX);
  resc("fcvt.w.d -2.5 rne", DX1("fcvt.w.d", ", rne", D_M2_5), (u64)-2L, NX);
  resc("fcvt.w.d -2.5 rtz", DX1("fcvt.w.d", ", rtz", D_M2_5), (u64)-2L, NX);
  resc("fcvt.w.d -2.5 rdn", DX1("fcvt.w.d", ", rdn", D_M2_5), (u64)-3L, NX);
  resc("fcvt.w.d -2.5 rup", DX1("fcvt.w.d", ", rup", D_M2_5), (u64)-2L, NX);
  resc("fcvt.w.d -2.5 rmm", DX1("fcvt.w.d", ", rmm", D_M2_5), (u64)-3L, NX);
  resc("fcvt.s.l 2^24+1 rne", ({ u64 __r; fflags_clear(); __asm__ volatile("fcvt.s.l ft2, %1, rne\n fmv.x.w %0, ft2" : "=r"(__r) : "r"(0x1000001UL) : "ft2"); __r; }), 0x4b800000UL, NX);
  resc("fcvt.s.l 2^24+1 rup", ({ u64 __r; fflags_clear(); __asm__ volatile("fcvt.s.l ft2, %1, rup\n fmv.x.w %0, ft2" : "=r"(__r) : "r"(0x1000001UL) : "ft2"); __r; }), 0x4b800001UL, NX);
  resc("fcvt.d.lu 2^64-1 rne", XD1("fcvt.d.lu", ", rne", ~0UL), 0x43f0000000000000UL, NX);
  resc("fcvt.d.lu 2^64-1 rtz", XD1("fcvt.d.lu", ", rtz", ~0UL), 0x43efffffffffffffUL, NX);
  resc("fcvt.d.w -1", XD1("fcvt.d.w", "", 0xffffffffUL), D_M1, 0);
  resc("fcvt.d.wu 0xffffffff", XD1("fcvt.d.wu", "", 0xffffffffffffffffUL), 0x41efffffffe00000UL, 0);
}

static void rounding_dynamic(void)
{
  static const char *names[5] = { "rne", "rtz", "rdn", "rup", "rmm" };
  static const u64 want[5] = { D_ONE, D_ONE, D_ONE, 0x3ff0000000000001UL, 0x3ff0000000000001UL };
  for (u64 rm = 0; rm < 5; rm++) {
    __asm__ volatile("fsrm %0" :: "r"(rm));
    print("frm=");
    print(names[rm]);
    print(" ");
    resc("fadd.d 1+2^-53 dyn", D2("fadd.d", "", D_ONE, D_EPSH), want[rm], NX);
  }
  /* frm 1 (rtz) leaves fcsr = frm << 5 | fflags */
  __asm__ volatile("fsrm %0" :: "r"(1UL));
  (void)D2("fadd.d", "", D_ONE, D_EPSH);
  show32("fcsr after rtz add", csr_read(fcsr));
  /* §11.2: an invalid frm (5, 6, 7) makes dynamic-rm instructions illegal */
  trap_reset();
  __asm__ volatile("fsrm %0" :: "r"(5UL));
  (void)D2("fadd.d", "", D_ONE, D_ONE);
  show("frm=5 fadd.d dyn mcause", m_trap.count ? m_trap.cause : 0xee);
  show("frm=5 fadd.d dyn mtval", m_trap.tval);
  show32("frm after fsrm 5", csr_read(frm));
  __asm__ volatile("fsrm x0");
  /* a reserved static rm (5, 6) is illegal whatever frm holds */
  trap_reset();
  __asm__ volatile("fmv.d.x ft0, x0\n fmv.d.x ft1, x0\n .4byte (0x01 << 25) | (1 << 20) | (5 << 12) | (2 << 7) | 0x53" ::: "ft0", "ft1", "ft2");
  show("fadd.d rm=5 (static) mcause", m_trap.count ? m_trap.cause : 0xee);
  show("fadd.d rm=5 (static) mtval", m_trap.tval);
  trap_reset();
  __asm__ volatile(".4byte (0x01 << 25) | (1 << 20) | (6 << 12) | (2 << 7) | 0x53" ::: "ft2");
  show("fadd.d rm=6 (static) mcause", m_trap.count ? m_trap.cause : 0xee);
  trap_reset();
}

static void nans(void)
{
  resc("fdiv.d 0/0", D2("fdiv.d", ", rne", D_P0, D_P0), D_QNAN, NV);
  resc("fsub.d inf-inf", D2("fsub.d", ", rne", D_INF, D_INF), D_QNAN, NV);
  resc("fmul.d inf*0", D2("fmul.d", ", rne", D_INF, D_P0), D_QNAN, NV);
  resc("fadd.d sNaN+1", D2("fadd.d", ", rne", D_SNAN, D_ONE), D_QNAN, NV);
  resc("fadd.d qNaN(payload)+1", D2("fadd.d", ", rne", D_QNANP, D_ONE), D_QNAN, 0);
  resc("fadd.s sNaN+1", S2("fadd.s", ", rne", S_SNAN, S_ONE), S_QNAN, NV);
  resc("fsqrt.d -1", D1("fsqrt.d", ", rne", D_M1), D_QNAN, NV);
  resc("fsqrt.d -0", D1("fsqrt.d", ", rne", D_M0), D_M0, 0);
  resc("fsqrt.d 2", D1("fsqrt.d", ", rne", D_TWO), 0x3ff6a09e667f3bcdUL, NX);
  resc("fsqrt.d +inf", D1("fsqrt.d", ", rne", D_INF), D_INF, 0);
  resc("fdiv.d 1/0", D2("fdiv.d", ", rne", D_ONE, D_P0), D_INF, DZ);
  resc("fdiv.d -1/0", D2("fdiv.d", ", rne", D_M1, D_P0), D_MINF, DZ);
  resc("fdiv.d 1/-0", D2("fdiv.d", ", rne", D_ONE, D_M0), D_MINF, DZ);
  resc("fdiv.d inf/0", D2("fdiv.d", ", rne", D_INF, D_P0), D_INF, 0);
  /* fmin/fmax (§11.6, 2.2 semantics: -0 < +0; one NaN → the other operand; sNaN → NV) */
  resc("fmin.d -0,+0", D2("fmin.d", "", D_M0, D_P0), D_M0, 0);
  resc("fmin.d +0,-0", D2("fmin.d", "", D_P0, D_M0), D_M0, 0);
  resc("fmax.d -0,+0", D2("fmax.d", "", D_M0, D_P0), D_P0, 0);
  resc("fmax.d +0,-0", D2("fmax.d", "", D_P0, D_M0), D_P0, 0);
  resc("fmin.d qNaN,1", D2("fmin.d", "", D_QNANP, D_ONE), D_ONE, 0);
  resc("fmin.d sNaN,1", D2("fmin.d", "", D_SNAN, D_ONE), D_ONE, NV);
  resc("fmax.d 1,sNaN", D2("fmax.d", "", D_ONE, D_SNAN), D_ONE, NV);
  resc("fmax.d qNaN,qNaN", D2("fmax.d", "", D_QNANP, D_QNANP), D_QNAN, 0);
  resc("fmin.s -0,+0", S2("fmin.s", "", 0x80000000UL, 0), 0xffffffff80000000UL, 0);
  /* compares: feq is quiet (NV only for sNaN), flt/fle signal on any NaN (§11.8) */
  resc("feq.d qNaN,qNaN", DX2("feq.d", D_QNAN, D_QNAN), 0, 0);
  resc("feq.d sNaN,1", DX2("feq.d", D_SNAN, D_ONE), 0, NV);
  resc("flt.d qNaN,1", DX2("flt.d", D_QNAN, D_ONE), 0, NV);
  resc("fle.d 1,qNaN", DX2("fle.d", D_ONE, D_QNAN), 0, NV);
  resc("feq.d -0,+0", DX2("feq.d", D_M0, D_P0), 1, 0);
  resc("flt.d -0,+0", DX2("flt.d", D_M0, D_P0), 0, 0);
  resc("fle.d -inf,-inf", DX2("fle.d", D_MINF, D_MINF), 1, 0);
  /* sign injection is a bit operation: no canonicalisation, no flags */
  resc("fsgnjn.d sNaN,sNaN", D2("fsgnjn.d", "", D_SNAN, D_SNAN), 0xfff0000000000001UL, 0);
  resc("fsgnjx.d -1,-1", D2("fsgnjx.d", "", D_M1, D_M1), D_ONE, 0);
  resc("fsgnj.d 1,-0", D2("fsgnj.d", "", D_ONE, D_M0), D_M1, 0);
  /* conversions between widths */
  resc("fcvt.d.s sNaN", ({ u64 __r; fflags_clear(); __asm__ volatile("fmv.w.x ft0, %1\n fcvt.d.s ft2, ft0\n fmv.x.d %0, ft2" : "=r"(__r) : "r"(S_SNAN) : "ft0", "ft2"); __r; }), D_QNAN, NV);
  resc("fcvt.s.d max", ({ u64 __r; fflags_clear(); __asm__ volatile("fmv.d.x ft0, %1\n fcvt.s.d ft2, ft0, rne\n fmv.x.w %0, ft2" : "=r"(__r) : "r"(D_MAX) : "ft0", "ft2"); __r; }), S_INF, OF | NX);
  resc("fcvt.s.d qNaN(payload)", ({ u64 __r; fflags_clear(); __asm__ volatile("fmv.d.x ft0, %1\n fcvt.s.d ft2, ft0\n fmv.x.w %0, ft2" : "=r"(__r) : "r"(D_QNANP) : "ft0", "ft2"); __r; }), S_QNAN, 0);
}

static void nan_boxing(void)
{
  /* §12.2: a single held in a 64-bit register must be NaN-boxed (upper 32 bits all ones);
   * anything else reads as the canonical NaN */
  u64 r;
  fflags_clear();
  __asm__ volatile("fmv.d.x ft0, %1\n fadd.s ft2, ft0, ft0\n fmv.x.w %0, ft2" : "=r"(r) : "r"(0x000000003f800000UL) : "ft0", "ft2");
  resc("fadd.s of badly boxed 1.0", r, S_QNAN, 0);
  fflags_clear();
  __asm__ volatile("fmv.d.x ft0, %1\n fclass.s %0, ft0" : "=r"(r) : "r"(0x000000003f800000UL) : "ft0");
  resc("fclass.s of badly boxed 1.0", r, 1 << 9, 0);
  fflags_clear();
  __asm__ volatile("fmv.d.x ft0, %1\n fmv.x.w %0, ft0" : "=r"(r) : "r"(0x123456783f800000UL) : "ft0");
  res("fmv.x.w of badly boxed 1.0", r);
  fflags_clear();
  __asm__ volatile("fmv.d.x ft0, %1\n fsgnj.s ft2, ft0, ft0\n fmv.x.d %0, ft2" : "=r"(r) : "r"(0xfffffffe3f800000UL) : "ft0", "ft2");
  res("fsgnj.s of badly boxed 1.0 (64-bit)", r);
  fflags_clear();
  __asm__ volatile("fmv.w.x ft0, %1\n fmv.x.d %0, ft0" : "=r"(r) : "r"(0x12345678bf800000UL) : "ft0");
  resc("fmv.w.x boxes (64-bit)", r, 0xffffffffbf800000UL, 0);
  fflags_clear();
  __asm__ volatile("fmv.w.x ft0, %1\n fmv.x.w %0, ft0" : "=r"(r) : "r"(0x80000000UL) : "ft0");
  resc("fmv.x.w sign-extends", r, 0xffffffff80000000UL, 0);
  static volatile u32 w = 0x40490fdb;
  static volatile u64 dw;
  fflags_clear();
  __asm__ volatile("flw ft0, 0(%1)\n fmv.x.d %0, ft0" : "=r"(r) : "r"(&w) : "ft0", "memory");
  resc("flw boxes (64-bit)", r, 0xffffffff40490fdbUL, 0);
  __asm__ volatile("fmv.d.x ft0, %0\n fsw ft0, 0(%1)" :: "r"(0xabcdef0112345678UL), "r"(&dw) : "ft0", "memory");
  fflags_clear();
  res("fsw of an unboxed value: stored word", dw & 0xffffffff);
  fflags_clear();
  __asm__ volatile("fmv.d.x ft0, %1\n fcvt.d.s ft2, ft0\n fmv.x.d %0, ft2" : "=r"(r) : "r"(0x000000003f800000UL) : "ft0", "ft2");
  resc("fcvt.d.s of badly boxed 1.0", r, D_QNAN, 0);
}

static void saturation(void)
{
  /* §11.7 table 11.4: out-of-range and NaN conversions saturate and raise NV */
  resc("fcvt.w.d NaN", DX1("fcvt.w.d", ", rtz", D_QNAN), 0x7fffffff, NV);
  resc("fcvt.w.d +inf", DX1("fcvt.w.d", ", rtz", D_INF), 0x7fffffff, NV);
  resc("fcvt.w.d -inf", DX1("fcvt.w.d", ", rtz", D_MINF), 0xffffffff80000000UL, NV);
  resc("fcvt.w.d 1e10", DX1("fcvt.w.d", ", rtz", D_1E10), 0x7fffffff, NV);
  resc("fcvt.w.d -1e10", DX1("fcvt.w.d", ", rtz", D_M1E10), 0xffffffff80000000UL, NV);
  resc("fcvt.wu.d NaN", DX1("fcvt.wu.d", ", rtz", D_QNAN), 0xffffffffffffffffUL, NV);
  resc("fcvt.wu.d +inf", DX1("fcvt.wu.d", ", rtz", D_INF), 0xffffffffffffffffUL, NV);
  resc("fcvt.wu.d -inf", DX1("fcvt.wu.d", ", rtz", D_MINF), 0, NV);
  resc("fcvt.wu.d -1", DX1("fcvt.wu.d", ", rtz", D_M1), 0, NV);
  resc("fcvt.wu.d -0.5 rtz", DX1("fcvt.wu.d", ", rtz", D_M0_5), 0, NX);
  resc("fcvt.wu.d 5e9", DX1("fcvt.wu.d", ", rtz", D_5E9), 0xffffffffffffffffUL, NV);
  resc("fcvt.wu.d 3e9", DX1("fcvt.wu.d", ", rtz", 0x41e65a0bc0000000UL), 0xffffffffb2d05e00UL, 0);
  resc("fcvt.l.d NaN", DX1("fcvt.l.d", ", rtz", D_QNAN), 0x7fffffffffffffffUL, NV);
  resc("fcvt.l.d +inf", DX1("fcvt.l.d", ", rtz", D_INF), 0x7fffffffffffffffUL, NV);
  resc("fcvt.l.d -inf", DX1("fcvt.l.d", ", rtz", D_MINF), 0x8000000000000000UL, NV);
  resc("fcvt.l.d 2^63", DX1("fcvt.l.d", ", rtz", D_2P63), 0x7fffffffffffffffUL, NV);
  resc("fcvt.l.d -2^63", DX1("fcvt.l.d", ", rtz", D_M2P63), 0x8000000000000000UL, 0);
  resc("fcvt.lu.d NaN", DX1("fcvt.lu.d", ", rtz", D_QNAN), 0xffffffffffffffffUL, NV);
  resc("fcvt.lu.d +inf", DX1("fcvt.lu.d", ", rtz", D_INF), 0xffffffffffffffffUL, NV);
  resc("fcvt.lu.d -inf", DX1("fcvt.lu.d", ", rtz", D_MINF), 0, NV);
  resc("fcvt.lu.d -1", DX1("fcvt.lu.d", ", rtz", D_M1), 0, NV);
  resc("fcvt.lu.d 2^63", DX1("fcvt.lu.d", ", rtz", D_2P63), 0x8000000000000000UL, 0);
  resc("fcvt.w.s sNaN", ({ u64 __r; fflags_clear(); __asm__ volatile("fmv.w.x ft0, %1\n fcvt.w.s %0, ft0, rtz" : "=r"(__r) : "r"(S_SNAN) : "ft0"); __r; }), 0x7fffffff, NV);
  resc("fcvt.lu.s -inf", ({ u64 __r; fflags_clear(); __asm__ volatile("fmv.w.x ft0, %1\n fcvt.lu.s %0, ft0, rtz" : "=r"(__r) : "r"(0xff800000UL) : "ft0"); __r; }), 0, NV);
}

static void fclass(void)
{
  static const struct { const char *n; u64 v; } c[] = {
    { "fclass.d -inf", D_MINF }, { "fclass.d -1", D_M1 }, { "fclass.d -subnormal", 0x8000000000000001UL },
    { "fclass.d -0", D_M0 }, { "fclass.d +0", D_P0 }, { "fclass.d +subnormal", D_MINSUB },
    { "fclass.d +1", D_ONE }, { "fclass.d +inf", D_INF }, { "fclass.d sNaN", D_SNAN },
    { "fclass.d qNaN", D_QNAN },
  };
  for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
    resc(c[i].n, DX1("fclass.d", "", c[i].v), 1UL << i, 0);
}

static void fused(void)
{
  /* a*b+c with one rounding (§11.6): a = 1+2^-52, b = 1-2^-53, a*b-1 = 2^-53-2^-105 exactly,
   * while the separately rounded product is 1.0 */
  const u64 a = 0x3ff0000000000001UL, b = 0x3fefffffffffffffUL;
  resc("fmadd.d a*b-1 (fused)", D3("fmadd.d", ", rne", a, b, D_M1), 0x3c9ffffffffffffeUL, 0);
  resc("fmul.d a*b", D2("fmul.d", ", rne", a, b), D_ONE, NX);
  resc("fadd.d (a*b)-1 (separate)", D2("fadd.d", ", rne", D_ONE, D_M1), D_P0, 0);
  resc("fmsub.d 2*3-1", D3("fmsub.d", ", rne", D_TWO, D_THREE, D_ONE), 0x4014000000000000UL, 0);
  resc("fnmsub.d -(2*3)+1", D3("fnmsub.d", ", rne", D_TWO, D_THREE, D_ONE), 0xc014000000000000UL, 0);
  resc("fnmadd.d -(2*3)-1", D3("fnmadd.d", ", rne", D_TWO, D_THREE, D_ONE), 0xc01c000000000000UL, 0);
  /* §11.6: inf*0 + qNaN raises NV (the product is invalid even though the addend is a NaN) */
  resc("fmadd.d inf*0+qNaN", D3("fmadd.d", ", rne", D_INF, D_P0, D_QNANP), D_QNAN, NV);
  resc("fmadd.d 1*1+sNaN", D3("fmadd.d", ", rne", D_ONE, D_ONE, D_SNAN), D_QNAN, NV);
  resc("fmadd.d inf*1-inf", D3("fmadd.d", ", rne", D_INF, D_ONE, D_MINF), D_QNAN, NV);
  resc("fmadd.d 1*-0+0 rdn", D3("fmadd.d", ", rdn", D_ONE, D_M0, D_P0), D_M0, 0);
  resc("fmadd.d 1*-0+0 rne", D3("fmadd.d", ", rne", D_ONE, D_M0, D_P0), D_P0, 0);
}

static void fs_state(void)
{
  /* priv 1.12 §3.1.6.6: writing an f register or fcsr makes mstatus.FS Dirty (3) and sets SD */
  u64 ms = csr_read(mstatus);
  show("mstatus.FS after FP work", (ms >> 13) & 3);
  show("mstatus.SD after FP work", ms >> 63);
  /* FS = Off: every F/D instruction (and fcsr access) is illegal */
  csr_clear(mstatus, MSTATUS_FS);
  trap_reset();
  __asm__ volatile("fmv.d.x ft0, x0" ::: "ft0");
  show("FS=off fmv.d.x mcause", m_trap.count ? m_trap.cause : 0xee);
  show("FS=off fmv.d.x mtval", m_trap.tval);
  trap_reset();
  (void)csr_read(fcsr);
  show("FS=off csrr fcsr mcause", m_trap.count ? m_trap.cause : 0xee);
  show("FS=off csrr fcsr mtval", m_trap.tval);
  ms = csr_read(mstatus);
  show("mstatus.SD with FS=off", ms >> 63);
  csr_set(mstatus, 1UL << 13);   /* Initial */
  ms = csr_read(mstatus);
  show("mstatus.FS after setting Initial", (ms >> 13) & 3);
  trap_reset();
}

int main(void)
{
  print("isa-fp\n");
  rounding_static();
  rounding_dynamic();
  nans();
  nan_boxing();
  saturation();
  fclass();
  fused();
  fs_state();
  finish();
}
