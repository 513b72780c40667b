// Small AArch64 guests for the hypervisor tests (../../hyp*.test.ts), one source, variants by -D:
//   HELLO   print a line and idle                       FAULT   then touch memory outside the VM
//   SENDER  IPC notify (HVC fid 1, ipc 0, event 0)      RECEIVER  wait for the IPC's interrupt
//   SMP     PSCI CPU_ON of vCPU 1 over SMC              TIMER   three CNTV ticks through the vGIC (PPI 27)
//   VMHOST  VM-stack create/invoke/destroy over HVC      CHILD   a VM-stack child: exit(42) at once
//   OPTEE   a trusted OS as CROSSCON's OP-TEE behaves: ENTRY_DONE, then serve each request (OPTEE2: OP-TEE #2's ids)
//   GPOS    its client: OP-TEE calls over SMC (the last ones make TEE 1 fault), each call's result
//           registers printed, then idle
// UART: a PL011 at UART (guest-physical); vGIC: GICD at 0x08000000, GICV at 0x08010000.
#ifndef UART
#define UART 0x09000000
#endif
#define GICD 0x08000000
#define GICC 0x08010000
#define NAME_STR(x) #x
#define NAME(x) NAME_STR(x)
// OP-TEE's function ids (reference §3.3; optee_smc.h, teesmc_opteed.h): OP-TEE #2 is the same
// tree built with -DOPTEE2, its owners 0x12 / 0x1F / 0x1E in place of 0x32 / 0x3F / 0x3E
#ifdef OPTEE2
#define TEE_RETURN   0x9E000000     // TEESMC_OPTEED_RETURN_* | n
#define TEE_UID      0x9F00FF01     // OPTEE_SMC_CALLS_UID
#define TEE_STD      0x12000004     // OPTEE_SMC_CALL_WITH_ARG
#else
#define TEE_RETURN   0xBE000000
#define TEE_UID      0xBF00FF01
#define TEE_STD      0x32000004
#endif
#define ENTRY_DONE   0
#define CALL_DONE    5

#ifdef GPOS
#define TEE1_UID 0xBF00FF01
#define TEE1_STD 0x32000004
#define TEE2_UID 0x9F00FF01
#define TEE2_STD 0x12000004
// one OP-TEE call: x3 = x5 = 0; x4 = 0x55 comes back as the TEE's x5 after a CALL_DONE, unchanged
// after an RPC answer (only x0..x3 are copied) or a call nothing serves
    .macro teecall fid, a1, a2, a6, label, bits, n
    ldr     x0, =\fid
    ldr     x1, =\a1
    ldr     x2, =\a2
    mov     x3, #0
    mov     x4, #0x55
    mov     x5, #0
    ldr     x6, =\a6
    adr     x19, \label
    mov     x25, #\bits
    mov     x26, #\n
    bl      tee_call
    .endm
#endif
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
#ifndef CHILD                       // a VM-stack child has no UART: its exit code says it ran
    adr     x0, msg_hello
    bl      puts
#endif
#ifdef FAULT
    ldr     x1, =0x7f000000         // no region, no device: a stage-2 abort
    ldr     x2, [x1]
    adr     x0, msg_survived
    bl      puts
#endif
#ifdef SENDER
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
#if defined(RECEIVER) || defined(TIMER) || defined(SMP)
    bl      gic_init
#endif
#ifdef RECEIVER
    mov     w0, #52                 // the IPC's interrupt: enable, target vCPU 0
    bl      irq_enable
    msr     daifclr, #2
1:  ldr     x1, =count              // check, then wait: an interrupt taken before the WFI is not lost
    ldr     w1, [x1]
    cbnz    w1, 2f
    wfi
    b       1b
2:
    adr     x0, msg_done
    bl      puts
#endif
#ifdef TIMER
    mov     w0, #27
    bl      irq_enable
    bl      timer_arm
    msr     daifclr, #2
1:  ldr     x1, =count
    ldr     w1, [x1]
    cmp     w1, #3
    b.hs    2f
    wfi
    b       1b
2:
    adr     x0, msg_done
    bl      puts
#endif
#ifdef SMP
    ldr     x0, =0xc4000003         // PSCI CPU_ON64
    mov     x1, #1                  // vMPIDR of vCPU 1
    ldr     x2, =_start
    ldr     x3, =0x1234             // context id: the new vCPU's x0
    smc     #0
    mov     x21, x0
    adr     x0, msg_cpu_on
    bl      puts
    mov     x0, x21
    bl      puthex
