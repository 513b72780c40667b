/* Entry of the vmstack child (a dynamic VM, see main.c). The hypervisor enters it at its entry
 * (= load address) on its parent's physical CPU, in VS-mode with satp = 0, a0 = the argument of
 * the parent's invoke. No device tree, one vCPU: the stack is hart 0's of link.ld (the top 16
 * KiB below __stacks_end). Every start (the first invoke, and the first invoke after an exit)
 * zeroes .bss. Traps the child takes itself (stvec) end in child_trap. */
  .section .text.start, "ax"
  .globl _start
_start:
  csrw sie, zero
  csrci sstatus, 2
  mv s0, a0
  la sp, __stacks_end
  la t0, child_trap_entry
  csrw stvec, t0
  la t0, __bss_start
  la t1, __bss_end
1:bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:fence rw, rw
  mv a0, s0
  call child_main
3:wfi
  j 3b

/* any trap (the child enables no interrupts): child_trap(scause, sepc, stval) does not return */
  .text
  .align 4
child_trap_entry:
  csrr a0, scause
  csrr a1, sepc
  csrr a2, stval
  call child_trap
  j child_trap_entry
