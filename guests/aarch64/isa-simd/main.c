/* isa-simd: the AdvSIMD instructions ordinary compiled code and a libc's memcpy/memset use (ARM
 * DDI 0487 C7 "A64 Advanced SIMD and floating-point instruction descriptions"): structure loads
 * and stores (ld1/st1 of 1-4 registers, ld1r, lanes, ld2/st2, post-index), ldp/stp/ldr/str of q
 * registers, dup/ins/umov/smov, movi/mvni, integer arithmetic, logic and bit selects, compares,
 * shifts and widen/narrow, permutes (uzp/zip/trn/ext/rev), reductions, cnt, tbl/tbx, saturating
 * arithmetic (FPSR.QC), FP vector arithmetic and conversions, reciprocal estimates, scalar forms;
 * then C loops gcc -O2 vectorised (vec.c) and memcpy/memset in the optimized-routines style
 * (mem.S) over every small size and misalignment.
 * A vector prints as "<bits 127:64>_<bits 63:0>". Runs with the MMU on (unaligned accesses). */
#include "rt.h"

static u64 in0[2] __attribute__((aligned(16))), in1[2] __attribute__((aligned(16)));
static u64 in2[2] __attribute__((aligned(16))), outv[2] __attribute__((aligned(16)));
static u64 fpsr_after;

static void set_in(u64 *v, u64 lo, u64 hi) { v[0] = lo; v[1] = hi; }

/* text runs with v0, v1, v2 = in0, in1, in2 and FPSR cleared; v0 is the result */
#define V(text)                                                                                 \
  __asm__ volatile("ldr q0, [%[a]]\n ldr q1, [%[b]]\n ldr q2, [%[c]]\n msr fpsr, xzr\n " text   \
                   "\n mrs %[f], fpsr\n str q0, [%[o]]"                                        \
                   : [f] "=&r"(fpsr_after)                                                    \
                   : [a] "r"(in0), [b] "r"(in1), [c] "r"(in2), [o] "r"(outv)                  \
                   : "x9", "x10", "v0", "v1", "v2", "v3", "v4", "memory")

static void vshow(const char *name)
{
  printf("%s = %016lx_%016lx", name, outv[1], outv[0]);
  if (fpsr_after & (1UL << 27))
    print(" QC");
  if (fpsr_after & 0x9f)
    printf(" fpsr %02lx", fpsr_after & 0x9f);
  nl();
}

#define VS(name, text) do { V(text); vshow(name); } while (0)

/* byte patterns: A = 00 01 .. 0f, B = mixed signs, C = words */
#define A_LO 0x0706050403020100UL
#define A_HI 0x0f0e0d0c0b0a0908UL
#define B_LO 0x8001ff7f00fe807fUL
#define B_HI 0x123456789abcdef0UL
#define C_LO 0x00000003fffffffdUL
#define C_HI 0x7fffffff80000000UL

static void standard_inputs(void)
{
  set_in(in0, A_LO, A_HI);
  set_in(in1, B_LO, B_HI);
  set_in(in2, C_LO, C_HI);
}

static u8 mem[256] __attribute__((aligned(16)));

