/* Entry of the vmstack child (a dynamic VM, see main.c). The hypervisor enters it at its entry
 * (= load address) on its parent's physical CPU at EL1h with the MMU off and DAIF masked, x0 = the
 * argument of the parent's invoke. No device tree, one vCPU: the stack is CPU 0's of link.ld (the
 * top 16 KiB below __stacks_end). Every start (the first invoke, and the first invoke after an
 * exit) zeroes .bss and turns the identity map on (../lib/mmu.c). Exceptions the child takes
 * itself (it enables no interrupts) end in child_trap(entry, ESR, ELR, FAR). */
  .equ SCTLR_INIT, 0x30d50818

  .section .text.start, "ax"
  .globl _start
_start:
  mov x19, x0
  ldr x0, =SCTLR_INIT
  msr sctlr_el1, x0
  adr x0, child_vectors
  msr vbar_el1, x0
  msr spsel, #1
  ldr x0, =__stacks_end
  mov sp, x0
  isb
  ldr x1, =__bss_start
  ldr x2, =__bss_end
1:cmp x1, x2
  b.hs 2f
  stp xzr, xzr, [x1], #16
  b 1b
2:dsb sy
  mov x0, #0                    /* no device tree: the identity map's fixed layout (../lib/mmu.c) */
  bl mmu_build
  bl mmu_identity_on
  mov x0, x19
  bl child_main
3:wfi
  b 3b

/* every entry: child_trap(entry, ESR_EL1, ELR_EL1, FAR_EL1), which does not return */
.macro TRAP kind
  .balign 0x80
  mov x0, #\kind
  mrs x1, esr_el1
  mrs x2, elr_el1
  mrs x3, far_el1
  b child_trap
.endm

  .text
  .balign 2048
child_vectors:
  .irp k, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
  TRAP \k
  .endr
