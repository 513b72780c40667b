// Shared runtime of the test images: boot, console on the PL011 data register, exception
// vectors that report and step over, PSCI SYSTEM_OFF. Written for baobab's AArch64 tests; the
// same image runs on qemu-system-aarch64 -M virt -cpu cortex-a53 -nographic -kernel X.elf.

    .section .text.boot
    .global _start
_start:
    adr     x1, vectors
    msr     vbar_el1, x1
    ldr     x1, =stack_top
    mov     sp, x1
    isb
    bl      main
    .global poweroff
poweroff:
    ldr     x0, =0x84000008          // PSCI SYSTEM_OFF
    hvc     #0
1:  b       1b

    .text
    .global putc
putc:                                // w0: byte
    mov     x9, #0x09000000
    strb    w0, [x9]
    ret

    .global puts
puts:                                // x0: NUL-terminated string
    mov     x9, #0x09000000
1:  ldrb    w10, [x0], #1
    cbz     w10, 2f
    strb    w10, [x9]
    b       1b
2:  ret

    .global puthex
puthex:                              // x0: printed as 16 hex digits and a newline
    mov     x9, #0x09000000
    mov     x10, #60
1:  lsr     x11, x0, x10
    and     x11, x11, #15
    cmp     x11, #10
    add     x12, x11, #'0'
    add     x13, x11, #('a' - 10)
    csel    x11, x12, x13, lo
    strb    w11, [x9]
    subs    x10, x10, #4
    b.ge    1b
    mov     w11, #'\n'
    strb    w11, [x9]
    ret

    .global putflags                 // the current NZCV as "nzcv" letters (upper case = set) and a newline
putflags:
    mrs     x14, nzcv
    mov     x9, #0x09000000
    mov     x10, #31
    adr     x12, flagnames
1:  lsr     x11, x14, x10
    and     x11, x11, #1
    ldrb    w13, [x12], #1
    cbz     x11, 2f
    sub     w13, w13, #32
2:  strb    w13, [x9]
    sub     x10, x10, #1
    cmp     x10, #27
    b.gt    1b
    mov     w13, #'\n'
    strb    w13, [x9]
    msr     nzcv, x14
    ret
flagnames: .ascii "nzcv"
    .balign 4

// ---- exception vectors: every entry saves the caller-saved registers and calls report ----
    .balign 2048
    .global vectors
vectors:
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .balign 128
    stp     x29, x30, [sp, #-256]!
    mov     x29, #\n
    b       handler
    .endr

handler:
    stp     x0, x1, [sp, #16]
    stp     x2, x3, [sp, #32]
    stp     x4, x5, [sp, #48]
    stp     x6, x7, [sp, #64]
    stp     x8, x9, [sp, #80]
    stp     x10, x11, [sp, #96]
    stp     x12, x13, [sp, #112]
    stp     x14, x15, [sp, #128]
    stp     x16, x17, [sp, #144]
    stp     x18, x19, [sp, #160]
    mov     x0, x29                  // vector number: 4 = current EL SPx sync, 5 = IRQ, ...
    ldr     x1, =exc_hook
    ldr     x1, [x1]
    cbz     x1, 1f
    blr     x1                       // a test's own handler: x0 = vector number
    b       2f
1:  bl      report
2:  ldp     x0, x1, [sp, #16]
    ldp     x2, x3, [sp, #32]
    ldp     x4, x5, [sp, #48]
    ldp     x6, x7, [sp, #64]
    ldp     x8, x9, [sp, #80]
    ldp     x10, x11, [sp, #96]
    ldp     x12, x13, [sp, #112]
    ldp     x14, x15, [sp, #128]
    ldp     x16, x17, [sp, #144]
    ldp     x18, x19, [sp, #160]
    ldp     x29, x30, [sp], #256
    eret

// the default: print "exc <vector> ESR FAR(for aborts) ELR SPSR", then step over the
// instruction unless it was SVC/HVC/SMC (ELR already past them) or an interrupt
    .global report
report:
    stp     x29, x30, [sp, #-16]!
    mov     x19, x0
    adr     x0, s_exc
    bl      puts
    mov     x0, x19
    bl      puthex
    mrs     x0, esr_el1
    bl      puthex
    mrs     x0, esr_el1
    lsr     x1, x0, #26
    cmp     x1, #0x20
    b.lt    1f
    cmp     x1, #0x25
    b.gt    1f
    mrs     x0, far_el1
    bl      puthex
1:  mrs     x0, elr_el1
    bl      puthex
    mrs     x0, spsr_el1
    bl      puthex
    ldr     x1, =resume_at           // a test asked to go on elsewhere
    ldr     x2, [x1]
    cbz     x2, 4f
    str     xzr, [x1]
    msr     elr_el1, x2
    b       3f
4:  and     x1, x19, #3
    cbnz    x1, 3f                   // IRQ/FIQ/SError: return to the interrupted instruction
    mrs     x0, esr_el1
    lsr     x1, x0, #26
    cmp     x1, #0x15
    b.eq    3f
    cmp     x1, #0x16
    b.eq    3f
    mrs     x0, elr_el1
    add     x0, x0, #4
    msr     elr_el1, x0
3:  ldp     x29, x30, [sp], #16
    ret
s_exc: .asciz "exc "
    .balign 4

    .data
    .balign 8
    .global exc_hook, resume_at
exc_hook: .quad 0
resume_at: .quad 0
