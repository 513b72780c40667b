// powers off at once: the start-up cost of a run (QEMU's, to subtract from its timings)
  .section .text.start
  .globl _start
_start:
  ldr x0, =0x84000008       // PSCI SYSTEM_OFF
  hvc #0
1: b 1b