1:  ldr     x1, =count              // vCPU 1 says it is up
    ldr     w1, [x1]
    cbz     w1, 1b
    ldr     x0, =0x84000004         // AFFINITY_INFO(vCPU 1, 0): 0 = ON
    mov     x1, #1
    mov     x2, #0
    smc     #0
    bl      puthex
    adr     x0, msg_done
    bl      puts
#endif
#ifdef VMHOST
    ldr     x0, =0x30000            // create(blob at AREA)
    ldr     x1, =AREA
    hvc     #0
    mov     x21, x1                 // the child's id
    bl      puthex                  // x0: 0
    mov     x0, x21
    bl      puthex
    ldr     x0, =0x30001            // invoke(id, 7)
    mov     x1, x21
    mov     x2, #7
    hvc     #0
    mov     x22, x1
    bl      puthex                  // why it came back: 0 = exited
    mov     x0, x22
    bl      puthex                  // the exit code
    ldr     x0, =0x30006            // destroy(id)
    mov     x1, x21
    hvc     #0
    bl      puthex
    adr     x0, msg_done
    bl      puts
#endif
#ifdef CHILD
    ldr     x0, =0x30005            // exit(42)
    mov     x1, #42
    hvc     #0
#endif
#ifdef OPTEE
    // crossconhyp_return_to_ree: each return SMC comes back (at the next instruction) holding the
    // GPOS's request in x0..x6; the answer is CALL_DONE with results in x1..x6 (the GPOS's x0..x5)
    ldr     x0, =(TEE_RETURN | ENTRY_DONE)
    smc     #0
tee_serve:
    add     x28, x28, #1            // requests served: this TEE's own state, returned in x5
    mov     x5, x28
    ldr     x9, =TEE_UID
    cmp     x0, x9
    b.eq    tee_uid
    ldr     x9, =TEE_STD
    cmp     x0, x9
    b.eq    tee_std
    ldr     x1, =0xffffffff         // OPTEE_SMC_RETURN_UNKNOWN_FUNCTION
    mov     x2, #0
    mov     x3, #0
    mov     x4, #0
    mov     x6, #0
    b       tee_return
tee_uid:                            // OPTEE_MSG_UID_0..3
    ldr     x1, =0x384fb3e0
    ldr     x2, =0xe7f811e3
    ldr     x3, =0xaf630002
    ldr     x4, =0xa5d5c51b
    mov     x6, #0
    b       tee_return
tee_std:                            // the toy standard call: OK, x1 + x2, the request's x6, the id it saw
    cmp     x1, #99                 // x1 = 99: touch memory outside the VM (a stage-2 abort while serving)
    b.ne    1f
    ldr     x9, =0x7f000000
    ldr     x9, [x9]
1:  add     x2, x1, x2
    mov     x3, x6
    mov     x4, x0
    mov     x6, #0
    ldr     x9, =0xffff0003         // asks for OP-TEE's foreign-interrupt RPC as the answer
    cmp     x1, x9
    mov     x1, #0                  // OPTEE_SMC_RETURN_OK
    b.ne    tee_return
    ldr     x1, =0xffff0004         // OPTEE_SMC_RETURN_RPC_FOREIGN_INTR: only x1..x4 go back
    mov     x6, #0x77
tee_return:
    ldr     x0, =(TEE_RETURN | CALL_DONE)
    smc     #0
    b       tee_serve
#endif
#ifdef GPOS
    //       function id  x1          x2  x6    label     bits of each result, results printed
    teecall  TEE1_UID,    0,          0,  0,    msg_uid,  32, 4
    teecall  TEE1_STD,    40,         2,  0x66, msg_std,  64, 5
    teecall  TEE2_UID,    0,          0,  0,    msg_uid2, 32, 4
    teecall  TEE2_STD,    7,          8,  0x99, msg_std2, 64, 5
    teecall  TEE1_STD,    0xffff0003, 2,  0x66, msg_rpc,  64, 5
    teecall  0x3200abcd,  0,          0,  0,    msg_unk,  64, 5
    teecall  0x05000000,  0,          0,  0,    msg_none, 64, 5
    teecall  TEE1_STD,    99,         0,  0,    msg_fault, 64, 5
    teecall  TEE1_UID,    0,          0,  0,    msg_after, 64, 5
    teecall  TEE2_STD,    1,          2,  0x99, msg_std2, 64, 5
    adr     x0, msg_done
    bl      puts                    // then idle, as a client at its prompt: x0..x28 stay as they are
#endif
park:
    wfi
    b       park

