/* hot-code: programs that run long enough for baobab's translation tier to take over (a slot is
 * translated after a few dozen visits, then its region runs block to block without the
 * interpreter), checked against what QEMU prints. Each part is a shape a translator gets wrong:
 * loops whose blocks chain inside one page, indirect jumps that land in the same page (a switch
 * through a jump table, returns), calls that leave the page, loads and stores that miss the TLB
 * part-way through a hot block, and code that rewrites itself while hot. */
#include "rt.h"

#define N 256
static u64 data[N];
static u32 words[N];
static u8 bytes[4 * 4096] __attribute__((aligned(4096)));

/* A loop with two paths and a data-dependent exit: both paths become blocks of one region. */
static __attribute__((noinline)) u64 branchy(u64 seed, int rounds)
{
  u64 x = seed, acc = 0;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < N; i++) {
      x = x * 6364136223846793005UL + 1442695040888963407UL;
      data[i] ^= x;
      if (x & 0x100) acc += data[i] >> 3;
      else acc ^= (acc << 5) | words[i];
      words[i] = (u32)(acc >> 7) + (u32)i;
      if ((acc & 0xfff) == 0x123) break;
    }
  }
  return acc;
}

/* A dense switch: gcc makes it a jump table, so each case is reached through jalr. */
static __attribute__((noinline)) u64 dispatch(u64 seed, int n)
{
  u64 x = seed, acc = 1;
  for (int i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    switch (x & 7) {
      case 0: acc += x; break;
      case 1: acc ^= x >> 3; break;
      case 2: acc *= 3; break;
      case 3: acc -= x << 1; break;
      case 4: acc = (acc << 7) | (acc >> 57); break;
      case 5: acc += (u32)x; break;
      case 6: acc ^= 0x5555555555555555UL; break;
      default: acc += i; break;
    }
  }
  return acc;
}

/* Small functions called from a hot loop: calls and returns, inside and across pages. */
static __attribute__((noinline)) u64 leaf_a(u64 v) { return (v >> 11) ^ (v * 31); }
static __attribute__((noinline, aligned(4096))) u64 leaf_far(u64 v) { return v + (v << 9) + 7; }
static __attribute__((noinline)) u64 calls(int n)
{
  u64 acc = 0x1234;
  for (int i = 0; i < n; i++) acc = leaf_a(acc) + leaf_far(acc ^ (u64)i);
  return acc;
}

/* Stores that walk across four pages, one access per page per step, in every width. */
static __attribute__((noinline)) u64 strided(int rounds)
{
  u64 acc = 0;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < 4096; i += 8) {
      for (int p = 0; p < 4; p++) {
        u8 *b = bytes + p * 4096 + i;
        *(u64 *)b += (u64)(i + p + r);
        *(u32 *)(b + 4) ^= (u32)acc;
        *(u16 *)(b + 2) += (u16)i;
        b[1] += (u8)r;
        acc += *(u64 *)b + *(i32 *)(b + 4) + *(int16_t *)(b + 2) + (int8_t)b[1];
      }
    }
  }
  return acc;
}

/* Code that rewrites itself while hot: the immediate of an addi inside the loop changes every
 * iteration (store + fence.i, as the ISA requires), so each iteration must run the new code. */
extern u32 smc_patch[];
static __attribute__((noinline)) u64 self_modifying(int n)
{
  u64 acc = 0, v;
  for (int i = 0; i < n; i++) {
    u32 imm = (u32)(i & 0x7ff);
    smc_patch[0] = (smc_patch[0] & 0x000fffff) | (imm << 20); /* addi a0, a0, imm */
    fence_i();
    __asm__ volatile(
        "mv a0, %1\n"
        ".option push\n.option norvc\n.balign 4\n" /* a full-size, aligned addi to patch */
        ".globl smc_patch\n"
        "smc_patch: addi a0, a0, 0\n"
        ".option pop\n"
        "mv %0, a0\n"
        : "=r"(v) : "r"(acc) : "a0");
    acc = v * 3 + 1;
  }
  return acc;
}

/* A function copied into a data buffer and called from there, its constant patched between
 * calls: translated code for a page that is then written must be dropped. */
static u32 ram_code[16] __attribute__((aligned(64)));
static __attribute__((noinline)) u64 generated(int n)
{
  u64 acc = 0;
  for (int i = 0; i < n; i++) {
    ram_code[0] = 0x00050513u | ((u32)(i & 0x7ff) << 20); /* addi a0, a0, i */
    ram_code[1] = 0x00008067u;                           /* ret */
    fence_i();
    u64 (*fn)(u64) = (u64 (*)(u64))(uintptr_t)ram_code;
    acc = fn(acc) ^ (acc << 1);
  }
  return acc;
}

int main(void)
{
  for (int i = 0; i < N; i++) { data[i] = (u64)i * 0x9E3779B97F4A7C15UL; words[i] = (u32)i * 2654435761u; }
  show("branchy", branchy(42, 400));
  show("dispatch", dispatch(0x1234567, 200000));
  show("calls", calls(100000));
  show("strided", strided(40));
  show("self-modifying", self_modifying(3000));
  show("generated", generated(3000));
  finish();
}
