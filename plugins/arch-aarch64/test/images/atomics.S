// Armv8.1 LSE atomics and CAS/CASP at every size with acquire/release forms. The A53 is
// Armv8.0, so QEMU runs this image with -cpu max; baobab's hart executes LSE whatever it reports.
#include "macros.inc"
    .text
    .global main
main:
    adr     x19, buf
    LI x1, 0x00000000000000f0
    LI x2, 0x8000000000000001
    LI x3, 0x7ffffffffffffff0
    SAY "ld<op>"
    str     x3, [x19]
    R ldadd x1, x0, [x19]
    R ldr x0, [x19]
    R ldclral x2, x0, [x19]
    R ldr x0, [x19]
    R ldeora x3, x0, [x19]
    R ldr x0, [x19]
    R ldsetl x2, x0, [x19]
    R ldr x0, [x19]
    R ldsmax x1, x0, [x19]
    R ldr x0, [x19]
    R ldsmin x2, x0, [x19]
    R ldr x0, [x19]
    R ldumax x1, x0, [x19]
    R ldr x0, [x19]
    R ldumin x1, x0, [x19]
    R ldr x0, [x19]
    R swpal x3, x0, [x19]
    R ldr x0, [x19]
    stadd x1, [x19]
    R ldr x0, [x19]
    SAY "sizes"
    str     x3, [x19]
    R ldaddb w1, w0, [x19]
    R ldr x0, [x19]
    R ldsmaxh w2, w0, [x19]
    R ldr x0, [x19]
    R ldsminb w1, w0, [x19, #0]
    R ldr x0, [x19]
    R lduminh w1, w0, [x19]
    R ldr x0, [x19]
    R ldsmax w2, w0, [x19]
    R ldr x0, [x19]
    R swpb w2, w0, [x19]
    R ldr x0, [x19]
    R swph w3, w0, [x19]
    R ldr x0, [x19]
    R ldeor w3, w0, [x19]
    R ldr x0, [x19]
    SAY "cas"
    str     x3, [x19]
    mov     x0, x3
    cas     x0, x1, [x19]
    bl      puthex
    R ldr x0, [x19]
    mov     x0, x3
    casal   x0, x2, [x19]
    bl      puthex
    R ldr x0, [x19]
    mov     x0, #1
    casb    w0, w2, [x19]
    bl      puthex
    mov     x0, #0xf0
    casah   w0, w2, [x19]
    bl      puthex
    R ldr x0, [x19]
    mov     x0, #0xf0
    caslb   w0, w2, [x19]
    bl      puthex
    R ldr x0, [x19]
    mov     w0, w1
    cas     w0, w3, [x19]
    bl      puthex
    SAY "casp"
    stp     x1, x2, [x19]
    mov     x4, x1
    mov     x5, x2
    mov     x6, x3
    mov     x7, x3
    caspal  x4, x5, x6, x7, [x19]
    R mov x0, x4
    R mov x0, x5
    R ldr x0, [x19, #8]
    mov     x4, #0
    caspa   x4, x5, x6, x7, [x19]
    R mov x0, x4
    R ldr x0, [x19]
    mov     x4, x3
    mov     x5, x3
    mov     x6, x1
    mov     x7, x2
    casp    w4, w5, w6, w7, [x19]
    R mov x0, x4
    R ldr x0, [x19]
    b poweroff
    .data
    .balign 16
buf: .skip 64
