// Loads and stores: every size and sign-extension, unsigned offset, unscaled, pre- and
// post-index (with the base written back), register offset with each extend and shift, literal
// loads, LDP/STP (offset, pre, post, LDPSW, W pairs, LDNP/STNP), misaligned accesses (allowed
// with the MMU off and SCTLR_EL1.A clear), PRFM.
#include "macros.inc"
    .text
    .global main
main:
    adr     x19, buf
    LI x1, 0x8899aabbccddeeff
    LI x2, 0x0123456789abcdef
    SAY "sizes"
    str     x1, [x19]
    str     x2, [x19, #8]
    R ldrb w0, [x19]
    R ldrsb x0, [x19]
    R ldrsb w0, [x19, #1]
    R ldrh w0, [x19, #2]
    R ldrsh x0, [x19, #6]
    R ldrsh w0, [x19, #4]
    R ldr w0, [x19, #4]
    R ldrsw x0, [x19, #4]
    R ldrsw x0, [x19, #8]
    R ldr x0, [x19, #8]
    strb    w2, [x19, #1]
    strh    w2, [x19, #4]
    str     w2, [x19, #8]
    R ldr x0, [x19]
    R ldr x0, [x19, #8]
    SAY "unscaled"
    add     x20, x19, #16
    R ldur x0, [x20, #-13]
    R ldursw x0, [x20, #-12]
    R ldurh w0, [x20, #-1]
    stur    x1, [x20, #-3]
    R ldr x0, [x19, #8]
    R ldr x0, [x19, #16]
    SAY "index"
    mov     x20, x19
    R ldr x0, [x20, #8]!
    R sub x0, x20, x19
    R ldrb w0, [x20], #-5
    R sub x0, x20, x19
    str     x2, [x20, #13]!
    R sub x0, x20, x19
    strh    w1, [x20], #3
    R sub x0, x20, x19
    R ldr x0, [x19, #8]
    SAY "register offset"
    mov     x21, #3
    mov     x22, #-1
    R ldr x0, [x19, x21, lsl #3]
    R ldrb w0, [x19, x21]
    R ldrh w0, [x19, w21, uxtw #1]
    R ldr w0, [x19, w22, sxtw #2]
    R ldrsb x0, [x19, x22, sxtx]
    LI x23, 0x100000003
    R ldr x0, [x19, w23, uxtw #3]
    str     x1, [x19, x21, lsl #3]
    R ldr x0, [x19, #24]
    SAY "literal"
    R ldr x0, lit64
    R ldr w0, lit64
    R ldrsw x0, lit32
    prfm    pldl1keep, lit64
    prfm    pstl2strm, [x19, #64]
    prfm    plil3keep, [x19, x21]
    SAY "pairs"
    stp     x1, x2, [x19, #32]
    R ldr x0, [x19, #40]
    ldp     x3, x4, [x19, #32]
    R eor x0, x3, x4
    ldp     w3, w4, [x19, #32]
    R orr x0, x3, x4, lsl #32
    ldpsw   x3, x4, [x19, #32]
    R eor x0, x3, x4
    mov     x20, x19
    stp     w2, w1, [x20, #-8]!
    R sub x0, x20, x19
    ldp     x3, x4, [x20], #16
    R sub x0, x20, x19
    R mov x0, x3
    stnp    x2, x1, [x19, #48]
    ldnp    x3, x4, [x19, #48]
    R sub x0, x3, x4
    stp     xzr, x2, [x19, #64]
    R ldr x0, [x19, #64]
    SAY "misaligned"
    R ldr x0, [x19, #1]
    R ldr w0, [x19, #3]
    R ldrh w0, [x19, #7]
    add     x20, x19, #0xfff
    and     x20, x20, #~0xfff
    str     x2, [x20, #-3]
    R ldr x0, [x20, #-3]
    R ldr w0, [x20, #-2]
    sub     x21, x20, #12
    ldp     x3, x4, [x21]
    R eor x0, x3, x4
    b       poweroff

    .balign 8
lit64: .quad 0xfedcba9876543210
lit32: .word 0x80000001
    .data
    .balign 16
buf: .skip 8192
