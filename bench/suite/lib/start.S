/*
 * Start-up shared by every workload. It touches no CSR, so the same image runs bare (M-mode,
 * QEMU -bios none / baobab --bare) and as a VM guest (VS-mode, the UART and the SiFive test
 * device passed through at the same addresses): hart 0 zeroes .bss, runs main, powers off.
 */
  .section .text.start
  .globl _start
_start:
  bnez a0, park
  la sp, __stack_top
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  call main
  call rt_poweroff
park:
  wfi
  j park
