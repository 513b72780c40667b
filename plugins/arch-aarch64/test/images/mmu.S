// Stage-1 translation, 4 KiB granule, TTBR0 and TTBR1 with T0SZ = T1SZ = 25 (walks start at
// level 1): block and page descriptors, an alias page, translation faults at levels 1-3 and for
// an address outside both halves, access flag and permission faults (read-only, EL1-only at EL0
// and through LDTR, PXN), TLBI after a remap, AT S1E1R into PAR_EL1.
#include "macros.inc"
    .macro DESC table, index, desc
    adr     x0, \table
    mov     x1, #\index
    LI x2, \desc
    str     x2, [x0, x1, lsl #3]
    .endm
    .macro RESUME label
    adr     x27, \label
    ldr     x26, =resume_at
    str     x27, [x26]
    .endm
    .text
    .global main
main:
    ldr     x1, =exc_hook
    adr     x2, hook
    str     x2, [x1]
    // L1: [0] 1 GiB device block at 0 (the UART), [1] → L2, [2] invalid
    adr     x0, l1
    mov     x2, #0x401
    str     x2, [x0]
    adr     x2, l2
    orr     x2, x2, #3
    str     x2, [x0, #8]
    // L2: [0] 2 MiB normal block at 0x40000000 (this image; EL1 only, UXN), [1] → L3, [2] invalid
    adr     x0, l2
    LI x2, 0x0040000040000705
    str     x2, [x0]
    adr     x2, l3
    orr     x2, x2, #3
    str     x2, [x0, #8]
    // L3 for 0x40200000: [0] alias of page_a, [1] read-only alias of page_a, [2] AF clear,
    // [3] invalid, [4] EL0 read/write, [5] PXN
    adr     x0, l3
    adr     x3, page_a
    mov     x4, #0x707
    orr     x2, x3, x4
    str     x2, [x0]
    mov     x4, #0x787                 // AP = 10: EL1 read-only
    orr     x2, x3, x4
    str     x2, [x0, #8]
    mov     x4, #0x307                 // AF = 0
    orr     x2, x3, x4
    str     x2, [x0, #16]
    mov     x4, #0x747                 // AP = 01: EL0 and EL1 read/write
    orr     x2, x3, x4
    str     x2, [x0, #32]
    adr     x3, code_page
    mov     x4, #0x707
    orr     x2, x3, x4
    orr     x2, x2, #(1 << 53)         // PXN
    str     x2, [x0, #40]
    // MAIR: attr0 device-nGnRnE, attr1 normal write-back; TCR: T0SZ = T1SZ = 25, TG1 = 4K, IPS = 40 bits
    LI x1, 0xff00
    msr     mair_el1, x1
    LI x1, 0x280190019
    msr     tcr_el1, x1
    adr     x1, l1
    msr     ttbr0_el1, x1
    msr     ttbr1_el1, x1
    isb
    mrs     x1, sctlr_el1
    orr     x1, x1, #1
    msr     sctlr_el1, x1
    isb
    SAY "mmu on"
    R mrs x0, sctlr_el1
    SAY "alias"
    LI x20, 0x40200000
    LI x1, 0x5a5a5a5a12345678
    str     x1, [x20]
    adr     x3, page_a
    R ldr x0, [x3]
    R ldr x0, [x20, #0x1000]
    LI x21, 0xffffff8040200000
    R ldr x0, [x21]
    SAY "faults"
    str     x1, [x20, #0x1000]
    R ldr x0, [x20, #0x2000]
    R ldr x0, [x20, #0x3000]
    LI x22, 0x40400000
    R ldr x0, [x22]
    LI x22, 0x80000000
    R ldr x0, [x22]
    LI x22, 0x0000008000000000
    R ldr x0, [x22]
    LI x22, 0x00ffff8000000000
    R ldr x0, [x22]
    add     x23, x20, #0x1000
    R ldtr x0, [x23]
    add     x23, x20, #0x4000
    R ldtr x0, [x23]
    add     x1, x20, #0x5000
    RESUME  1f
    blr     x1
1:  SAY "el0"
    adr     x1, el0_code
    msr     elr_el1, x1
    msr     spsr_el1, xzr
    eret
back:
    SAY "remap"
    adr     x0, l3
    adr     x3, page_b
    mov     x4, #0x707
    orr     x2, x3, x4
    str     x2, [x0]
    dsb     ishst
    tlbi    vmalle1
    dsb     ish
    isb
    R ldr x0, [x20]
    SAY "at"
    at      s1e1r, x20
    isb
    mrs     x0, par_el1
    LI x1, 0x0000fffffffff001
    and     x0, x0, x1
    adr     x1, page_b
    R sub x0, x0, x1
    add     x2, x20, #0x3000
    at      s1e1w, x2
    isb
    R mrs x0, par_el1
    add     x2, x20, #0x1000
    at      s1e1w, x2
    isb
    R mrs x0, par_el1
    b       poweroff

el0_code:
    nop

// report each exception; an EL0 instruction abort comes back to EL1 at `back`
hook:
    stp     x29, x30, [sp, #-16]!
    bl      report
    mrs     x1, esr_el1
    lsr     x1, x1, #26
    cmp     x1, #0x20
    b.ne    1f
    adr     x1, back
    msr     elr_el1, x1
    mov     x1, #0x3c5
    msr     spsr_el1, x1
1:  ldp     x29, x30, [sp], #16
    ret

    .balign 4096
code_page:
    ret
    .data
    .balign 4096
l1: .skip 4096
l2: .skip 4096
l3: .skip 4096
page_a: .quad 0x1111111111111111
    .balign 4096
page_b: .quad 0x2222222222222222
    .balign 4096
