// Exceptions: SVC/BRK/UDF/SMC syndromes and return addresses, PSCI over HVC, external aborts on
// loads and stores, PC alignment, EL0 entered by ERET (and what traps there: SVC to the lower-EL
// vectors, CTR_EL0 and DAIF with SCTLR_EL1.UCT/UMA clear, EL1 registers, FP with CPACR_EL1.FPEN
// clear), an illegal exception return, and the FP trap at EL1. (MSR DAIFSet at EL0 is left to
// the unit tests: QEMU 7.2 swaps Op1 and Op2 in that trap's syndrome.)
#include "macros.inc"
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
    SAY "calls"
    svc     #0x42
    brk     #3
    .inst   0x00000000
    smc     #0
    LI x0, 0x84000000
    hvc     #0
    bl      puthex
    mov     x0, #5
    hvc     #7
    bl      puthex
    LI x0, 0x8400000a
    LI x1, 0x84000008
    hvc     #0
    bl      puthex
    LI x0, 0x8400000a
    LI x1, 0x84000055
    hvc     #0
    bl      puthex
    SAY "aborts"
    mov     x1, #0x50000000
    ldr     x0, [x1, #8]
    str     w0, [x1, #3]
    mov     x1, #0x50000000
    RESUME  1f
    br      x1
1:  adr     x1, 2f
    add     x1, x1, #2
    RESUME  2f
    br      x1
2:  SAY "el0"
    adr     x1, el0
    msr     elr_el1, x1
    msr     spsr_el1, xzr
    LI x1, 0x40070000
    msr     sp_el0, x1
    eret
back:
    R mrs x0, CurrentEL
    SAY "illegal return"
    adr     x1, 3f
    msr     elr_el1, x1
    mov     x1, #0x3c9
    msr     spsr_el1, x1
    eret
3:  nop
    R mrs x0, CurrentEL
    SAY "fp"
    fmov    d0, x1
    mov     x1, #(3 << 20)
    msr     cpacr_el1, x1
    isb
    mrs     x0, fpcr
    R mov x0, #0x600d
    b       poweroff

el0:
    mov     x0, #0xe10
    svc     #1
    mrs     x0, ctr_el0
    mrs     x1, daif
    mrs     x2, sctlr_el1
    fmov    d0, x1
    mrs     x3, nzcv
    mrs     x4, tpidr_el0
    mrs     x5, cntvct_el0
    dc      zva, x4
    ic      ivau, x4
    svc     #0xff

// report each exception; SVC #0xff from EL0 returns to EL1 at `back`, and an illegal state is cleared
hook:
    stp     x29, x30, [sp, #-16]!
    bl      report
    mrs     x1, esr_el1
    LI x2, 0x560000ff
    cmp     x1, x2
    b.ne    1f
    adr     x1, back
    msr     elr_el1, x1
    mov     x1, #0x3c5
    msr     spsr_el1, x1
1:  mrs     x1, spsr_el1
    and     x1, x1, #~(1 << 20)
    msr     spsr_el1, x1
    ldp     x29, x30, [sp], #16
    ret
