// Branches: B, BL, B.cond over every condition and flag combination, CBZ/CBNZ (W and X),
// TBZ/TBNZ on low and high bits, BR, BLR, RET, and a branch far away.
#include "macros.inc"
    .text
    .global main
main:
    SAY "b.cond"
    // for each NZCV value 0..15, print one character per condition 0..15: 1 taken, 0 not
    mov     x19, #0
1:  lsl     x1, x19, #28
    msr     nzcv, x1
    .irp c, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al, nv
    mov     w0, #'1'
    b.\c    2f
    mov     w0, #'0'
2:  bl      putc
    msr     nzcv, x1
    .endr
    mov     w0, #'\n'
    bl      putc
    add     x19, x19, #1
    cmp     x19, #16
    b.lt    1b
    SAY "cbz/tbz"
    LI x20, 0x8000000100000000
    mov     x0, #0
    cbz     w20, 3f
    orr     x0, x0, #1
3:  cbnz    x20, 4f
    orr     x0, x0, #2
4:  cbz     x20, 5f
    orr     x0, x0, #4
5:  tbnz    x20, #63, 6f
    orr     x0, x0, #8
6:  tbz     x20, #32, 7f
    orr     x0, x0, #16
7:  tbnz    w20, #0, 8f
    orr     x0, x0, #32
8:  tbz     x20, #33, 9f
    orr     x0, x0, #64
9:  bl      puthex
    SAY "calls"
    adr     x21, leaf
    blr     x21
    bl      puthex
    adr     x22, 10f
    br      x22
    mov     x0, #0xbad
    bl      puthex
10: bl      far_away
    bl      puthex
    b       poweroff

leaf:
    mov     x0, #0x1eaf
    ret

    .section .text.far, "ax"
    .skip   0x9000
far_away:
    mov     x0, #0xfa
    mov     x1, x30
    ret     x1
