/* Start code and exception vectors of the aarch64 test guests (QEMU virt, -kernel <elf>).
 *
 * QEMU's ELF boot enters _start on CPU 0 at EL1h with the MMU off and DAIF masked (virt without
 * secure=on / virtualization=on has neither EL3 nor EL2). If we find ourselves elsewhere, C code
 * says so (rt_boot_el); at EL2 we drop to EL1, anywhere else we stop.
 *  - CPUs other than MPIDR.Aff0 = 0 park in wfe (QEMU holds them off until PSCI CPU_ON anyway);
 *  - SCTLR_EL1 gets a known value: RES1 bits (ARMv8.0: 29, 28, 23, 22, 20, 11), SA and SA0 (SP
 *    alignment checks), nTWI/nTWE (EL0 wfi/wfe do not trap); M, C, I, A = 0;
 *  - CPACR_EL1.FPEN = 0b11: FP/SIMD does not trap, before any C runs;
 *  - VBAR_EL1 = rt_vectors, SP_EL1 = __stack_top, .bss zeroed, rt_entry_el = the EL at entry;
 *  - main() runs at EL1h; when it returns, poweroff() (PSCI SYSTEM_OFF).
 *
 * The vector table ("Exception vectors"): four groups of four entries 0x80 bytes apart — current EL with
 * SP_EL0, current EL with SP_ELx, lower EL AArch64, lower EL AArch32 — each sync, IRQ, FIQ,
 * SError. Every entry builds a struct frame (rt.h) on SP_EL1 with x0-x30, the interrupted SP,
 * ELR/SPSR/ESR/FAR_EL1 and the entry number, calls rt_exception(frame), writes ELR, SPSR (and
 * SP_EL0 when the interrupted code ran on it) back from the possibly edited frame, restores the
 * registers and ERETs. FP/SIMD registers are not saved: C hooks must not touch them (RT_HANDLER). */

  .equ FRAME_SIZE, 304
  .equ F_SP, 248
  .equ F_ELR, 256
  .equ F_SPSR, 264
  .equ F_ESR, 272
  .equ F_FAR, 280
  .equ F_KIND, 288

  .equ SCTLR_INIT, 0x30d50818

  .section .text.start, "ax"
  .globl _start
_start:
  mrs x1, mpidr_el1
  and x1, x1, #0xff
  cbnz x1, .Lpark
  ldr x1, =__stack_top
  mov sp, x1
  mrs x19, CurrentEL
  lsr x19, x19, #2
  cmp x19, #1
  b.eq .Lel1
  mov x0, x19
  bl rt_boot_el              /* prints what it found */
  cmp x19, #2
  b.ne .Lpark
  /* EL2 → EL1: EL1 is AArch64 (HCR_EL2.RW), enter at EL1h with DAIF masked */
  mov x1, #(1 << 31)
  msr hcr_el2, x1
  mov x1, #0x3c5
  msr spsr_el2, x1
  adr x1, .Lel1
  msr elr_el2, x1
  eret
.Lel1:
  ldr x1, =SCTLR_INIT
  msr sctlr_el1, x1
  mov x1, #(3 << 20)
  msr cpacr_el1, x1
  adr x1, rt_vectors
  msr vbar_el1, x1
  msr spsel, #1
  ldr x1, =__stack_top
  mov sp, x1
  isb
  msr fpcr, xzr
  msr fpsr, xzr
  ldr x1, =__bss_start
  ldr x2, =__bss_end
1:cmp x1, x2
  b.hs 2f
  stp xzr, xzr, [x1], #16
  b 1b
2:ldr x1, =rt_entry_el
  str x19, [x1]
  bl main
  bl poweroff
.Lpark:
  wfe
  b .Lpark

  .text