static void loads_stores(void)
{
  for (int i = 0; i < 256; i++)
    mem[i] = (u8)(i * 7 + 3);
  u64 r[8];
  /* ld1 of four registers, st1 of two: element size does not matter for .16b multiple-structure
   * forms, but .4s/.2d of the same bytes must give the same register bits (little-endian) */
  __asm__ volatile("ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [%1]\n"
                   " st1 {v1.2d, v2.2d}, [%0]\n"
                   " ld1 {v0.4s}, [%1]\n add x9, %0, #32\n st1 {v0.8h}, [x9]\n"
                   :: "r"(r), "r"(mem + 16) : "x9", "v0", "v1", "v2", "v3", "memory");
  printf("ld1 x4 .16b, st1 v1,v2 .2d = %016lx %016lx %016lx %016lx\n", r[0], r[1], r[2], r[3]);
  printf("ld1 .4s, st1 .8h = %016lx %016lx\n", r[4], r[5]);
  /* post-index by immediate and by register */
  u64 p = (u64)(uintptr_t)mem, q = (u64)(uintptr_t)r;
  __asm__ volatile("ld1 {v0.16b, v1.16b}, [%0], #32\n ld1 {v2.8b}, [%0], %2\n st1 {v2.8b}, [%1], #8\n"
                   : "+r"(p), "+r"(q) : "r"(5UL) : "v0", "v1", "v2", "memory");
  printf("ld1 post-index #32 then x=5: base - mem = %lu, st1 .8b post: %lu, value %016lx\n",
         p - (u64)(uintptr_t)mem, q - (u64)(uintptr_t)r, r[0]);
  /* ld1r replicates one element; lane loads/stores leave the other lanes alone */
  __asm__ volatile("ld1r {v0.8h}, [%1]\n str q0, [%0]" :: "r"(r), "r"(mem + 3) : "v0", "memory");
  printf("ld1r .8h from mem+3 = %016lx_%016lx\n", r[1], r[0]);
  __asm__ volatile("movi v0.16b, #0xee\n ld1 {v0.s}[2], [%1]\n ld1 {v0.b}[15], [%1]\n str q0, [%0]"
                   :: "r"(r), "r"(mem + 1) : "v0", "memory");
  printf("ld1 lanes s[2], b[15] = %016lx_%016lx\n", r[1], r[0]);
  r[2] = 0;
  __asm__ volatile("ldr q0, [%1]\n st1 {v0.h}[5], [%0]" :: "r"(&r[2]), "r"(mem) : "v0", "memory");
  printf("st1 lane h[5] = %016lx\n", r[2]);
  /* ld2 de-interleaves, st2 interleaves back */
  __asm__ volatile("ld2 {v0.8b, v1.8b}, [%1]\n st1 {v0.8b, v1.8b}, [%0]\n"
                   " add x9, %0, #16\n st2 {v0.8b, v1.8b}, [x9]" :: "r"(r), "r"(mem) : "x9", "v0", "v1", "memory");
  printf("ld2 .8b: even %016lx odd %016lx; st2 back %016lx %016lx\n", r[0], r[1], r[2], r[3]);
  __asm__ volatile("ld4 {v0.4h, v1.4h, v2.4h, v3.4h}, [%1]\n st1 {v0.4h, v1.4h, v2.4h, v3.4h}, [%0]"
                   :: "r"(r), "r"(mem) : "v0", "v1", "v2", "v3", "memory");
  printf("ld4 .4h = %016lx %016lx %016lx %016lx\n", r[0], r[1], r[2], r[3]);
  /* q-register pairs and offsets as compiled code uses them */
  __asm__ volatile("ldp q0, q1, [%1, #32]\n stp q1, q0, [%0]\n ldur q2, [%1, #3]\n str q2, [%0, #32]\n"
                   " ldr d3, [%1, #8]\n str d3, [%0, #48]\n ldr s4, [%1, #4]\n str s4, [%0, #56]\n"
                   " ldr h4, [%1, #2]\n str h4, [%0, #60]\n ldr b4, [%1, #1]\n str b4, [%0, #62]\n"
                   :: "r"(r), "r"(mem) : "v0", "v1", "v2", "v3", "v4", "memory");
  printf("ldp q/stp q swapped = %016lx %016lx %016lx %016lx\n", r[0], r[1], r[2], r[3]);
  printf("ldur q +3 = %016lx %016lx\n", r[4], r[5]);
  printf("ldr d/s/h/b = %016lx %016lx\n", r[6], r[7]);
  __asm__ volatile("ldr q0, [%1, %2, lsl #4]\n str q0, [%0]" :: "r"(r), "r"(mem), "r"(3UL) : "v0", "memory");
  printf("ldr q [x, lsl 4] = %016lx_%016lx\n", r[1], r[0]);
}

