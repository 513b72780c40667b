// Printing for the FP/AdvSIMD test images (fp.S, simd.S): v0 or x0 with the FPSR bits the
// instruction under test raised. Clobbers x0, x9-x13 like lib.S's routines; keeps every V register.
    .text
    .global putv, putx, put16

// "hhhhhhhhhhhhhhhh_llllllllllllllll ffffffff": v0's high and low doublewords, then FPSR
putv:
    stp     x29, x30, [sp, #-32]!
    str     x19, [sp, #16]
    mrs     x19, fpsr
    mov     x0, v0.d[1]
    bl      put16
    mov     w0, #'_'
    bl      putc
    mov     x0, v0.d[0]
    b       tail

// "xxxxxxxxxxxxxxxx ffffffff": x0, then FPSR
putx:
    stp     x29, x30, [sp, #-32]!
    str     x19, [sp, #16]
    mrs     x19, fpsr
tail:
    bl      put16
    mov     w0, #' '
    bl      putc
    mov     x0, x19
    mov     x10, #28
    bl      digits
    mov     w0, #'\n'
    bl      putc
    ldr     x19, [sp, #16]
    ldp     x29, x30, [sp], #32
    ret

put16:                               // x0 as 16 hex digits, no newline
    mov     x10, #60
digits:                              // x0's digits from bit x10 down
    mov     x9, #0x09000000
1:  lsr     x11, x0, x10
    and     x11, x11, #15
    cmp     x11, #10
    add     x12, x11, #'0'
    add     x13, x11, #('a' - 10)
    csel    x11, x12, x13, lo
    strb    w11, [x9]
    subs    x10, x10, #4
    b.ge    1b
    ret
