// AArch64 guests of a GICv3 VM for the hypervisor tests (../../hyp-gicv3.test.ts), variants by -D:
//   V3SENDER  IPC notify (HVC fid 1, ipc 0, event 0), then idle
//   V3SMP     two vCPUs on the vGICv3: vCPU 0 prints what the emulated distributor and
//             redistributors report, takes three CNTV ticks (PPI 27, enabled in its
//             redistributor), then the IPC's SPI 52 (routed to it by GICD_IROUTER), starts vCPU 1
//             with PSCI CPU_ON and sends it SGI 3 through ICC_SGI1R_EL1; vCPU 1 answers with SGI 4.
// Interrupts are group 1, acknowledged with ICC_IAR1_EL1 and ended with ICC_EOIR1_EL1 (the ICV_
// registers under the hypervisor). UART: a PL011 at 0x09000000; vGIC: GICD at 0x08000000, the
// redistributors from 0x080a0000 (the GICv3 board's own addresses).
#define UART 0x09000000
#define GICD 0x08000000
#define GICR 0x080a0000
#define GICR_FRAME 0x20000
#define NAME_STR(x) #x
#define NAME(x) NAME_STR(x)

    .section .text.boot
    .globl _start
_start:
    mrs     x19, mpidr_el1
    and     x19, x19, #0xff
    mov     x20, x0                 // x0 at entry: the DTB (boot vCPU) or the CPU_ON context
    cbnz    x19, secondary
    ldr     x0, =stack0
    mov     sp, x0
    ldr     x0, =vectors
    msr     vbar_el1, x0
    isb
    adr     x0, msg_hello
    bl      puts
#ifdef V3SENDER
    mov     x0, #1                  // Bao IPC notify
    mov     x1, #0                  // ipc index 0
    mov     x2, #0                  // event 0
    hvc     #0
    mov     x21, x0
    adr     x0, msg_notified
    bl      puts
    mov     x0, x21
    bl      puthex