static void moves(void)
{
  standard_inputs();
  VS("dup .16b, v1.b[1]", "dup v0.16b, v1.b[1]");
  VS("dup .8h, w", "mov w9, #0x1234\n dup v0.8h, w9");
  VS("dup .2d, x", "mov x9, #-2\n dup v0.2d, x9");
  VS("dup .4s, v2.s[3]", "dup v0.4s, v2.s[3]");
  VS("ins v0.s[1], v1.s[3]", "ins v0.s[1], v1.s[3]");
  VS("ins v0.d[1], x", "mov x9, #0x55\n ins v0.d[1], x9");
  VS("mov v0.b[15], w", "mov w9, #0xab\n mov v0.b[15], w9");
  VS("dup b0, v1.b[0] (scalar: clears the rest)", "dup b0, v1.b[0]");
  VS("mov s0, v2.s[2]", "mov s0, v2.s[2]");
  u64 a, b, c, d;
  __asm__ volatile("ldr q1, [%4]\n umov %w0, v1.b[1]\n smov %1, v1.b[1]\n umov %w2, v1.h[6]\n smov %w3, v1.h[7]"
                   : "=r"(a), "=r"(b), "=r"(c), "=r"(d) : "r"(in1) : "v1");
  printf("umov w b[1] = %016lx, smov x b[1] = %016lx, umov w h[6] = %016lx, smov w h[7] = %016lx\n", a, b, c, d);
  __asm__ volatile("ldr q2, [%2]\n smov %0, v2.s[3]\n smov %1, v2.s[2]" : "=r"(a), "=r"(b) : "r"(in2) : "v2");
  printf("smov x s[3] = %016lx, smov x s[2] = %016lx\n", a, b);
  VS("movi .16b #0xa5", "movi v0.16b, #0xa5");
  VS("movi .8h #0x12, lsl 8", "movi v0.8h, #0x12, lsl #8");
  VS("movi .4s #0x34, lsl 24", "movi v0.4s, #0x34, lsl #24");
  VS("movi .4s #0x56, msl 16", "movi v0.4s, #0x56, msl #16");
  VS("movi .2d #0xff00ff0000ff00ff", "movi v0.2d, #0xff00ff0000ff00ff");
  VS("movi d0 #0xffff0000000000ff", "movi d0, #0xffff0000000000ff");
  VS("movi .2s #0x7f (upper cleared)", "movi v0.2s, #0x7f");
  VS("mvni .4s #0x12, lsl 8", "mvni v0.4s, #0x12, lsl #8");
  VS("mvni .8h #0xf0", "mvni v0.8h, #0xf0");
  VS("mvni .4s #0x1, msl 8", "mvni v0.4s, #0x1, msl #8");
  VS("fmov .4s #-1.5", "fmov v0.4s, #-1.5");
  VS("fmov .2d #0.5", "fmov v0.2d, #0.5");
  VS("mov v0.16b, v2.16b (orr)", "mov v0.16b, v2.16b");
  VS("mov v0.8b, v2.8b (upper cleared)", "mov v0.8b, v2.8b");
}

static void arithmetic(void)
{
  standard_inputs();
  VS("add .16b", "add v0.16b, v0.16b, v1.16b");
  VS("add .8h", "add v0.8h, v0.8h, v1.8h");
  VS("add .4s", "add v0.4s, v1.4s, v2.4s");
  VS("add .2d", "add v0.2d, v1.2d, v2.2d");
  VS("sub .4s", "sub v0.4s, v0.4s, v2.4s");
  VS("sub .8b (upper cleared)", "sub v0.8b, v0.8b, v1.8b");
  VS("mul .16b", "mul v0.16b, v0.16b, v1.16b");
  VS("mul .8h", "mul v0.8h, v1.8h, v1.8h");
  VS("mul .4s", "mul v0.4s, v1.4s, v2.4s");
  VS("mul .4s by element v2.s[1]", "mul v0.4s, v1.4s, v2.s[1]");
  VS("mla .4s", "mla v0.4s, v1.4s, v2.4s");
  VS("mls .8h", "mls v0.8h, v1.8h, v2.8h");
  VS("neg .16b", "neg v0.16b, v1.16b");
  VS("abs .8h", "abs v0.8h, v1.8h");
  VS("abs .4s (min stays min)", "abs v0.4s, v2.4s");
  VS("umull .8h", "umull v0.8h, v0.8b, v1.8b");
  VS("smull2 .4s", "smull2 v0.4s, v1.8h, v2.8h");
  VS("umlal .2d", "umlal v0.2d, v1.2s, v2.2s");
  VS("uabd .16b", "uabd v0.16b, v0.16b, v1.16b");
  VS("sabd .16b", "sabd v0.16b, v0.16b, v1.16b");
  VS("uaba .8h", "uaba v0.8h, v1.8h, v2.8h");
  VS("urhadd .16b", "urhadd v0.16b, v0.16b, v1.16b");
  VS("shadd .8h", "shadd v0.8h, v1.8h, v2.8h");
  VS("smax .4s", "smax v0.4s, v1.4s, v2.4s");
  VS("umin .16b", "umin v0.16b, v0.16b, v1.16b");
  VS("umaxp .16b", "umaxp v0.16b, v0.16b, v1.16b");
  VS("addp .4s", "addp v0.4s, v1.4s, v2.4s");
  /* saturating: FPSR.QC records that a result saturated */
  VS("uqadd .16b", "uqadd v0.16b, v1.16b, v1.16b");
  VS("sqadd .16b", "sqadd v0.16b, v1.16b, v1.16b");
  VS("uqsub .8h", "uqsub v0.8h, v0.8h, v1.8h");
  VS("sqsub .4s", "sqsub v0.4s, v2.4s, v1.4s");
  VS("sqdmulh .4s", "sqdmulh v0.4s, v2.4s, v2.4s");
  VS("sqabs .4s", "sqabs v0.4s, v2.4s");
  VS("uqadd .4s (no saturation)", "uqadd v0.4s, v0.4s, v0.4s");
}

