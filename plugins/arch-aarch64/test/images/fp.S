// Floating point, scalar and vector, one line per instruction (vmacros.inc): a block of vector
// and scalar arithmetic run under each FPCR setting (RMode, FZ, DN), NaN propagation, the
// estimates, conversions between precisions (AHP), to and from integers and fixed point, FRINT*,
// compares, pairwise and across-lane ops, by element. Each result is v0 (or x0, or NZCV) with the
// FPSR bits raised: IOC 1, DZC 2, OFC 4, UFC 8, IXC 10, IDC 80.
#include "macros.inc"
#include "vmacros.inc"
    .text
    .global main
main:
    mov     x29, x30
    mov     x0, #(3 << 20)           // CPACR_EL1.FPEN: no trap at EL0/EL1
    msr     cpacr_el1, x0
    isb
    // singles: {1, 0.1, max, 2^-127}, {3, -1, max, 2^-126}, {qnan, snan, -inf, -0}, {1.5, -2.5, +0, inf}
    LQ q1, 0x3dcccccd3f800000, 0x004000007f7fffff
    LQ q2, 0xbf80000040400000, 0x008000007f7fffff
    LQ q3, 0x7f8000017fc00001, 0x80000000ff800000
    LQ q4, 0xc02000003fc00000, 0x7f80000000000000
    // doubles: {0.1, 2^-1023}, {1/3, max}, {snan, -qnan}, {-1.5, 2.5}
    LQ q5, 0x3fb999999999999a, 0x0008000000000000
    LQ q6, 0x3fd5555555555555, 0x7fefffffffffffff
    LQ q7, 0x7ff0000000000001, 0xfff8000000000002
    LQ q8, 0xbff8000000000000, 0x4004000000000000
    SAY "RN"
    FPCR 0
    bl      block
    SAY "RP"
    FPCR 0x400000
    bl      block
    SAY "RM"
    FPCR 0x800000
    bl      block
    SAY "RZ"
    FPCR 0xc00000
    bl      block
    SAY "FZ"
    FPCR 0x1000000
    bl      block
    SAY "DN"
    FPCR 0x2000000
    bl      block
    SAY "FZ DN RP"
    FPCR 0x3400000
    bl      block
    FPCR 0
    bl      once
    mov     x30, x29
    ret

// the operations every FPCR setting runs
block:
    mov     x28, x30
    V fadd v0.4s, v1.4s, v2.4s
    V fsub v0.4s, v1.4s, v2.4s
    V fmul v0.4s, v1.4s, v2.4s
    V fdiv v0.4s, v2.4s, v1.4s
    V fadd v0.4s, v3.4s, v1.4s
    V fmul v0.4s, v4.4s, v3.4s
    V fadd v0.2d, v5.2d, v6.2d
    V fmul v0.2d, v5.2d, v6.2d
    V fdiv v0.2d, v8.2d, v6.2d
    V fsub v0.2d, v7.2d, v5.2d
    V fsqrt v0.4s, v1.4s
    V fsqrt v0.2d, v6.2d
    mov v0.16b, v4.16b
    V fmla v0.4s, v1.4s, v2.4s
    mov v0.16b, v8.16b
    V fmls v0.2d, v5.2d, v6.2d
    mov v0.16b, v3.16b
    V fmla v0.4s, v4.4s, v4.s[2]
    V fmax v0.4s, v1.4s, v3.4s
    V fminnm v0.4s, v3.4s, v4.4s
    V fmaxnm v0.2d, v7.2d, v8.2d
    V fmulx v0.4s, v4.4s, v1.4s
    V frecps v0.4s, v1.4s, v2.4s
    V frsqrts v0.2d, v5.2d, v8.2d
    V fabd v0.4s, v1.4s, v2.4s
    V faddp v0.4s, v1.4s, v2.4s
    V faddp s0, v1.2s
    V fmaxp v0.2d, v5.2d, v6.2d
    V fminnmv s0, v1.4s
    V frinti v0.4s, v4.4s
    V frintx v0.2d, v8.2d
    V fcvtn v0.4h, v1.4s
    V fcvtn v0.2s, v6.2d
    V fcvtl v0.2d, v1.2s
    V scvtf v0.4s, v2.4s
    V ucvtf d0, d3
    V scvtf v0.4s, v2.4s, #3
    V frecpe v0.4s, v1.4s
    V frsqrte v0.2d, v6.2d
    V fadd s0, s1, s2
    V fmul d0, d5, d6
    V fmadd s0, s1, s2, s4
    V fnmsub d0, d5, d6, d8
    V fsqrt s0, s2
    V fcvt s0, d6
    V fcvt h0, s1
    V fcvt d0, s1
    VF fcmp s1, s2
    V fcmeq v0.4s, v1.4s, v1.4s
    mov x30, x28
    ret

