// System registers and PSTATE: identification registers as a cortex-a53 on QEMU virt reports
// them, read/write round trips with their masks, SP banking through SPSel and SP_EL0, DAIF and
// NZCV views, MSR immediate, DC ZVA, AT, the exclusive monitor, load-acquire/store-release.
#include "macros.inc"
    .text
    .global main
main:
    SAY "id"
    R mrs x0, CurrentEL
    R mrs x0, SPSel
    R mrs x0, DAIF
    R mrs x0, midr_el1
    R mrs x0, mpidr_el1
    R mrs x0, revidr_el1
    R mrs x0, ctr_el0
    R mrs x0, dczid_el0
    R mrs x0, clidr_el1
    R mrs x0, id_aa64pfr0_el1
    R mrs x0, id_aa64pfr1_el1
    R mrs x0, id_aa64dfr0_el1
    R mrs x0, id_aa64isar0_el1
    R mrs x0, id_aa64isar1_el1
    R mrs x0, id_aa64mmfr0_el1
    R mrs x0, id_aa64mmfr1_el1
    R mrs x0, id_pfr0_el1
    R mrs x0, id_isar5_el1
    R mrs x0, mvfr0_el1
    R mrs x0, S3_0_C0_C7_7
    R mrs x0, sctlr_el1
    R mrs x0, cntfrq_el0
    R mrs x0, cpacr_el1
    R mrs x0, tcr_el1
    R mrs x0, isr_el1
    R mrs x0, oslsr_el1
    R mrs x0, aidr_el1
    mov x1, #0
    msr csselr_el1, x1
    R mrs x0, ccsidr_el1
    mov x1, #1
    msr csselr_el1, x1
    R mrs x0, ccsidr_el1
    mov x1, #2
    msr csselr_el1, x1
    R mrs x0, ccsidr_el1
    SAY "round trips"
    LI x1, 0xfedcba9876543210
    msr tpidr_el0, x1
    R mrs x0, tpidr_el0
    msr tpidr_el1, x1
    R mrs x0, tpidr_el1
    msr tpidrro_el0, x1
    R mrs x0, tpidrro_el0
    msr contextidr_el1, x1
    R mrs x0, contextidr_el1
    msr mair_el1, x1
    R mrs x0, mair_el1
    msr far_el1, x1
    R mrs x0, far_el1
    msr elr_el1, x1
    R mrs x0, elr_el1
    msr fpcr, x1
    R mrs x0, fpcr
    msr fpsr, x1
    R mrs x0, fpsr
    mrs x2, vbar_el1
    msr vbar_el1, x1
    R mrs x0, vbar_el1
    msr vbar_el1, x2
    msr nzcv, x1
    R mrs x0, nzcv
    SAY "daif"
    msr daifclr, #0xf
    R mrs x0, daif
    msr daifset, #5
    R mrs x0, daif
    msr daifclr, #4
    R mrs x0, daif
    msr daif, x1
    R mrs x0, daif
    msr daifset, #0xf
    SAY "sp banks"
    mov x3, sp
    LI x4, 0x40001230
    msr sp_el0, x4
    R mrs x0, sp_el0
    msr spsel, #0
    R mov x0, sp
    R mrs x0, spsel
    LI x5, 0x40002000
    mov sp, x5
    msr spsel, #1
    R sub x0, sp, x3
    R mrs x0, sp_el0
    mov x5, #0
    msr spsel, x5
    R mov x0, sp
    msr spsel, #1
    SAY "dc zva"
    adr x19, buf
    mov x1, #-1
    .irp o, 0, 8, 16, 24, 32, 40, 48, 56, 64, 72
    str x1, [x19, #\o]
    .endr
    add x2, x19, #37
    dc zva, x2
    R ldr x0, [x19]
    R ldr x0, [x19, #56]
    R ldr x0, [x19, #64]
    dc civac, x19
    dc cvac, x19
    ic iallu
    dsb sy
    isb
    SAY "exclusive"
    LI x1, 0x1111
    LI x2, 0x2222
    str x1, [x19]
    ldxr x3, [x19]
    stxr w4, x2, [x19]
    R mov x0, x4
    R ldr x0, [x19]
    stxr w4, x1, [x19]
    R mov x0, x4
    ldaxr w3, [x19]
    clrex
    stlxr w4, w1, [x19]
    R mov x0, x4
    ldxr x3, [x19]
    str x1, [x19]
    stxr w4, x2, [x19]
    R mov x0, x4
    R ldr x0, [x19]
    ldxrb w3, [x19]
    stxrb w4, w2, [x19]
    R mov x0, x4
    ldxrh w3, [x19, #0]
    stxrh w4, w2, [x19]
    R mov x0, x4
    ldxp x5, x6, [x19]
    stxp w4, x2, x1, [x19]
    R mov x0, x4
    R ldr x0, [x19, #8]
    ldaxp w5, w6, [x19]
    R orr x0, x5, x6, lsl #32
    stlxp w4, w1, w2, [x19]
    R mov x0, x4
    R ldr x0, [x19]
    SAY "acquire/release"
    LI x1, 0xabcdef0123456789
    stlr x1, [x19]
    R ldar w0, [x19]
    add x20, x19, #8
    stlrb w1, [x20]
    R ldarb w0, [x20]
    add x20, x19, #10
    stlrh w1, [x20]
    R ldarh w0, [x20]
    R ldar x0, [x19]
    b poweroff
    .data
    .balign 64
buf: .skip 256
