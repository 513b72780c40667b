/* simd_memcpy / simd_memset: the AdvSIMD strategy of the Arm optimized-routines string functions
 * (what a libc memcpy on AArch64 runs): no byte loops, every size handled by possibly
 * overlapping accesses from both ends — 1..3 bytes by byte/halfword, 4..15 by two words or two
 * doublewords, 16..32 by two q registers, 33..64 by two ldp/stp q pairs, more by a 32-byte loop
 * plus the last 32 bytes. Accesses are unaligned: the MMU must be on (Normal memory).
 * (Debian's picolibc builds its memcpy/memset as byte loops, so they would exercise no SIMD.) */
  .text

/* void *simd_memcpy(void *dst, const void *src, size_t n) — non-overlapping buffers */
  .globl simd_memcpy
simd_memcpy:
  add x4, x1, x2               /* src end */
  add x5, x0, x2               /* dst end */
  cmp x2, #16
  b.hi .Lcpy_gt16
  cmp x2, #8
  b.lo .Lcpy_lt8
  ldr x6, [x1]
  ldur x7, [x4, #-8]
  str x6, [x0]
  stur x7, [x5, #-8]
  ret
.Lcpy_lt8:
  cmp x2, #4
  b.lo .Lcpy_lt4
  ldr w6, [x1]
  ldur w7, [x4, #-4]
  str w6, [x0]
  stur w7, [x5, #-4]
  ret
.Lcpy_lt4:
  cbz x2, 1f
  /* 1..3: first byte, middle byte, last byte */
  lsr x8, x2, #1
  ldrb w6, [x1]
  ldrb w7, [x1, x8]
  ldurb w9, [x4, #-1]
  strb w6, [x0]
  strb w7, [x0, x8]
  sturb w9, [x5, #-1]
1:ret
.Lcpy_gt16:
  cmp x2, #32
  b.hi .Lcpy_gt32
  ldr q0, [x1]
  ldur q1, [x4, #-16]
  str q0, [x0]
  stur q1, [x5, #-16]
  ret
.Lcpy_gt32:
  cmp x2, #64
  b.hi .Lcpy_loop_start
  ldp q0, q1, [x1]
  ldp q2, q3, [x4, #-32]
  stp q0, q1, [x0]
  stp q2, q3, [x5, #-32]
  ret
.Lcpy_loop_start:
  /* copy 32-byte blocks while more than 32 bytes remain, then the last 32 (overlapping) */
  ldp q2, q3, [x4, #-32]
  mov x6, x0
  mov x7, x1
  sub x8, x2, #32
2:ldp q0, q1, [x7], #32
  stp q0, q1, [x6], #32
  subs x8, x8, #32
  b.hi 2b
  stp q2, q3, [x5, #-32]
  ret

/* void *simd_memset(void *dst, int c, size_t n) */
  .globl simd_memset
simd_memset:
  dup v0.16b, w1
  add x5, x0, x2
  cmp x2, #16
  b.hi .Lset_gt16
  cmp x2, #8
  b.lo .Lset_lt8
  str d0, [x0]
  stur d0, [x5, #-8]
  ret
.Lset_lt8:
  cmp x2, #4
  b.lo .Lset_lt4
  str s0, [x0]
  stur s0, [x5, #-4]
  ret
.Lset_lt4:
  cbz x2, 1f
  lsr x8, x2, #1
  strb w1, [x0]
  strb w1, [x0, x8]
  sturb w1, [x5, #-1]
1:ret
.Lset_gt16:
  cmp x2, #32
  b.hi .Lset_gt32
  str q0, [x0]
  stur q0, [x5, #-16]
  ret
.Lset_gt32:
  mov v1.16b, v0.16b
  cmp x2, #64
  b.hi .Lset_loop_start
  stp q0, q1, [x0]
  stp q0, q1, [x5, #-32]
  ret
.Lset_loop_start:
  mov x6, x0
  sub x8, x2, #32
2:stp q0, q1, [x6], #32
  subs x8, x8, #32
  b.hi 2b
  stp q0, q1, [x5, #-32]
  ret