once:
    mov     x28, x30
    SAY "nan order"
    LQ q9, 0x7fc000027f800003, 0xffc0000400000000      // {snan 3, qnan 2, 0, -qnan 4}
    LQ q10, 0x7f8000057fc00006, 0x3f8000007fc00007     // {qnan 6, snan 5, qnan 7, 1}
    V fadd v0.4s, v9.4s, v10.4s
    V fmul v0.4s, v10.4s, v9.4s
    V fmax v0.4s, v9.4s, v10.4s
    V fminnm v0.4s, v9.4s, v10.4s
    V fmaxnm v0.4s, v10.4s, v9.4s
    mov v0.16b, v10.16b
    V fmla v0.4s, v9.4s, v1.4s
    mov v0.16b, v9.16b
    V fmla v0.4s, v10.4s, v1.4s
    LQ q11, 0x000000007f800000, 0x7f80000000000000     // {inf, 0, 0, inf}
    mov v0.16b, v10.16b
    V fmla v0.4s, v11.4s, v2.s[0]
    mov v0.16b, v10.16b
    V fmls v0.4s, v11.4s, v4.s[2]
    V fmadd s0, s11, s4, s10
    V fmsub s0, s4, s4, s9
    V fnmadd s0, s9, s4, s10
    V fnmul s0, s9, s4
    V fabs v0.4s, v9.4s
    V fneg v0.4s, v10.4s
    V frecpe v0.4s, v9.4s
    V fcvt d0, s9
    V fcvtl v0.2d, v10.2s
    V fcvtn v0.2s, v7.2d
    V fcvtn v0.4h, v9.4s
    SAY "compares"
    V fcmeq v0.4s, v9.4s, v10.4s
    V fcmge v0.4s, v1.4s, v10.4s
    V fcmgt v0.4s, v4.4s, v2.4s
    V facge v0.4s, v4.4s, v2.4s
    V facgt v0.2d, v8.2d, v5.2d
    V fcmgt v0.4s, v4.4s, #0.0
    V fcmle v0.2d, v8.2d, #0.0
    V fcmlt v0.4s, v3.4s, #0.0
    V fcmge v0.4s, v9.4s, #0.0
    V fcmeq v0.2d, v5.2d, #0.0
    V fcmge s0, s2, s4
    V facgt d0, d8, d6
    V fcmlt d0, d8, #0.0
    V fcmeq s0, s3, #0.0
    VF fcmpe s9, s1
    VF fcmp d6, #0.0
    VF fcmp s10, s10
    VF fcmpe d8, d8
    cmp x0, x0
    VF fccmp s1, s2, #0b0011, ne
    VF fccmpe d8, d7, #0b1010, eq
    VF fccmp s9, s1, #0b0110, eq
    V fcsel d0, d5, d6, mi
    V fcsel s0, s1, s2, vc
    SAY "pairwise and across"
    V fmaxp v0.4s, v1.4s, v3.4s
    V fminp v0.2s, v2.2s, v4.2s
    V fmaxnmp v0.4s, v3.4s, v9.4s
    V fminnmp d0, v8.2d
    V fmaxnmp s0, v9.2s
    V fminp d0, v7.2d
    V fmaxv s0, v2.4s
    V fminv s0, v4.4s
    V fmaxnmv s0, v3.4s
    V fmaxv s0, v9.4s
    SAY "by element"
    V fmul v0.4s, v1.4s, v2.s[3]
    V fmul v0.2d, v5.2d, v8.d[1]
    V fmulx v0.4s, v4.4s, v11.s[0]
    V fmulx d0, d4, v11.d[0]
    mov v0.16b, v8.16b
    V fmla v0.2d, v6.2d, v8.d[0]
    mov v0.16b, v1.16b
    V fmls s0, s2, v4.s[1]
    V fmul s0, s1, v2.s[1]
    SAY "estimates"
    LQ q12, 0x3f800000bf800000, 0x0000000100200000     // {-1, 1, 2^-130, 2^-149}
    LQ q13, 0x7e800000c2f00000, 0x5f0000000081ffff     // {-120, 2^126, ~2^-126, 2^63}
    V frecpe v0.4s, v12.4s
    V frecpe v0.4s, v13.4s
    V frecpe v0.4s, v3.4s
    V frecpe v0.4s, v4.4s
    V frsqrte v0.4s, v12.4s
    V frsqrte v0.4s, v13.4s
    V frsqrte v0.4s, v4.4s
    V frecpe v0.2d, v5.2d
    V frecpe v0.2d, v8.2d
    V frsqrte v0.2d, v5.2d
    V frsqrte v0.2d, v8.2d
    V frecpe s0, s13
    V frsqrte d0, d6
    V frecpx s0, s12
    V frecpx d0, d5
    V frecpx s0, s3
    FPCR 0x1000000
    V frecpe v0.4s, v13.4s
    V frecpe v0.4s, v12.4s
    V frsqrte v0.4s, v12.4s
    FPCR 0xc00000
    V frecpe v0.4s, v12.4s
    FPCR 0x400000
    V frecpe v0.4s, v12.4s
    FPCR 0
    V frecps v0.4s, v4.4s, v11.4s
    V frsqrts v0.4s, v11.4s, v4.4s
    V frecps s0, s9, s1
    V frsqrts d0, d6, d6
    SAY "precision conversions"
    LQ q14, 0x7bff7c00fc0103ff, 0xfe00000180007e01     // halves: {denorm max, -snan, inf, max, -qnan, 1, -0, qnan}
    V fcvtl v0.4s, v14.4h
    V fcvtl2 v0.4s, v14.8h
    V fcvt s0, h14
    V fcvt d0, h14
    LQ q15, 0x477ff000477fe000, 0x33000001387fc000     // singles {65504, 65535, ~2^-15, ~2^-25}
    V fcvtn v0.4h, v15.4s
    mov v0.16b, v1.16b
    V fcvtn2 v0.8h, v15.4s
    V fcvt h0, d6
    V fcvt h0, d8
    V fcvtxn v0.2s, v6.2d
    mov v0.16b, v2.16b
    V fcvtxn2 v0.4s, v5.2d
    V fcvtxn s0, d6
    V fcvtl2 v0.2d, v1.4s
    FPCR 0x4000000                   // AHP
    V fcvtl v0.4s, v14.4h
    V fcvtl2 v0.4s, v14.8h
    V fcvtn v0.4h, v15.4s
    V fcvtn v0.4h, v3.4s
    V fcvtn v0.4h, v4.4s
    V fcvt h0, d8
    V fcvt s0, h14
    FPCR 0x5000000                   // AHP, FZ
    V fcvtn v0.4h, v1.4s
    V fcvtl v0.4s, v14.4h
    V fcvtl v0.2d, v1.2s
    FPCR 0
    SAY "integer conversions"
    LQ q16, 0x4effffff4f000000, 0xcf000001c1200000     // {2^31, max int-ish, -10, -2^31 - 256}
    V fcvtns v0.4s, v16.4s
    V fcvtnu v0.4s, v16.4s
    V fcvtps v0.4s, v4.4s
    V fcvtpu v0.4s, v8.4s
    V fcvtms v0.2d, v8.2d
    V fcvtmu v0.2d, v6.2d
    V fcvtzs v0.4s, v3.4s
    V fcvtzu v0.4s, v4.4s
    V fcvtas v0.2d, v8.2d
    V fcvtau v0.4s, v4.4s
    V fcvtns s0, s16
    V fcvtzu d0, d6
    V fcvtas s0, s4
    V fcvtzs s0, s16, #1
    V fcvtzu d0, d8, #64
    V ucvtf v0.4s, v16.4s
    V scvtf v0.2d, v16.2d
    V ucvtf v0.2d, v6.2d, #12
    V scvtf s0, s16
    V ucvtf d0, d16, #33
    LI x3, 0xfffffffffffffc01
    VX fcvtzs w0, s16
    VX fcvtzu w0, s4
    VX fcvtzs x0, s16
    VX fcvtzs w0, d6, #31
    VX fcvtzu x0, d8, #2
    VX fcvtps w0, d8
    VX fcvtms x0, s4
    VX fcvtau x0, d8
    VX fcvtnu w0, d6
    V scvtf s0, x3
    V ucvtf s0, x3
    V scvtf d0, x3
    V ucvtf d0, x3
    V scvtf s0, w3, #5
    V ucvtf d0, x3, #64
    FPCR 0x800000
    V ucvtf s0, x3
    V scvtf s0, x3
    FPCR 0x400000
    V scvtf d0, x3
    FPCR 0
    SAY "round to integral"
    LQ q17, 0xbf0000003f000000, 0xcb000001c0600000     // {0.5, -0.5, -3.5, -2^23-…}
    V frintn v0.4s, v17.4s
    V frintp v0.4s, v17.4s
    V frintm v0.4s, v17.4s
    V frintz v0.4s, v17.4s
    V frinta v0.4s, v17.4s
    V frintx v0.4s, v17.4s
    V frinti v0.2d, v8.2d
    V frinta v0.2d, v8.2d
    V frintn v0.4s, v3.4s
    V frintm d0, d5
    V frintp s0, s1
    SAY "moves"
    LI x3, 0x0123456789abcdef
    V fmov s0, w3
    V fmov d0, x3
    mov v0.16b, v1.16b
    V fmov v0.d[1], x3
    VX fmov x0, v8.d[1]
    VX fmov w0, s2
    VX fmov x0, d6
    V fmov s0, #-0.1875
    V fmov d0, #17.0
    V fmov d0, d8
    V fabs d0, d7
    V fneg s0, s3
    SAY "fpcr and fpsr"
    mov x0, #-1
    msr fpcr, x0
    mrs x0, fpcr
    bl puthex
    msr fpcr, xzr
    mov x0, #-1
    msr fpsr, x0
    mrs x0, fpsr
    bl puthex
    msr fpsr, xzr
    SAY "tininess"
    LQ q18, 0x3f7fffff00800001, 0
    V fmul s0, s18, v18.s[1]         // 2^-126·(1+2^-23)·(1-2^-24): tiny before rounding, rounds to 2^-126
    FPCR 0x1000000
    V fmul s0, s18, v18.s[1]         // FZ: flushed to zero, UFC, no IXC
    FPCR 0
    LQ q19, 0x80000001, 0
    LQ q20, 0x3e800000, 0
    LQ q21, 0x00800000, 0
    V fmadd s0, s19, s20, s21        // 2^-126 - 2^-151: tiny before rounding only (UFC, IXC)
    FPCR 0x1000000
    V fmadd s0, s19, s20, s21        // FZ: the denormal operand flushed (IDC), the sum exact
    FPCR 0
    mov x30, x28
    ret