/* ---- exception vectors ---- */
.macro VENTRY kind
  .balign 0x80
  sub sp, sp, #FRAME_SIZE
  stp x0, x1, [sp, #0]
  mov x0, #\kind
  b rt_exc_common
.endm

  .balign 2048
  .globl rt_vectors
rt_vectors:
  VENTRY 0    /* current EL, SP_EL0: sync */
  VENTRY 1    /* IRQ */
  VENTRY 2    /* FIQ */
  VENTRY 3    /* SError */
  VENTRY 4    /* current EL, SP_ELx: sync */
  VENTRY 5
  VENTRY 6
  VENTRY 7
  VENTRY 8    /* lower EL, AArch64: sync */
  VENTRY 9
  VENTRY 10
  VENTRY 11
  VENTRY 12   /* lower EL, AArch32 */
  VENTRY 13
  VENTRY 14
  VENTRY 15

rt_exc_common:
  stp x2, x3, [sp, #16]
  stp x4, x5, [sp, #32]
  stp x6, x7, [sp, #48]
  stp x8, x9, [sp, #64]
  stp x10, x11, [sp, #80]
  stp x12, x13, [sp, #96]
  stp x14, x15, [sp, #112]
  stp x16, x17, [sp, #128]
  stp x18, x19, [sp, #144]
  stp x20, x21, [sp, #160]
  stp x22, x23, [sp, #176]
  stp x24, x25, [sp, #192]
  stp x26, x27, [sp, #208]
  stp x28, x29, [sp, #224]
  str x30, [sp, #240]
  str x0, [sp, #F_KIND]
  /* the interrupted SP: SP_ELx entries (4-7) ran on this stack, all others on SP_EL0 */
  mrs x1, sp_el0
  and x2, x0, #~3
  cmp x2, #4
  b.ne 1f
  add x1, sp, #FRAME_SIZE
1:str x1, [sp, #F_SP]
  mrs x1, elr_el1
  mrs x2, spsr_el1
  stp x1, x2, [sp, #F_ELR]
  mrs x1, esr_el1
  mrs x2, far_el1
  stp x1, x2, [sp, #F_ESR]
  mov x0, sp
  bl rt_exception
  ldp x1, x2, [sp, #F_ELR]
  msr elr_el1, x1
  msr spsr_el1, x2
  ldr x0, [sp, #F_KIND]
  and x0, x0, #~3
  cmp x0, #4
  b.eq 2f
  ldr x1, [sp, #F_SP]
  msr sp_el0, x1
2:ldp x2, x3, [sp, #16]
  ldp x4, x5, [sp, #32]
  ldp x6, x7, [sp, #48]
  ldp x8, x9, [sp, #64]
  ldp x10, x11, [sp, #80]
  ldp x12, x13, [sp, #96]
  ldp x14, x15, [sp, #112]
  ldp x16, x17, [sp, #128]
  ldp x18, x19, [sp, #144]
  ldp x20, x21, [sp, #160]
  ldp x22, x23, [sp, #176]
  ldp x24, x25, [sp, #192]
  ldp x26, x27, [sp, #208]
  ldp x28, x29, [sp, #224]
  ldr x30, [sp, #240]
  ldp x0, x1, [sp, #0]
  add sp, sp, #FRAME_SIZE
  eret

/* u64 rt_run(u64 mode, u64 (*fn)(u64), u64 arg, u64 sp): runs fn(arg) with PSTATE.M = mode
 * (RT_EL0T or RT_EL1T: both on SP_EL0 = sp, or __el0_stack_top when sp is 0) and the caller's
 * DAIF, and returns fn's result: the trampoline ends with `svc #RT_SVC_RETURN`, which
 * rt_exception turns into a return from rt_run (rt.c). */
  .globl rt_run
rt_run:
  ldr x9, =rt_run_ctx
  stp x19, x20, [x9, #0]
  stp x21, x22, [x9, #16]
  stp x23, x24, [x9, #32]
  stp x25, x26, [x9, #48]
  stp x27, x28, [x9, #64]
  stp x29, x30, [x9, #80]
  mov x10, sp
  mrs x11, daif
  stp x10, x11, [x9, #96]
  cbnz x3, 1f
  ldr x3, =__el0_stack_top
1:msr sp_el0, x3
  orr x0, x0, x11              /* SPSR.DAIF = the caller's PSTATE.DAIF */
  msr spsr_el1, x0
  adr x10, rt_run_tramp
  msr elr_el1, x10
  mov x0, x2
  mov x9, x1
  eret
rt_run_tramp:
  blr x9
  svc #0xba0b                  /* RT_SVC_RETURN */
1:b 1b

/* i64 rt_hvc(u64 x0, u64 x1, u64 x2, u64 x3), rt_smc(...): SMCCC calls (PSCI) */
  .globl rt_hvc
rt_hvc:
  hvc #0
  ret
  .globl rt_smc
rt_smc:
  smc #0
  ret
