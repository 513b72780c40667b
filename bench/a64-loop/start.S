// a64-loop's entry, at EL1 with the MMU off as QEMU's -kernel starts an ELF: a stack, FP/SIMD
// enabled (gcc -O2 vectorises work.c), main, then PSCI SYSTEM_OFF over HVC (QEMU virt's conduit
// for a -kernel image without EL2/EL3).
  .section .text.start
  .globl _start
_start:
  ldr x0, =__stack_top
  mov sp, x0
  mov x0, #(3 << 20)        // CPACR_EL1.FPEN: no FP/SIMD traps
  msr cpacr_el1, x0
  isb
  bl main
  ldr x0, =0x84000008       // PSCI SYSTEM_OFF
  hvc #0
1: wfi
  b 1b
