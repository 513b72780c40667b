/* Matrix multiply: 32-bit integer matrices, naive i-j-k, i-k-j (row streaming) and a 16×16
 * blocked product, results compared with each other and folded. */
#include "rt.h"

#ifndef ROUNDS
#define ROUNDS 20
#endif
#define DIM 96
#define BLK 16

static int32_t A[DIM][DIM], B[DIM][DIM], C1[DIM][DIM], C2[DIM][DIM], C3[DIM][DIM];

static void mul_ijk(void) {
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      int32_t s = 0;
      for (int k = 0; k < DIM; k++) s += A[i][k] * B[k][j];
      C1[i][j] = s;
    }
}

static void mul_ikj(void) {
  for (int i = 0; i < DIM; i++) {
    for (int j = 0; j < DIM; j++) C2[i][j] = 0;
    for (int k = 0; k < DIM; k++) {
      int32_t a = A[i][k];
      for (int j = 0; j < DIM; j++) C2[i][j] += a * B[k][j];
    }
  }
}

static void mul_blocked(void) {
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) C3[i][j] = 0;
  for (int ii = 0; ii < DIM; ii += BLK)
    for (int kk = 0; kk < DIM; kk += BLK)
      for (int jj = 0; jj < DIM; jj += BLK)
        for (int i = ii; i < ii + BLK; i++)
          for (int k = kk; k < kk + BLK; k++) {
            int32_t a = A[i][k];
            for (int j = jj; j < jj + BLK; j++) C3[i][j] += a * B[k][j];
          }
}

int main(void) {
  uint64_t seed = 0x0123456789abcdefull, sum = 0;
  int bad = 0;
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < DIM; i++)
      for (int j = 0; j < DIM; j++) {
        A[i][j] = (int32_t)(xorshift64(&seed) % 2001) - 1000;
        B[i][j] = (int32_t)(xorshift64(&seed) % 2001) - 1000;
      }
    mul_ijk();
    mul_ikj();
    mul_blocked();
    for (int i = 0; i < DIM; i++)
      for (int j = 0; j < DIM; j++) {
        bad += C1[i][j] != C2[i][j];
        bad += C1[i][j] != C3[i][j];
        sum = mix64(sum, (uint32_t)C1[i][j]);
      }
    /* the next round multiplies by this round's product (scaled down to stay in range) */
    for (int i = 0; i < DIM; i++)
      for (int j = 0; j < DIM; j++) B[i][j] = C1[i][j] % 1009;
  }
  rt_printf("matmul: %d rounds of %dx%d, %d mismatches\n", ROUNDS, DIM, DIM, bad);
  rt_checksum("matmul", sum);
  return 0;
}