static void logic_and_compares(void)
{
  standard_inputs();
  VS("and", "and v0.16b, v1.16b, v2.16b");
  VS("orr", "orr v0.16b, v0.16b, v1.16b");
  VS("eor", "eor v0.16b, v1.16b, v2.16b");
  VS("bic", "bic v0.16b, v1.16b, v2.16b");
  VS("orn", "orn v0.16b, v0.16b, v2.16b");
  VS("not", "not v0.16b, v1.16b");
  VS("bic .4s #0xff", "mov v0.16b, v2.16b\n bic v0.4s, #0xff");
  VS("orr .8h #0x80, lsl 8", "orr v0.8h, #0x80, lsl #8");
  VS("bsl v2-mask a=v0 b=v1", "mov v3.16b, v2.16b\n bsl v3.16b, v0.16b, v1.16b\n mov v0.16b, v3.16b");
  VS("bit v0, v1, mask v2", "bit v0.16b, v1.16b, v2.16b");
  VS("bif v0, v1, mask v2", "bif v0.16b, v1.16b, v2.16b");
  VS("cmeq .16b", "cmeq v0.16b, v0.16b, v1.16b");
  VS("cmeq .16b #0", "cmeq v0.16b, v1.16b, #0");
  VS("cmgt .16b (signed)", "cmgt v0.16b, v0.16b, v1.16b");
  VS("cmhi .16b (unsigned)", "cmhi v0.16b, v0.16b, v1.16b");
  VS("cmge .8h", "cmge v0.8h, v1.8h, v2.8h");
  VS("cmhs .4s", "cmhs v0.4s, v1.4s, v2.4s");
  VS("cmtst .16b", "cmtst v0.16b, v0.16b, v1.16b");
  VS("cmlt .4s #0", "cmlt v0.4s, v2.4s, #0");
  VS("cmle .2d #0", "cmle v0.2d, v1.2d, #0");
  VS("cmgt d (scalar)", "cmgt d0, d2, d1");
}

