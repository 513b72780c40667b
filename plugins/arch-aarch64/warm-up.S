// The execute-loop warm-up program of warm-up.ts (its PROGRAM words, from
// aarch64-linux-gnu-as -march=armv8-a+crc warm-up.S; ld -Ttext=0x40000000; objdump -d).
  .text
  .globl _start
_start:
  adr x9, vectors
  msr vbar_el1, x9
  adrp x10, data
  sub x13, x9, #0x100
  mov x4, #(3 << 20)
  msr cpacr_el1, x4
  movz x0, #0x1234
  movk x0, #0x5678, lsl #16
  mov x1, #-7
  mov x2, #3
  mov x5, #0
  add x12, x10, #512
  mov sp, x12
loop:
  add x3, x0, x1
  add w3, w0, w1
  adds x3, x0, x1
  adds w3, w0, w1
  adc x3, x0, x1
  adc w3, w0, w1
  adcs x3, x0, x1
  adcs w3, w0, w1
  and x3, x0, x1
  and w3, w0, w1
  ands x3, x0, x1
  ands w3, w0, w1
  orr x3, x0, x1
  orr w3, w0, w1
  eor x3, x0, x1
  eor w3, w0, w1
  add x3, x0, #5
  add x3, x0, x1, lsl #3
  add x3, x0, w1, sxtw
  bic x3, x0, x1
  sub x3, x0, x1
  subs x3, x0, #1
  ccmp x0, x1, #4, ne
  ccmp w0, w1, #0, eq
  movz x3, #0x42, lsl #16
  mov x3, #-2
  movk x3, #1, lsl #48
  movk x3, #2, lsl #32
  movk x3, #3, lsl #16
  movk x3, #4
  movk w3, #5, lsl #16
  adr x3, loop
  adrp x3, loop
  ubfx x3, x0, #4, #8
  sbfx x3, x0, #4, #8
  bfi x3, x0, #4, #8
  extr x3, x0, x1, #5
  csel x3, x0, x1, eq
  csinc x3, x0, x1, ne
  csinv x3, x0, x1, eq
  csneg x3, x0, x1, ne
  lsl x3, x0, x2
  udiv x3, x0, x2
  sdiv w3, w0, w2
  clz x3, x0
  rev x3, x0
  madd x3, x0, x1, x2
  smaddl x3, w0, w1, x2
  umulh x3, x0, x1
  crc32b w3, w0, w1
  b.eq 1f
1: b.ne 2f
2: cbz x0, 3f
3: cbnz x0, 4f
4: tbz x0, #1, 5f
5: tbnz x0, #2, 8f
8: tbz x0, #40, 9f
9: tbnz x1, #63, 6f
6: bl func
  adr x11, func
  blr x11
  adr x11, 7f
  br x11
7: ldrb w3, [x10]
  ldrsb x3, [x10, #1]
  ldrsb w3, [x10, #1]
  ldrh w3, [x10, #2]
  ldrsh x3, [x10, #2]
  ldrsh w3, [x10, #2]
  ldr w3, [x10, #4]
  ldrsw x3, [x10, #4]
  ldr x3, [x10, #8]
  strb w0, [x10, #16]
  strh w0, [x10, #18]
  str w0, [x10, #20]
  str x0, [x10, #24]
  ldr x3, [x10, #8]!
  ldr x3, [x10], #-8
  ldr x3, [x10, x2, lsl #3]
  ldr x3, lit
  ldp x3, x4, [x10]
  ldp w3, w4, [x10]
  ldpsw x3, x4, [x10]
  stp x0, x1, [x10, #32]
  stp w0, w1, [x10, #48]
  prfm pldl1keep, [x10]
  str x0, [sp, #-16]!
  ldr x3, [sp], #16
  stp x0, x1, [sp, #-16]!
  ldp x3, x4, [sp], #16
  ldr w3, [sp, #8]
  strb w3, [sp, #8]
  nop
  ldr q0, [x10]
  str q0, [x10, #64]
  ldp q0, q1, [x10]
  stp q0, q1, [x10, #64]
  ldr d1, [x10]
  str s1, [x10, #96]
  fadd d2, d0, d1
  add v2.4s, v0.4s, v1.4s
  mrs x3, tpidr_el0
  msr tpidr_el0, x3
  ldxr x3, [x10]
  stxr w4, x3, [x10]
  ldtr x3, [x10]
  svc #0
  tlbi vmalle1
  ldrb w3, [x10]
  tlbi vmalle1
  ldrsb x3, [x10]
  tlbi vmalle1
  ldrsb w3, [x10]
  tlbi vmalle1
  ldrh w3, [x10]
  tlbi vmalle1
  ldrsh x3, [x10]
  tlbi vmalle1
  ldrsh w3, [x10]
  tlbi vmalle1
  ldr w3, [x10]
  tlbi vmalle1
  ldrsw x3, [x10]
  tlbi vmalle1
  ldr x3, [x10, #8]
  tlbi vmalle1
  ldp x3, x4, [x10]
  tlbi vmalle1
  ldp w3, w4, [x10]
  tlbi vmalle1
  ldpsw x3, x4, [x10]
  tlbi vmalle1
  strb w3, [x10, #9]
  tlbi vmalle1
  strh w3, [x10, #10]
  tlbi vmalle1
  str w3, [x10, #12]
  tlbi vmalle1
  str x3, [x10, #8]
  tlbi vmalle1
  stp x3, x4, [x10, #32]
  tlbi vmalle1
  stp w3, w4, [x10, #8]
  tlbi vmalle1
  ldr q0, [x10, #16]
  tlbi vmalle1
  str q0, [x10, #16]
  tlbi vmalle1
  ldp q0, q1, [x10]
  tlbi vmalle1
  stp q0, q1, [x10, #64]
  tlbi vmalle1
  ldr d1, [x10]
  tlbi vmalle1
  str d1, [x10, #96]
  ldr x3, [x10, #1]
  str x0, [x13]
  add x5, x5, #1
  neg x0, x0
  neg x1, x1
  b loop
func:
  ret
  .balign 8
lit: .quad 0x1122334455667788
  .balign 2048
vectors:
  .skip 0x200
  eret
  .balign 4096
data:
  .skip 256
