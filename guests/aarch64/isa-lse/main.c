/* isa-lse: the Armv8.1 LSE atomics (FEAT_LSE; ARM DDI 0487 C6.2 LDADD, LDCLR, LDEOR, LDSET,
 * LDSMAX, LDSMIN, LDUMAX, LDUMIN, SWP, CAS, CASP and the ST* aliases) in every size and every
 * ordering (none, acquire, release, acquire-release).
 *
 * CPU: recorded with `qemu-system-aarch64 -M virt -cpu max` (guests/Makefile: A64_CPU_isa-lse).
 * cortex-a53 is Armv8.0 and has no LSE: there this program prints only that
 * ID_AA64ISAR0_EL1.Atomic is 0 (isa-atomic shows each LSE family trapping as UNDEFINED).
 *
 * Operands: memory holds the size's sign bit | 1 (0x81, 0x8001, ...) inside a doubleword of 0xa5
 * bytes, the register operand is the size's maximum positive value (0x7f, 0x7fff, ...) with
 * junk in the register bits above the size, Rt starts as all ones: every line shows the value
 * returned (zero-extended) and the whole doubleword after the operation (neighbours untouched),
 * and the signed/unsigned min/max pick different answers.
 * Runs with the MMU on (rt's identity map): atomics are defined on Normal memory. */
#include "rt.h"

static u64 cell[2] __attribute__((aligned(16)));

static u64 sign_bit(int bits) { return 1UL << (bits - 1); }
static u64 size_mask(int bits) { return bits == 64 ? ~0UL : (1UL << bits) - 1; }

static void set_mem(int bits)
{
  cell[0] = (0xa5a5a5a5a5a5a5a5UL & ~size_mask(bits)) | sign_bit(bits) | 1;
  cell[1] = 0xa5a5a5a5a5a5a5a5UL;
}

/* the size's maximum positive value, junk above the size (within the register) */
static u64 operand(int bits)
{
  return (0x5a5a5a5a5a5a5a5aUL & ~size_mask(bits)) | (sign_bit(bits) - 1);
}

static void line(const char *name, u64 t, u64 mem)
{
  printf("%s: Rt %016lx, memory %016lx\n", name, t, mem);
  if (cell[1] != 0xa5a5a5a5a5a5a5a5UL)
    printf("  next doubleword changed: %016lx\n", cell[1]);
}

/* ld<op><ord><size> Rs, Rt, [Xn] */
#define ONE(op, ord, sz, R, bits, label)                                                       \
  do {                                                                                        \
    u64 __t = ~0UL, __s = operand(bits);                                                      \
    set_mem(bits);                                                                            \
    __asm__ volatile(".arch_extension lse\n " op ord sz " %" R "1, %" R "0, [%2]"             \
                     : "+r"(__t) : "r"(__s), "r"(cell) : "memory");                           \
    line(op ord sz label, __t, cell[0]);                                                      \
  } while (0)
#define ORDERS(op, sz, R, bits, label) \
  ONE(op, "", sz, R, bits, label); ONE(op, "a", sz, R, bits, label); \
  ONE(op, "l", sz, R, bits, label); ONE(op, "al", sz, R, bits, label)
#define SIZES(op) \
  ORDERS(op, "b", "w", 8, ""); ORDERS(op, "h", "w", 16, ""); \
  ORDERS(op, "", "w", 32, " (w)"); ORDERS(op, "", "x", 64, " (x)")

static void load_ops(void)
{
  SIZES("ldadd");
  SIZES("ldclr");
  SIZES("ldeor");
  SIZES("ldset");
  SIZES("ldsmax");
  SIZES("ldsmin");
  SIZES("ldumax");
  SIZES("ldumin");
  SIZES("swp");
}

/* st<op>: ld<op> with Rt = zr (no acquire forms) */
#define ST(op, sz, R, bits, label)                                                             \
  do {                                                                                        \
    u64 __s = operand(bits);                                                                  \
    set_mem(bits);                                                                            \
    __asm__ volatile(".arch_extension lse\n " op sz " %" R "0, [%1]" :: "r"(__s), "r"(cell) : "memory"); \
    printf("%s: memory %016lx\n", op sz label, cell[0]);                                      \
  } while (0)

static void store_ops(void)
{
  ST("stadd", "b", "w", 8, "");
  ST("staddl", "h", "w", 16, "");
  ST("stclr", "", "w", 32, " (w)");
  ST("stclrl", "", "x", 64, " (x)");
  ST("steor", "h", "w", 16, "");
  ST("stset", "b", "w", 8, "");
  ST("stsmax", "", "w", 32, " (w)");
  ST("stsmin", "", "x", 64, " (x)");
  ST("stumax", "b", "w", 8, "");
  ST("stuminl", "h", "w", 16, "");
}