static void shifts_and_permutes(void)
{
  standard_inputs();
  VS("ushr .16b #3", "ushr v0.16b, v1.16b, #3");
  VS("sshr .16b #3", "sshr v0.16b, v1.16b, #3");
  VS("sshr .4s #31", "sshr v0.4s, v2.4s, #31");
  VS("shl .8h #15", "shl v0.8h, v1.8h, #15");
  VS("ushr .2d #64", "ushr v0.2d, v1.2d, #64");
  VS("sshr .2d #64", "sshr v0.2d, v1.2d, #64");
  VS("usra .4s #4", "usra v0.4s, v2.4s, #4");
  VS("sri .8h #4", "sri v0.8h, v1.8h, #4");
  VS("sli .16b #7", "sli v0.16b, v1.16b, #7");
  VS("ushl .16b by v1 (negative = right)", "ushl v0.16b, v2.16b, v1.16b");
  VS("sshl .4s by v0", "sshl v0.4s, v2.4s, v0.4s");
  VS("ushll .8h (uxtl)", "ushll v0.8h, v1.8b, #0");
  VS("sshll2 .8h #3", "sshll2 v0.8h, v1.16b, #3");
  VS("sshll .2d", "sshll v0.2d, v2.2s, #0");
  VS("xtn .8b", "xtn v0.8b, v1.8h");
  VS("xtn2 .8h", "xtn2 v0.8h, v2.4s");
  VS("sqxtn .8b", "sqxtn v0.8b, v1.8h");
  VS("uqxtn .4h", "uqxtn v0.4h, v2.4s");
  VS("sqxtun .8b", "sqxtun v0.8b, v1.8h");
  VS("shrn .8b #4", "shrn v0.8b, v1.8h, #4");
  VS("rshrn .4h #16", "rshrn v0.4h, v2.4s, #16");
  VS("uzp1 .16b", "uzp1 v0.16b, v0.16b, v1.16b");
  VS("uzp2 .8h", "uzp2 v0.8h, v0.8h, v1.8h");
  VS("zip1 .16b", "zip1 v0.16b, v0.16b, v1.16b");
  VS("zip2 .4s", "zip2 v0.4s, v0.4s, v2.4s");
  VS("trn1 .8h", "trn1 v0.8h, v0.8h, v1.8h");
  VS("trn2 .16b", "trn2 v0.16b, v0.16b, v1.16b");
  VS("ext #3", "ext v0.16b, v0.16b, v1.16b, #3");
  VS("ext .8b #7", "ext v0.8b, v0.8b, v1.8b, #7");
  VS("rev64 .16b", "rev64 v0.16b, v0.16b");
  VS("rev32 .8h", "rev32 v0.8h, v0.8h");
  VS("rev16 .16b", "rev16 v0.16b, v0.16b");
  VS("rbit .16b", "rbit v0.16b, v1.16b");
  VS("cnt .16b", "cnt v0.16b, v1.16b");
  VS("clz .4s", "clz v0.4s, v2.4s");
  VS("cls .8h", "cls v0.8h, v1.8h");
  /* tbl: indexes past the table give 0; tbx leaves the destination byte instead */
  set_in(in2, 0x1f1e100f02010000UL, 0xff20110e0d0c0b0aUL);
  VS("tbl 1 register", "tbl v0.16b, {v0.16b}, v2.16b");
  VS("tbl 2 registers", "tbl v0.16b, {v0.16b, v1.16b}, v2.16b");
  VS("tbx 1 register (v1 kept where out of range)", "tbx v1.16b, {v0.16b}, v2.16b\n mov v0.16b, v1.16b");
  VS("tbl .8b", "tbl v0.8b, {v1.16b}, v2.8b");
}

static void reductions(void)
{
  standard_inputs();
  VS("addv b", "addv b0, v1.16b");
  VS("addv h", "addv h0, v1.8h");
  VS("addv s", "addv s0, v2.4s");
  VS("umaxv b", "umaxv b0, v1.16b");
  VS("smaxv b", "smaxv b0, v1.16b");
  VS("uminv h", "uminv h0, v1.8h");
  VS("sminv s", "sminv s0, v2.4s");
  VS("uaddlv h <- .16b", "uaddlv h0, v1.16b");
  VS("saddlv s <- .8h", "saddlv s0, v1.8h");
  VS("uaddlv d <- .4s", "uaddlv d0, v2.4s");
  VS("addp d <- .2d", "addp d0, v1.2d");
  VS("uaddlp .8h", "uaddlp v0.8h, v1.16b");
  VS("sadalp .4s", "sadalp v0.4s, v1.8h");
}

#define F_ONE 0x3f800000UL
#define F_TWO 0x40000000UL
#define F_THREE 0x40400000UL
#define F_NAN 0x7fc00001UL

