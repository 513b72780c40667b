/* Ordinary C loops that gcc -O2 (12.2, "very cheap" vectorizer cost model: fixed trip counts,
 * no scalar epilogue) turns into AdvSIMD code; isa-simd runs them and prints checksums.
 * `make -C guests aarch64` builds them; `aarch64-linux-gnu-objdump -d build/aarch64/isa-simd/vec.o`
 * shows the vector code (gcc 12.2: shl/add .4s; uxtl/uaddw/addv; smin/smax .8h; ushr/shl/orr/eor). */
#include "rt.h"

#define N 64

u32 va[N] __attribute__((aligned(16)));
u32 vb[N] __attribute__((aligned(16)));
u32 vd[N] __attribute__((aligned(16)));
u8 vbytes[256] __attribute__((aligned(16)));
i16 vs16[N] __attribute__((aligned(16)));

/* d[i] = a[i] * 3 + b[i]: shl + add on .4s */
void vec_madd(void)
{
  for (int i = 0; i < N; i++)
    vd[i] = va[i] * 3 + vb[i];
}

/* a sum of 256 bytes: widening adds and a horizontal reduction */
u32 vec_sum_bytes(void)
{
  u32 s = 0;
  for (int i = 0; i < 256; i++)
    s += vbytes[i];
  return s;
}

/* element-wise max and a select on signed halfwords */
void vec_clamp(void)
{
  for (int i = 0; i < N; i++) {
    i16 v = vs16[i];
    vs16[i] = v < -1000 ? -1000 : v > 1000 ? 1000 : v;
  }
}

/* a bitwise loop: xor with a rotated neighbour pattern */
void vec_xor(void)
{
  for (int i = 0; i < N; i++)
    vd[i] ^= (va[i] >> 3) | (vb[i] << 29);
}