#endif
#ifdef V3SMP
    mrs     x0, icc_sre_el1         // SRE, DFB, DIB: the system register interface is on
    bl      puthex
    ldr     x21, =GICD
    ldr     w0, [x21, #4]           // GICD_TYPER
    bl      puthex
    mov     w1, #0x12               // GICD_CTLR: ARE, EnableGrp1
    str     w1, [x21]
    ldr     w0, [x21]
    bl      puthex
    ldr     x22, =GICR
    ldr     x0, [x22, #8]           // GICR_TYPER of vCPU 0's redistributor
    bl      puthex
    add     x1, x22, #GICR_FRAME
    ldr     x0, [x1, #8]            // vCPU 1's: Processor_Number 1, Last
    bl      puthex
    bl      gic_cpu_init
    mov     w1, #-1                 // every SPI of the first word group 1
    str     w1, [x21, #0x84]        // GICD_IGROUPR1
    mov     x1, #(0x6000 + 8 * 52)
    str     xzr, [x21, x1]          // GICD_IROUTER<52>: affinity 0, vCPU 0
    mov     w1, #(1 << (52 - 32))
    str     w1, [x21, #0x104]       // GICD_ISENABLER1
    bl      timer_arm
1:  msr     daifset, #2             // check with IRQs masked, then wait: nothing is lost
    ldr     x1, =ticks
    ldr     w1, [x1]
    cmp     w1, #3
    b.hs    2f
    wfi
    msr     daifclr, #2
    isb
    b       1b
2:  adr     x0, msg_ticks
    bl      puts
1:  msr     daifset, #2             // the IPC's interrupt: pending since the sender's notify
    ldr     x1, =ipcs
    ldr     w1, [x1]
    cbnz    w1, 2f
    wfi
    msr     daifclr, #2
    isb
    b       1b
2:  adr     x0, msg_ipc
    bl      puts
    ldr     x0, =0xc4000003         // PSCI CPU_ON64
    mov     x1, #1                  // vMPIDR of vCPU 1
    ldr     x2, =_start
    ldr     x3, =0x1234             // context id: the new vCPU's x0
    smc     #0
1:  ldr     x1, =ready              // vCPU 1's interface is up
    ldr     w1, [x1]
    cbz     w1, 1b
    ldr     x0, =((3 << 24) | (1 << 1)) // ICC_SGI1R_EL1: SGI 3, Aff3.2.1 = 0, TargetList {1}
    msr     icc_sgi1r_el1, x0
1:  msr     daifset, #2             // its answer, SGI 4
    ldr     x1, =sgis
    ldr     w1, [x1]
    cbnz    w1, 2f
    wfi
    msr     daifclr, #2
    isb
    b       1b
2:  adr     x0, msg_done
    bl      puts
#endif
park:
    wfi
    b       park

secondary:                          // vCPU 1 after CPU_ON
    ldr     x0, =stack1
    mov     sp, x0
    ldr     x0, =vectors
    msr     vbar_el1, x0
    isb
    bl      gic_cpu_init
    ldr     x1, =ready
    mov     w2, #1
    str     w2, [x1]
    msr     daifclr, #2
    b       park

// ---- the vGICv3 ----
gic_cpu_init:                       // this vCPU's redistributor (frame Aff0) and CPU interface
    mrs     x2, mpidr_el1
    and     x2, x2, #0xff
    ldr     x1, =GICR
    add     x1, x1, x2, lsl #17     // 128 KiB frames
    ldr     w3, [x1, #0x14]         // GICR_WAKER: clear ProcessorSleep, wait for ChildrenAsleep
    and     w3, w3, #~2
    str     w3, [x1, #0x14]
1:  ldr     w3, [x1, #0x14]
    tbnz    w3, #2, 1b
    add     x1, x1, #0x10000        // SGI_base
    mov     w3, #-1
    str     w3, [x1, #0x80]         // GICR_IGROUPR0: group 1
    ldr     w3, =((1 << 27) | (1 << 4) | (1 << 3))
    str     w3, [x1, #0x100]        // GICR_ISENABLER0: PPI 27, SGIs 3 and 4
    mov     x3, #0xff
    msr     icc_pmr_el1, x3
    mov     x3, #1
    msr     icc_igrpen1_el1, x3
    isb
    ret
timer_arm:                          // CNTV fires in 1 ms (62 500 ticks at 62.5 MHz)
    ldr     x1, =62500
    msr     cntv_tval_el0, x1
    mov     x1, #1
    msr     cntv_ctl_el0, x1
    isb
    ret

irq_handler:
    stp     x29, x30, [sp, #-16]!
    stp     x0, x1, [sp, #-16]!
    stp     x2, x3, [sp, #-16]!
    stp     x4, x5, [sp, #-16]!
    stp     x9, x10, [sp, #-16]!
    stp     x11, x12, [sp, #-16]!
    stp     x13, x14, [sp, #-16]!
    stp     x15, x16, [sp, #-16]!
    mrs     x4, icc_iar1_el1
    and     x5, x4, #0xffffff
    cmp     x5, #1020
    b.hs    9f
    mrs     x0, mpidr_el1
    tst     x0, #0xff
    adr     x0, msg_irq
    adr     x1, msg_cpu1_irq
    csel    x0, x0, x1, eq
    bl      puts_nonl
    mov     x0, x5
    bl      puthex
    cmp     x5, #27
    b.ne    1f
    msr     cntv_ctl_el0, xzr       // the tick is served: stop the timer before the EOI
    isb
    ldr     x1, =ticks
    b       8f
1:  cmp     x5, #52
    b.ne    2f
    ldr     x1, =ipcs
    b       8f
2:  cmp     x5, #3
    b.ne    3f
    ldr     x0, =((4 << 24) | 1)    // SGI 4 back to vCPU 0 (TargetList {0})
    msr     icc_sgi1r_el1, x0
    b       7f
3:  cmp     x5, #4
    b.ne    7f
    ldr     x1, =sgis
8:  ldr     w2, [x1]
    add     w2, w2, #1
    str     w2, [x1]
7:  msr     icc_eoir1_el1, x4
    isb
    cmp     x5, #27
    b.ne    9f
    ldr     x1, =ticks
    ldr     w2, [x1]
    cmp     w2, #3
    b.hs    9f
    bl      timer_arm
9:  ldp     x15, x16, [sp], #16
    ldp     x13, x14, [sp], #16
    ldp     x11, x12, [sp], #16
    ldp     x9, x10, [sp], #16
    ldp     x4, x5, [sp], #16
    ldp     x2, x3, [sp], #16
    ldp     x0, x1, [sp], #16
    ldp     x29, x30, [sp], #16
    eret

// ---- console: PL011 UARTDR at +0, UARTFR.TXFF (bit 5) at +0x18 ----
putc:
    ldr     x9, =UART
1:  ldr     w10, [x9, #0x18]
    tbnz    w10, #5, 1b
    strb    w0, [x9]
    ret
puts_nonl:                          // x0 = NUL-terminated string
    mov     x11, x30
    mov     x12, x0
1:  ldrb    w0, [x12], #1
    cbz     w0, 2f
    bl      putc
    b       1b
2:  mov     x30, x11
    ret
puts:
    mov     x13, x30
    bl      puts_nonl
    mov     w0, #'\n'
    bl      putc
    mov     x30, x13
    ret
puthex:                             // x0 as 0x + 16 hex digits, newline
    mov     x13, x30
    mov     x14, x0
    mov     w0, #'0'
    bl      putc
    mov     w0, #'x'
    bl      putc
    mov     x15, #60
1:  lsr     x0, x14, x15
    and     x0, x0, #15
    cmp     x0, #10
    add     x16, x0, #'0'
    add     x0, x0, #('a' - 10)
    csel    x0, x16, x0, lo
    bl      putc
    subs    x15, x15, #4
    b.pl    1b
    mov     w0, #'\n'
    bl      putc
    mov     x30, x13
    ret

msg_hello:      .asciz "hello from " NAME(GUEST)
msg_notified:   .asciz "notified"
msg_ticks:      .asciz "3 ticks"
msg_ipc:        .asciz "ipc"
msg_done:       .asciz "done"
msg_irq:        .asciz "irq "
msg_cpu1_irq:   .asciz "cpu1 irq "
    .balign 4
    .ltorg

    .balign 2048
vectors:                            // VBAR_EL1: only IRQs from the current EL (SP_EL1) are expected
    .rept 4
    b       .
    .balign 0x80
    .endr
    b       .                       // +0x200 sync, current EL, SP_ELx
    .balign 0x80
    b       irq_handler             // +0x280 IRQ
    .balign 0x80
    .rept 10
    b       .
    .balign 0x80
    .endr

    .data
    .balign 8
ticks:  .word 0
ipcs:   .word 0
sgis:   .word 0
ready:  .word 0
    .bss
    .balign 16
    .space 0x2000
stack0:
    .space 0x2000
stack1:
