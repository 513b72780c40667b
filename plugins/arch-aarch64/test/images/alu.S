// Integer data processing: add/sub (immediate, shifted, extended, with carry) and their flags,
// logical (immediate with every bitmask shape, shifted), moves, PC-relative, bitfields, extract,
// conditional select and compare, 1-, 2- and 3-source ops, CRC32; W forms' zero-extension.
#include "macros.inc"
    .text
    .global main
main:
    SAY "add/sub"
    LI x1, 0x7fffffffffffffff
    LI x2, 0xffffffffffffffff
    RF adds x0, x1, #1
    RF adds x0, x2, #1
    RF negs x0, x1
    RF subs x0, x1, x1
    RF cmn x2, #1
    RF adds w0, w1, #1
    RF adds w0, w2, #1
    RF subs w0, w1, w2
    R add w0, w2, #0x123, lsl #12
    R sub x0, x1, #0xfff, lsl #12
    RF adds x0, x1, x2, lsl #63
    RF subs x0, x2, x1, asr #3
    RF adds w0, w1, w2, lsr #31
    LI x3, 0x80000000ffff8001
    R add x0, x1, w3, sxth #2
    R add x0, x1, w3, uxtb #1
    R sub x0, x1, w3, sxtw #4
    R add x0, x3, x3, uxtx #3
    R add w0, w1, w3, uxth
    RF cmp x3, w3, sxtb
    mov x4, sp
    add sp, sp, #16
    R mov x0, sp
    sub sp, sp, #16
    R add x0, sp, w3, uxtw
    R sub x0, sp, x4
    SAY "carry"
    LI x5, 0xffffffffffffffff
    adds x0, x5, #1
    RF adc x0, x5, x1
    RF adcs x0, x1, xzr
    cmp x0, x0
    RF sbcs x0, x1, x5
    RF sbc w0, w1, w5
    RF ngcs x0, x1
    cmn x5, #1
    RF adcs w0, w5, w5
    SAY "logical"
    LI x6, 0x123456789abcdef0
    R and x0, x6, #0xff00ff00ff00ff00
    R and x0, x6, #0x8000000000000001
    R orr w0, w6, #0x55555555
    R eor x0, x6, #0x00ffff0000ffff00
    R and x0, x6, #0x7ffffffffffffffe
    R eor w0, w6, #0xc000003f
    R orr x0, xzr, #0x3333333333333333
    RF ands x0, x6, #0xf0000000000000ff
    RF tst x6, #0x8
    RF ands w0, w6, #0x80000000
    R bic x0, x6, x6, lsr #4
    R orn w0, w6, w6, ror #7
    R eon x0, x6, x6, asr #60
    RF bics x0, x6, x6
    R mvn x0, x6
    R mov w0, w6
    SAY "moves"
    R movz x0, #0xbeef, lsl #48
    R movn x0, #0x1234, lsl #16
    R movn w0, #0x1234, lsl #16
    mov x0, x6
    R movk x0, #0xcafe, lsl #32
    mov x0, x6
    R movk w0, #0xcafe, lsl #16
    R mov x0, #-2
    adr x0, main
    adr x1, 1f
1:  R sub x0, x1, x0
    adrp x0, main
    R and x0, x0, #0xfff
    SAY "bitfield"
    R ubfx x0, x6, #4, #12
    R sbfx x0, x6, #60, #4
    R sbfx w0, w6, #4, #4
    R lsl x0, x6, #7
    R lsr w0, w6, #3
    R asr x0, x5, #63
    R asr w0, w6, #31
    mov x0, x6
    R bfi x0, x5, #8, #8
    mov x0, x6
    R bfxil x0, x6, #32, #16
    mov x0, x6
    R bfi w0, w5, #28, #4
    R ubfiz x0, x6, #40, #20
    R sbfiz x0, x6, #40, #20
    R uxtb w0, w6
    R sxth x0, w6
    R sxtw x0, w6
    R sxtb w0, w3
    R extr x0, x6, x3, #16
    R extr w0, w6, w3, #8
    R ror x0, x6, #36
    SAY "csel"
    cmp x6, x3
    R csel x0, x6, x3, gt
    R csinc x0, x6, x3, gt
    R csinc x0, x6, x3, le
    R csinv w0, w6, w3, le
    R csneg x0, x6, x3, le
    R cset x0, ne
    R csetm w0, mi
    R cneg x0, x6, lt
    SAY "ccmp"
    cmp x1, #0
    RF ccmp x6, x3, #5, ne
    RF ccmp x6, x3, #5, eq
    RF ccmn w6, #3, #2, mi
    RF ccmn x6, #31, #0, pl
    RF ccmp w3, w3, #15, al
    SAY "1-source"
    R rbit x0, x6
    R rbit w0, w6
    R rev16 x0, x6
    R rev32 x0, x6
    R rev x0, x6
    R rev w0, w6
    R rev16 w0, w6
    R clz x0, x6
    R clz w0, wzr
    R clz x0, xzr
    R cls x0, x5
    R cls x0, x3
    R cls w0, w6
    SAY "2-source"
    mov x7, #7
    mov x8, #-2
    R udiv x0, x6, x7
    R sdiv x0, x8, x7
    R sdiv x0, x5, x7
    R udiv x0, x6, xzr
    LI x16, 0x8000000000000000
    R sdiv x0, x16, x5
    R sdiv w0, w16, w5
    LI x17, 0x80000000
    R sdiv w0, w17, w5
    R udiv w0, w6, w7
    R sdiv x0, x6, x8
    R lsl x0, x6, x7
    R lsr x0, x6, x8
    R asr x0, x3, x8
    R ror x0, x6, x8
    R lsl w0, w6, w8
    R asr w0, w3, w7
    R ror w0, w6, w7
    SAY "3-source"
    R mul x0, x6, x6
    R madd x0, x6, x7, x3
    R msub x0, x6, x7, x3
    R mneg w0, w6, w7
    R smaddl x0, w6, w8, x1
    R umaddl x0, w6, w8, x1
    R smsubl x0, w3, w3, xzr
    R umsubl x0, w3, w3, xzr
    R smulh x0, x6, x8
    R umulh x0, x6, x8
    R smulh x0, x16, x16
    R umulh x0, x5, x5
    R smull x0, w8, w8
    R umull x0, w8, w8
    SAY "crc32"
    mov w0, #0
    R crc32b w0, w0, w6
    R crc32h w0, w0, w6
    R crc32w w0, w0, w6
    R crc32x w0, w0, x6
    R crc32cb w0, w5, w6
    R crc32ch w0, w5, w6
    R crc32cw w0, w5, w6
    R crc32cx w0, w5, x6
    b poweroff