static void floating(void)
{
  set_in(in0, (F_TWO << 32) | F_ONE, (0xbf800000UL << 32) | F_THREE);   /* 1 2 3 -1 */
  set_in(in1, (F_ONE << 32) | F_THREE, (0x7f800000UL << 32) | F_NAN);   /* 3 1 nan inf */
  set_in(in2, 0x4000000000000000UL, 0x3fd5555555555555UL);              /* 2.0, 1/3 */
  VS("fadd .4s", "fadd v0.4s, v0.4s, v1.4s");
  VS("fsub .4s", "fsub v0.4s, v0.4s, v1.4s");
  VS("fmul .4s", "fmul v0.4s, v0.4s, v1.4s");
  VS("fmul .4s by element v1.s[0]", "fmul v0.4s, v0.4s, v1.s[0]");
  VS("fdiv .4s", "fdiv v0.4s, v1.4s, v0.4s");
  VS("fmla .4s", "fmla v0.4s, v0.4s, v1.4s");
  VS("fmls .2d", "fmls v0.2d, v2.2d, v2.2d");
  VS("fadd .2d", "fadd v0.2d, v2.2d, v2.2d");
  VS("fmul .2d", "fmul v0.2d, v2.2d, v2.2d");
  VS("fabs .4s", "fabs v0.4s, v0.4s");
  VS("fneg .2d", "fneg v0.2d, v2.2d");
  VS("fsqrt .4s", "fsqrt v0.4s, v0.4s");
  VS("fmax .4s", "fmax v0.4s, v0.4s, v1.4s");
  VS("fminnm .4s", "fminnm v0.4s, v0.4s, v1.4s");
  VS("faddp .4s", "faddp v0.4s, v0.4s, v1.4s");
  VS("faddp s <- .2s", "faddp s0, v0.2s");
  VS("fmaxnmv s", "fmaxnmv s0, v1.4s");
  VS("fminv s", "fminv s0, v1.4s");
  VS("fcmeq .4s", "fcmeq v0.4s, v0.4s, v1.4s");
  VS("fcmgt .4s", "fcmgt v0.4s, v0.4s, v1.4s");
  VS("fcmge .4s #0", "fcmge v0.4s, v0.4s, #0.0");
  VS("fcvtzs .4s", "fcvtzs v0.4s, v1.4s");
  VS("fcvtzu .2d", "fcvtzu v0.2d, v2.2d");
  VS("scvtf .4s", "movi v3.4s, #0x80, lsl #24\n scvtf v0.4s, v3.4s");
  VS("ucvtf .2d", "ucvtf v0.2d, v2.2d");
  VS("fcvtn .4h <- .4s", "fcvtn v0.4h, v0.4s");
  VS("fcvtl .2d <- .2s", "fcvtl v0.2d, v0.2s");
  VS("fcvtn2 .4s <- .2d", "fcvtn2 v0.4s, v2.2d");
  VS("frintn .4s (after fmul by 0.5)", "fmov v3.4s, #0.5\n fmul v0.4s, v0.4s, v3.4s\n frintn v0.4s, v0.4s");
  VS("frecpe .4s", "frecpe v0.4s, v0.4s");
  VS("frsqrte .4s", "frsqrte v0.4s, v0.4s");
  VS("frecps .4s", "frecps v0.4s, v0.4s, v1.4s");
  VS("frecpe d", "frecpe d0, d2");
  VS("frsqrte d (2.0)", "frsqrte d0, d2");
  VS("urecpe .4s", "urecpe v0.4s, v0.4s");
  VS("fadd d (scalar, upper cleared)", "fadd d0, d2, d2");
}

static void scalar_forms(void)
{
  standard_inputs();
  VS("add d", "add d0, d1, d2");
  VS("sub d", "sub d0, d0, d1");
  VS("neg d", "neg d0, d2");
  VS("ushr d #63", "ushr d0, d1, #63");
  VS("sshr d #4", "sshr d0, d1, #4");
  VS("shl d #8", "shl d0, d2, #8");
  VS("cmeq d #0", "cmeq d0, d1, #0");
  VS("cmtst d", "cmtst d0, d1, d2");
  VS("sqadd s", "sqadd s0, s2, s2");
  VS("uqsub b", "uqsub b0, b0, b1");
  VS("sqshl h #2", "sqshl h0, h1, #2");
  VS("abs d", "abs d0, d1");
}

