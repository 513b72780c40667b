// AdvSIMD integer and data movement, one line per instruction (vmacros.inc): three same, three
// different, two-register misc, across lanes, copy, modified immediate, shifts by immediate, by
// element, permutes, EXT, TBL/TBX, scalar forms, loads and stores of every SIMD & FP form, and the
// crypto extension. Each result is v0 (or x0) with the FPSR bits raised (QC is bit 27).
#include "macros.inc"
#include "vmacros.inc"
    .arch_extension crypto
    .text
    .global main
main:
    mov     x29, x30
    SAY "trap"
    mov     v0.16b, v1.16b           // CPACR_EL1.FPEN = 0 at reset: EC 0x07
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    isb
    LQ q1, 0x0011223344556677, 0x8899aabbccddeeff
    LQ q2, 0x80000000ffffff80, 0x7fff8000ffff0001
    LQ q3, 0xfedcba9876543210, 0x0123456789abcdef
    LQ q4, 0x7f7f80800101fefe, 0x00ff017e8081c0c1
    SAY "three same"
    V add v0.16b, v1.16b, v2.16b
    V add v0.8h, v1.8h, v2.8h
    V add v0.4s, v1.4s, v2.4s
    V add v0.2d, v1.2d, v2.2d
    V sub v0.2d, v1.2d, v2.2d
    V sub v0.8b, v1.8b, v2.8b
    V mul v0.16b, v1.16b, v2.16b
    V mul v0.8h, v1.8h, v2.8h
    V mul v0.4s, v1.4s, v3.4s
    V pmul v0.16b, v1.16b, v2.16b
    mov v0.16b, v3.16b
    V mla v0.4s, v1.4s, v2.4s
    mov v0.16b, v3.16b
    V mls v0.8h, v1.8h, v2.8h
    V shadd v0.16b, v1.16b, v2.16b
    V uhadd v0.8h, v1.8h, v2.8h
    V srhadd v0.4s, v1.4s, v2.4s
    V urhadd v0.16b, v1.16b, v2.16b
    V shsub v0.8h, v1.8h, v2.8h
    V uhsub v0.4s, v1.4s, v2.4s
    V sqadd v0.16b, v1.16b, v2.16b
    V uqadd v0.8h, v1.8h, v2.8h
    V sqadd v0.2d, v2.2d, v2.2d
    V uqadd v0.2d, v1.2d, v1.2d
    V sqsub v0.4s, v1.4s, v2.4s
    V uqsub v0.16b, v2.16b, v1.16b
    V cmgt v0.16b, v1.16b, v2.16b
    V cmhi v0.8h, v1.8h, v2.8h
    V cmge v0.4s, v1.4s, v2.4s
    V cmhs v0.2d, v1.2d, v2.2d
    V cmeq v0.16b, v1.16b, v1.16b
    V cmtst v0.8h, v1.8h, v2.8h
    V cmgt v0.2d, v1.2d, v3.2d
    V smax v0.16b, v1.16b, v2.16b
    V umin v0.8h, v1.8h, v2.8h
    V smin v0.4s, v1.4s, v2.4s
    V umax v0.4s, v1.4s, v2.4s
    V sabd v0.16b, v1.16b, v2.16b
    V uabd v0.4s, v1.4s, v2.4s
    mov v0.16b, v3.16b
    V saba v0.8h, v1.8h, v2.8h
    mov v0.16b, v3.16b
    V uaba v0.16b, v1.16b, v2.16b
    V sshl v0.16b, v1.16b, v4.16b
    V ushl v0.8h, v1.8h, v4.8h
    V srshl v0.4s, v1.4s, v4.4s
    V urshl v0.2d, v1.2d, v4.2d
    V sqshl v0.16b, v1.16b, v4.16b
    V uqshl v0.8h, v1.8h, v4.8h
    V sqrshl v0.4s, v2.4s, v4.4s
    V uqrshl v0.16b, v2.16b, v4.16b
    V sqdmulh v0.8h, v1.8h, v2.8h
    V sqrdmulh v0.4s, v1.4s, v2.4s
    V sqdmulh v0.8h, v2.8h, v2.8h
    V addp v0.16b, v1.16b, v2.16b
    V addp v0.2d, v1.2d, v2.2d
    V smaxp v0.8h, v1.8h, v2.8h
    V uminp v0.4s, v1.4s, v2.4s
    V and v0.16b, v1.16b, v2.16b
    V bic v0.16b, v1.16b, v2.16b
    V orr v0.16b, v1.16b, v2.16b
    V orn v0.8b, v1.8b, v2.8b
    V eor v0.16b, v1.16b, v2.16b
    mov v0.16b, v3.16b
    V bsl v0.16b, v1.16b, v2.16b
    mov v0.16b, v3.16b
    V bit v0.16b, v1.16b, v2.16b
    mov v0.16b, v3.16b
    V bif v0.8b, v1.8b, v2.8b
    SAY "three different"
    V saddl v0.8h, v1.8b, v2.8b
    V uaddl2 v0.4s, v1.8h, v2.8h
    V ssubl v0.2d, v1.2s, v2.2s
    V usubl2 v0.8h, v1.16b, v2.16b
    V saddw v0.8h, v1.8h, v2.8b
    V uaddw2 v0.2d, v1.2d, v2.4s
    V ssubw2 v0.4s, v1.4s, v2.8h
    V usubw v0.8h, v1.8h, v2.8b
    mov v0.16b, v3.16b
    V addhn2 v0.16b, v1.8h, v2.8h
    V raddhn v0.4h, v1.4s, v2.4s
    V subhn v0.2s, v1.2d, v2.2d
    V rsubhn v0.8b, v1.8h, v2.8h
    mov v0.16b, v3.16b
    V sabal v0.8h, v1.8b, v2.8b
    V uabdl2 v0.4s, v1.8h, v2.8h
    mov v0.16b, v3.16b
    V smlal v0.4s, v1.4h, v2.4h
    mov v0.16b, v3.16b
    V umlsl2 v0.2d, v1.4s, v2.4s
    V smull v0.8h, v1.8b, v2.8b
    V umull2 v0.2d, v1.4s, v2.4s
    V smull v0.2d, v1.2s, v2.2s
    V sqdmull v0.4s, v2.4h, v2.4h
    mov v0.16b, v3.16b
    V sqdmlal v0.2d, v1.2s, v2.2s
    mov v0.16b, v3.16b
    V sqdmlsl2 v0.4s, v1.8h, v2.8h
    V pmull v0.8h, v1.8b, v2.8b
    V pmull v0.1q, v1.1d, v3.1d
    V pmull2 v0.1q, v1.2d, v3.2d
    SAY "two-register misc"
    V rev64 v0.16b, v1.16b
    V rev64 v0.4s, v1.4s
    V rev32 v0.8h, v1.8h
    V rev16 v0.16b, v1.16b
    V saddlp v0.8h, v1.16b
    V uaddlp v0.2d, v1.4s
    mov v0.16b, v3.16b
    V sadalp v0.4s, v1.8h
    mov v0.16b, v3.16b
    V uadalp v0.1d, v1.2s
    mov v0.16b, v4.16b
    V suqadd v0.16b, v1.16b
    mov v0.16b, v4.16b
    V usqadd v0.8h, v1.8h
    V cls v0.16b, v4.16b
    V cls v0.4s, v2.4s
    V clz v0.8h, v1.8h
    V clz v0.4s, v2.4s
    V cnt v0.16b, v1.16b
    V not v0.16b, v1.16b
    V rbit v0.8b, v1.8b
    V sqabs v0.16b, v4.16b
    V sqneg v0.8h, v2.8h
    V sqabs v0.2d, v2.2d
    V abs v0.4s, v2.4s
    V neg v0.2d, v2.2d
    V cmgt v0.16b, v4.16b, #0
    V cmeq v0.8h, v2.8h, #0
    V cmlt v0.4s, v2.4s, #0
    V cmge v0.2d, v2.2d, #0
    V cmle v0.16b, v4.16b, #0
    V xtn v0.8b, v1.8h
    mov v0.16b, v3.16b
    V xtn2 v0.8h, v1.4s
    V sqxtn v0.8b, v2.8h
    V uqxtn v0.4h, v2.4s
    V sqxtun v0.2s, v2.2d
    mov v0.16b, v3.16b
    V sqxtun2 v0.16b, v2.8h
    V shll v0.8h, v1.8b, #8
    V shll2 v0.2d, v1.4s, #32
    V urecpe v0.4s, v1.4s
    V ursqrte v0.4s, v3.4s
    SAY "across lanes"
    V addv b0, v1.16b
    V addv h0, v2.8h
    V addv s0, v2.4s
    V saddlv h0, v1.16b
    V uaddlv d0, v2.4s
    V smaxv b0, v1.16b
    V umaxv h0, v2.4h
    V sminv s0, v2.4s
    V uminv b0, v4.8b
    SAY "copy"
    V dup v0.16b, v1.b[13]
    V dup v0.2d, v3.d[1]
    V dup v0.4h, v2.h[5]
    LI x5, 0x1122334455667788
    V dup v0.8h, w5
    V dup v0.2d, x5
    mov v0.16b, v3.16b
    V mov v0.s[3], w5
    mov v0.16b, v3.16b
    V mov v0.b[1], v1.b[15]
    mov v0.16b, v3.16b
    V mov v0.d[0], v1.d[1]
    VX umov w0, v1.b[9]
    VX umov w0, v1.h[7]
    VX mov x0, v3.d[1]
    VX smov w0, v1.b[12]
    VX smov x0, v2.h[6]
    VX smov x0, v2.s[1]
    V mov b0, v1.b[10]
    V mov d0, v3.d[1]
    SAY "modified immediate"
    mov v0.16b, v3.16b
    V movi v0.16b, #0xa5
    V movi v0.8b, #0x3c
    V movi v0.4h, #0x12, lsl #8
    V movi v0.4s, #0x34, lsl #16
    V movi v0.2s, #0x56, msl #8
    V movi v0.4s, #0x56, msl #16
    V movi d0, #0xff00ff0000ffff00
    V movi v0.2d, #0x00ff00ff00ff00ff
    V mvni v0.8h, #0x12
    V mvni v0.4s, #0x34, lsl #24
    V mvni v0.2s, #0x56, msl #16
    mov v0.16b, v3.16b
    V orr v0.4s, #0x80, lsl #8
    mov v0.16b, v3.16b
    V bic v0.8h, #0xff
    mov v0.16b, v3.16b
    V bic v0.2s, #0x12, lsl #24
    V fmov v0.4s, #-1.25
    V fmov v0.2d, #31.0
    V fmov v0.2s, #0.125
    SAY "shift by immediate"
    V sshr v0.16b, v1.16b, #3
    V ushr v0.8h, v1.8h, #16
    V sshr v0.4s, v2.4s, #32
    V ushr v0.2d, v1.2d, #1
    V sshr v0.2d, v2.2d, #63
    mov v0.16b, v3.16b
    V ssra v0.16b, v1.16b, #2
    mov v0.16b, v3.16b
    V usra v0.2d, v1.2d, #60
    V srshr v0.8h, v1.8h, #5
    V urshr v0.4s, v2.4s, #1
    mov v0.16b, v3.16b
    V srsra v0.16b, v1.16b, #8
    mov v0.16b, v3.16b
    V ursra v0.2d, v2.2d, #64
    V shl v0.16b, v1.16b, #7
    V shl v0.8h, v1.8h, #15
    V shl v0.4s, v1.4s, #31
    V shl v0.2d, v1.2d, #33
    mov v0.16b, v3.16b
    V sli v0.8h, v1.8h, #4
    mov v0.16b, v3.16b
    V sri v0.4s, v1.4s, #12
    mov v0.16b, v3.16b
    V sri v0.2d, v1.2d, #64
    V sqshl v0.16b, v1.16b, #2
    V uqshl v0.8h, v1.8h, #4
    V sqshlu v0.4s, v2.4s, #1
    V sqshl v0.2d, v2.2d, #63
    V shrn v0.8b, v1.8h, #4
    mov v0.16b, v3.16b
    V rshrn2 v0.8h, v1.4s, #16
    V sqshrn v0.2s, v2.2d, #8
    V uqshrn v0.8b, v2.8h, #1
    V sqrshrn v0.4h, v2.4s, #3
    V uqrshrn v0.2s, v1.2d, #32
    V sqshrun v0.8b, v2.8h, #2
    V sqrshrun v0.4h, v1.4s, #15
    V sshll v0.8h, v1.8b, #3
    V ushll2 v0.4s, v1.8h, #0
    V sxtl v0.2d, v2.2s
    V uxtl2 v0.8h, v1.16b
    V scvtf v0.4s, v2.4s, #8
    V ucvtf v0.2d, v1.2d, #64
    V fcvtzs v0.4s, v4.4s, #3
    V fcvtzu v0.2d, v3.2d, #1
    SAY "by element"
    V mul v0.8h, v1.8h, v2.h[7]
    V mul v0.4s, v1.4s, v2.s[1]
    mov v0.16b, v3.16b
    V mla v0.4h, v1.4h, v2.h[2]
    mov v0.16b, v3.16b
    V mls v0.4s, v1.4s, v3.s[3]
    V smull v0.4s, v1.4h, v2.h[1]
    V umull2 v0.2d, v1.4s, v2.s[2]
    mov v0.16b, v3.16b
    V smlal2 v0.4s, v1.8h, v2.h[6]
    mov v0.16b, v3.16b
    V umlsl v0.2d, v1.2s, v2.s[0]
    V sqdmull v0.4s, v2.4h, v2.h[3]
    mov v0.16b, v3.16b
    V sqdmlal2 v0.2d, v2.4s, v2.s[3]
    mov v0.16b, v3.16b
    V sqdmlsl v0.4s, v1.4h, v2.h[0]
    V sqdmulh v0.8h, v2.8h, v2.h[7]
    V sqrdmulh v0.4s, v1.4s, v2.s[2]
    SAY "permute"
    V zip1 v0.16b, v1.16b, v2.16b
    V zip2 v0.8h, v1.8h, v2.8h
    V zip1 v0.2s, v1.2s, v2.2s
    V uzp1 v0.4s, v1.4s, v2.4s
    V uzp2 v0.16b, v1.16b, v2.16b
    V trn1 v0.8h, v1.8h, v2.8h
    V trn2 v0.2d, v1.2d, v2.2d
    V trn2 v0.8b, v1.8b, v2.8b
    V ext v0.16b, v1.16b, v2.16b, #5
    V ext v0.8b, v1.8b, v2.8b, #7
    LQ q5, 0x1f0e2d3c4b5a6978, 0x000102030405060f
    V tbl v0.16b, {v1.16b}, v5.16b
    V tbl v0.8b, {v1.16b, v2.16b}, v5.8b
    V tbl v0.16b, {v1.16b, v2.16b, v3.16b}, v5.16b
    mov v0.16b, v3.16b
    V tbx v0.16b, {v1.16b, v2.16b}, v5.16b
    mov v0.16b, v4.16b
    V tbx v0.8b, {v1.16b, v2.16b, v3.16b, v4.16b}, v5.8b
    SAY "scalar"
    V add d0, d1, d2
    V sub d0, d2, d1
    V sqadd b0, b1, b2
    V uqsub h0, h1, h2
    V sqsub s0, s2, s1
    V uqadd d0, d1, d1
    V cmgt d0, d1, d2
    V cmhs d0, d1, d3
    V cmtst d0, d1, d2
    V sshl d0, d1, d4
    V urshl d0, d1, d4
    V sqshl s0, s2, s4
    V uqrshl b0, b1, b4
    V sqdmulh h0, h2, h1
    V sqrdmulh s0, s2, s2
    V sqdmull s0, h2, h2
    mov v0.16b, v3.16b
    V sqdmlal d0, s1, s2
    mov v0.16b, v3.16b
    V sqdmlsl s0, h2, v2.h[1]
    V sqdmulh s0, s1, v2.s[3]
    V abs d0, d2
    V neg d0, d1
    V sqabs b0, b4
    V sqneg h0, h2
    mov v0.16b, v4.16b
    V suqadd s0, s1
    mov v0.16b, v4.16b
    V usqadd d0, d2
    V cmeq d0, d1, #0
    V cmlt d0, d2, #0
    V sqxtn b0, h2
    V uqxtn h0, s2
    V sqxtun s0, d2
    V addp d0, v1.2d
    V sshr d0, d2, #17
    V ursra d0, d1, #3
    V shl d0, d1, #7
    V sli d0, d1, #63
    V sri d0, d2, #1
    V sqshl h0, h2, #3
    V uqshl b0, b1, #5
    V sqshlu s0, s2, #2
    V sqshrn b0, h2, #2
    V uqrshrn h0, s2, #8
    V sqrshrun s0, d1, #20
    V scvtf s0, s2, #4
    V fcvtzs d0, d3, #10
    SAY "loads and stores"
    ldr     x8, =buf
    stp     q1, q2, [x8]
    stp     q3, q4, [x8, #32]
    V ldr b0, [x8, #17]
    V ldr h0, [x8, #6]
    V ldr s0, [x8, #60]
    V ldr d0, [x8, #8]
    V ldr q0, [x8, #32]
    V ldur q0, [x8, #3]
    V ldr q0, [x8, #16]!
    VX sub x0, x8, #0
    V ldr d0, [x8], #-16
    VX sub x0, x8, #0
    mov x5, #3
    V ldr q0, [x8, x5]
    V ldr s0, [x8, w5, uxtw #2]
    V ldr q0, [x8, x5, lsl #4]
    mov x5, #-2
    V ldr h0, [x8, w5, sxtw #1]
    V ldp q0, q5, [x8, #16]
    V mov v0.16b, v5.16b
    V ldp s0, s5, [x8, #4]
    V ldp d5, d0, [x8, #-8]!
    VX sub x0, x8, #0
    V ldnp q5, q0, [x8]
    add x8, x8, #8
    V ldr q0, 1f
    stur q3, [x8, #1]
    str s4, [x8, #40]
    str h4, [x8, #45]
    str b1, [x8, #47]
    stp d1, d2, [x8, #-8]!
    stnp s3, s4, [x8, #64]
    str q1, [x8, #80]!
    stp q2, q3, [x8], #32
    str d2, [x8, x5, lsl #3]
    ldr x8, =buf
    V ldp q0, q5, [x8]
    V mov v0.16b, v5.16b
    V ldp q0, q5, [x8, #32]
    V mov v0.16b, v5.16b
    V ldp q0, q5, [x8, #64]
    V mov v0.16b, v5.16b
    V ldp q0, q5, [x8, #96]
    V mov v0.16b, v5.16b
    SAY "structures"
    ldr x8, =buf
    ld4 {v5.16b, v6.16b, v7.16b, v8.16b}, [x8]
    V mov v0.16b, v5.16b
    V mov v0.16b, v8.16b
    ld3 {v5.4h, v6.4h, v7.4h}, [x8], #24
    V mov v0.16b, v7.16b
    VX sub x0, x8, #0
    ld2 {v5.2d, v6.2d}, [x8], x5
    V mov v0.16b, v6.16b
    VX sub x0, x8, #0
    ldr x8, =buf
    ld1 {v5.2s, v6.2s, v7.2s, v8.2s}, [x8]
    V mov v0.16b, v8.16b
    ld1 {v30.16b, v31.16b, v0.16b}, [x8]
    V mov v0.16b, v0.16b
    mov v0.16b, v3.16b
    V ld1 {v0.s}[2], [x8]
    mov v0.16b, v3.16b
    mov v5.16b, v3.16b
    ld2 {v5.b, v6.b}[14], [x8], #2
    V mov v0.16b, v5.16b
    VX sub x0, x8, #0
    ld3 {v5.d, v6.d, v7.d}[1], [x8]
    V mov v0.16b, v7.16b
    ld4 {v5.h, v6.h, v7.h, v8.h}[5], [x8]
    V mov v0.16b, v8.16b
    V ld1r {v0.4s}, [x8]
    ld2r {v5.8b, v6.8b}, [x8]
    V mov v0.16b, v6.16b
    ld3r {v5.2d, v6.2d, v7.2d}, [x8]
    V mov v0.16b, v7.16b
    ld4r {v5.8h, v6.8h, v7.8h, v8.8h}, [x8], #8
    V mov v0.16b, v8.16b
    ldr x8, =buf2
    st4 {v1.8b, v2.8b, v3.8b, v4.8b}, [x8]
    st3 {v1.s, v2.s, v3.s}[3], [x8], #12
    st2 {v1.8h, v2.8h}, [x8], #32
    st1 {v3.2d, v4.2d}, [x8]
    add x9, x8, #32
    st1 {v1.h}[6], [x9]
    ldr x8, =buf2
    V ldp q0, q5, [x8]
    V mov v0.16b, v5.16b
    V ldp q0, q5, [x8, #32]
    V mov v0.16b, v5.16b
    V ldp q0, q5, [x8, #64]
    V mov v0.16b, v5.16b
    SAY "page crossing"
    ldr x8, =buf3
    add x8, x8, #4096 - 5
    str q1, [x8]
    V ldr q0, [x8]
    st1 {v3.16b}, [x8]
    V ld1 {v0.2d}, [x8]
    sub x9, x8, #3
    V ldp d0, d5, [x9]
    SAY "crypto"
    mov v0.16b, v3.16b
    V aese v0.16b, v1.16b
    mov v0.16b, v3.16b
    V aesd v0.16b, v1.16b
    V aesmc v0.16b, v3.16b
    V aesimc v0.16b, v3.16b
    mov v0.16b, v3.16b
    V sha1c q0, s1, v2.4s
    mov v0.16b, v3.16b
    V sha1p q0, s1, v2.4s
    mov v0.16b, v3.16b
    V sha1m q0, s1, v2.4s
    V sha1h s0, s3
    mov v0.16b, v3.16b
    V sha1su0 v0.4s, v1.4s, v2.4s
    mov v0.16b, v3.16b
    V sha1su1 v0.4s, v1.4s
    mov v0.16b, v3.16b
    V sha256h q0, q1, v2.4s
    mov v0.16b, v3.16b
    V sha256h2 q0, q1, v2.4s
    mov v0.16b, v3.16b
    V sha256su0 v0.4s, v1.4s
    mov v0.16b, v3.16b
    V sha256su1 v0.4s, v1.4s, v2.4s
    SAY "undefined"
    .inst 0x4ee08420                 // add v0.2d with size 11, Q = 1 is ADD; Q = 0 is reserved:
    .inst 0x0ee08420                 //   add v0.1d, v1.1d, v0.1d: UNDEFINED
    .inst 0x0e205800                 // cnt v0.8b with size 00 is fine; size 01 (0x0e605800) reserved:
    .inst 0x0e605800
    .inst 0x5e205c00                 // scalar three-different SQDMULL with size 00: reserved
    .inst 0x6f00e400                 // movi v0.2d, #0
    .inst 0x2f07f400                 // fmov v0.2d with Q = 0: reserved
    mov x30, x29
    ret
    .balign 16
1:  .quad 0x0123456789abcdef, 0xfedcba9876543210

    .data
    .balign 16
buf:  .fill 256, 1, 0
buf2: .fill 256, 1, 0
    .balign 4096
buf3: .fill 8192, 1, 0