/* cas<ord><size> Rs, Rt, [Xn]: Rs = the compare value in, the old value out. "equal": Rs = the
 * memory value (plus junk above the size, which the compare ignores); "differ": Rs = operand. */
#define CAS(ord, sz, R, bits, label)                                                           \
  do {                                                                                        \
    u64 __s = (sign_bit(bits) | 1) | (0x5a5a5a5a5a5a5a5aUL & ~size_mask(bits) & 0xffffffffUL), __t = operand(bits); \
    set_mem(bits);                                                                            \
    __asm__ volatile(".arch_extension lse\n cas" ord sz " %" R "0, %" R "1, [%2]"             \
                     : "+r"(__s) : "r"(__t), "r"(cell) : "memory");                           \
    printf("cas%s%s%s equal: Rs %016lx, memory %016lx\n", ord, sz, label, __s, cell[0]);      \
    __s = operand(bits);                                                                      \
    set_mem(bits);                                                                            \
    __asm__ volatile(".arch_extension lse\n cas" ord sz " %" R "0, %" R "1, [%2]"             \
                     : "+r"(__s) : "r"(__t), "r"(cell) : "memory");                           \
    printf("cas%s%s%s differ: Rs %016lx, memory %016lx\n", ord, sz, label, __s, cell[0]);     \
  } while (0)
#define CAS_ORDERS(sz, R, bits, label) \
  CAS("", sz, R, bits, label); CAS("a", sz, R, bits, label); CAS("l", sz, R, bits, label); CAS("al", sz, R, bits, label)

static void cas_ops(void)
{
  CAS_ORDERS("b", "w", 8, "");
  CAS_ORDERS("h", "w", 16, "");
  CAS_ORDERS("", "w", 32, " (w)");
  CAS_ORDERS("", "x", 64, " (x)");
}

/* casp<ord> Rs, Rs+1, Rt, Rt+1, [Xn] on even/odd pairs (loaded inside the asm: x4..x7) */
#define CASP(ord, R, s0v, s1v, label)                                                           \
  do {                                                                                        \
    u64 __o0, __o1;                                                                           \
    cell[0] = 0x1111111122222222UL;                                                           \
    cell[1] = 0x3333333344444444UL;                                                           \
    __asm__ volatile(".arch_extension lse\n mov x4, %2\n mov x5, %3\n mov x6, %4\n mov x7, %5\n" \
                     " casp" ord " " R "4, " R "5, " R "6, " R "7, [%6]\n mov %0, x4\n mov %1, x5" \
                     : "=&r"(__o0), "=&r"(__o1)                                                \
                     : "r"((u64)(s0v)), "r"((u64)(s1v)), "r"(0xaaaaaaaabbbbbbbbUL), "r"(0xccccccccddddddddUL), "r"(cell) \
                     : "memory", "x4", "x5", "x6", "x7");                                      \
    printf("casp%s%s: Rs %016lx %016lx, memory %016lx %016lx\n", ord, label, __o0, __o1, cell[0], cell[1]); \
  } while (0)

static void casp_ops(void)
{
  /* x pairs compare both doublewords; w pairs compare the two words of cell[0] */
  CASP("", "x", 0x1111111122222222UL, 0x3333333344444444UL, " (x) equal");
  CASP("a", "x", 0x1111111122222222UL, 0x3333333344444444UL, " (x) equal");
  CASP("l", "x", 0x1111111122222222UL, 0x3333333344444445UL, " (x) second differs");
  CASP("al", "x", 0x1111111122222223UL, 0x3333333344444444UL, " (x) first differs");
  CASP("", "w", 0x22222222UL, 0x11111111UL, " (w) equal");
  CASP("a", "w", 0xffffffff22222222UL, 0xffffffff11111111UL, " (w) equal, junk above");
  CASP("l", "w", 0x22222222UL, 0x11111112UL, " (w) second differs");
  CASP("al", "w", 0x22222223UL, 0x11111111UL, " (w) first differs");
}

int main(void)
{
  print("isa-lse\n");
  u64 atomic = (read_sysreg(id_aa64isar0_el1) >> 20) & 0xf;
  show("ID_AA64ISAR0_EL1.Atomic", atomic);
  if (atomic < 2) {
    print("no LSE on this CPU (record with -cpu max)\n");
    finish("isa-lse");
  }
  mmu_identity_on();
  load_ops();
  store_ops();
  cas_ops();
  casp_ops();
  finish("isa-lse");
}