extern u32 va[64], vb[64], vd[64];
extern u8 vbytes[256];
extern i16 vs16[64];
void vec_madd(void), vec_clamp(void), vec_xor(void);
u32 vec_sum_bytes(void);

static u64 fnv(const void *p, u64 n)
{
  const u8 *b = p;
  u64 h = 0xcbf29ce484222325UL;
  for (u64 i = 0; i < n; i++)
    h = (h ^ b[i]) * 0x100000001b3UL;
  return h;
}

static void vectorised_c(void)
{
  for (int i = 0; i < 64; i++) {
    va[i] = (u32)i * 0x01010101u + 0x7ffffff0u;
    vb[i] = ~(u32)i * 0x9e3779b9u;
    vs16[i] = (i16)((i - 32) * 71);
  }
  for (int i = 0; i < 256; i++)
    vbytes[i] = (u8)(255 - i);
  vec_madd();
  show("vec_madd: fnv of d[]", fnv(vd, sizeof vd));
  show("vec_madd: d[63]", vd[63]);
  vec_xor();
  show("vec_xor: fnv of d[]", fnv(vd, sizeof vd));
  show("vec_sum_bytes", vec_sum_bytes());
  vec_clamp();
  show("vec_clamp: fnv of s16[]", fnv(vs16, sizeof vs16));
  printf("vec_clamp: s16[0] = %d, s16[40] = %d, s16[63] = %d\n", vs16[0], vs16[40], vs16[63]);
}

void *simd_memcpy(void *dst, const void *src, u64 n);
void *simd_memset(void *dst, int c, u64 n);

static u8 src_buf[160] __attribute__((aligned(16))), dst_buf[160] __attribute__((aligned(16)));

static void mem_functions(void)
{
  /* every size 0..100 at every src/dst misalignment 0..3: the copy must be exact and leave
   * every byte outside it alone */
  u64 bad = 0, h = 0;
  for (u64 n = 0; n <= 100; n++)
    for (u64 so = 0; so < 4; so++)
      for (u64 d = 0; d < 4; d++) {
        for (int i = 0; i < 160; i++) {
          src_buf[i] = (u8)(i * 13 + n);
          dst_buf[i] = 0xee;
        }
        simd_memcpy(dst_buf + 8 + d, src_buf + 16 + so, n);
        for (u64 i = 0; i < 160; i++) {
          u8 want = (i >= 8 + d && i < 8 + d + n) ? src_buf[16 + so + (i - 8 - d)] : 0xee;
          if (dst_buf[i] != want)
            bad++;
        }
        h = h * 31 + fnv(dst_buf, 160);
      }
  show("simd_memcpy sizes 0..100 x 16 alignments: wrong bytes", bad);
  show("  hash of all results", h);
  bad = 0;
  h = 0;
  for (u64 n = 0; n <= 100; n++)
    for (u64 d = 0; d < 8; d++) {
      for (int i = 0; i < 160; i++)
        dst_buf[i] = 0xee;
      simd_memset(dst_buf + 8 + d, (int)(0x100 + n), n);   /* only the low byte counts */
      for (u64 i = 0; i < 160; i++) {
        u8 want = (i >= 8 + d && i < 8 + d + n) ? (u8)n : 0xee;
        if (dst_buf[i] != want)
          bad++;
      }
      h = h * 31 + fnv(dst_buf, 160);
    }
  show("simd_memset sizes 0..100 x 8 alignments: wrong bytes", bad);
  show("  hash of all results", h);
  /* one visible example */
  for (int i = 0; i < 32; i++)
    dst_buf[i] = 0;
  simd_memcpy(dst_buf + 3, "0123456789abcdefghijklmnopq", 27);
  printf("simd_memcpy 27 bytes to +3: %s\n", (const char *)dst_buf + 3);
}

int main(void)
{
  print("isa-simd\n");
  mmu_identity_on();
  loads_stores();
  moves();
  arithmetic();
  logic_and_compares();
  shifts_and_permutes();
  reductions();
  floating();
  scalar_forms();
  vectorised_c();
  mem_functions();
  finish("isa-simd");
}