secondary:                          // vCPU 1 after CPU_ON: x0 = the context id
    ldr     x0, =stack1
    mov     sp, x0
    adr     x0, msg_cpu1
    bl      puts
    mov     x0, x20
    bl      puthex
    ldr     x1, =count
    mov     w2, #1
    str     w2, [x1]
    b       park

#ifdef GPOS
// ---- OP-TEE calls ----
tee_call:                           // SMC with x0..x6 as set; print the label at x19, then x26 results of x25 bits each
    mov     x28, x30
    smc     #0
    ldr     x9, =results
    stp     x0, x1, [x9]
    stp     x2, x3, [x9, #16]
    str     x4, [x9, #32]
    mov     x0, x19
    bl      puts_nonl
    mov     x27, #0
1:  mov     w0, #' '
    bl      putc
    ldr     x9, =results
    ldr     x14, [x9, x27, lsl #3]
    sub     x15, x25, #4            // x14's digits from bits x25-1..x25-4 down to 3..0
2:  lsr     x0, x14, x15
    and     x0, x0, #15
    cmp     x0, #10
    add     x16, x0, #'0'
    add     x0, x0, #('a' - 10)
    csel    x0, x16, x0, lo
    bl      putc
    subs    x15, x15, #4
    b.pl    2b
    add     x27, x27, #1
    cmp     x27, x26
    b.lo    1b
    mov     w0, #'\n'
    bl      putc
    mov     x30, x28
    ret
#endif

// ---- the vGIC ----
gic_init:
    ldr     x1, =GICD
    mov     w2, #1
    str     w2, [x1]                // GICD_CTLR: enable
    ldr     x1, =GICC
    mov     w2, #0xff
    str     w2, [x1, #4]            // GICC_PMR
    mov     w2, #1
    str     w2, [x1]                // GICC_CTLR: enable
    ret
irq_enable:                         // w0 = INTID: enable, priority 0x80, target vCPU 0
    ldr     x1, =GICD
    lsr     w2, w0, #5
    add     x3, x1, #0x100
    mov     w4, #1
    and     w5, w0, #31
    lsl     w4, w4, w5
    str     w4, [x3, x2, lsl #2]    // GICD_ISENABLERn
    add     x3, x1, #0x400
    mov     w4, #0x80
    strb    w4, [x3, x0]            // GICD_IPRIORITYRn
    add     x3, x1, #0x800
    mov     w4, #1
    strb    w4, [x3, x0]            // GICD_ITARGETSRn
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
    stp     x9, x10, [sp, #-16]!
    stp     x11, x12, [sp, #-16]!
    stp     x13, x14, [sp, #-16]!
    stp     x15, x16, [sp, #-16]!
    ldr     x1, =GICC
    ldr     w2, [x1, #0x0c]         // GICC_IAR
    mov     w3, w2
    and     w0, w2, #0x3ff
    cmp     w0, #1020
    b.hs    9f
    stp     x3, x0, [sp, #-16]!
    adr     x0, msg_irq
    bl      puts_nonl
    ldr     x0, [sp, #8]
    bl      puthex
    ldp     x3, x0, [sp], #16
    cmp     w0, #27
    b.ne    1f
    msr     cntv_ctl_el0, xzr       // the tick is served: stop the timer before the EOI
    isb
1:  ldr     x1, =count
    ldr     w2, [x1]
    add     w2, w2, #1
    str     w2, [x1]
    ldr     x1, =GICC
    str     w3, [x1, #0x10]         // GICC_EOIR
    cmp     w0, #27
    b.ne    9f
    cmp     w2, #3
    b.hs    9f
    bl      timer_arm
9:  ldp     x15, x16, [sp], #16
    ldp     x13, x14, [sp], #16
    ldp     x11, x12, [sp], #16
    ldp     x9, x10, [sp], #16
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
msg_survived:   .asciz "survived the fault"
msg_notified:   .asciz "notified"
msg_done:       .asciz "done"
msg_cpu_on:     .asciz "cpu_on"
msg_cpu1:       .asciz "cpu1 up"
msg_irq:        .asciz "irq "
#ifdef GPOS
msg_uid:        .asciz "uid"
msg_std:        .asciz "std"
msg_uid2:       .asciz "uid2"
msg_std2:       .asciz "std2"
msg_rpc:        .asciz "rpc"
msg_unk:        .asciz "unknown"
msg_none:       .asciz "no-owner"
msg_fault:      .asciz "fault"
msg_after:      .asciz "disabled"
#endif
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
count:  .word 0
#ifdef GPOS
    .balign 8
results: .space 40
#endif
    .bss
    .balign 16
    .space 0x2000
stack0:
    .space 0x2000
stack1:
