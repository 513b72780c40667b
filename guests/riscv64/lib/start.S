/* Start code of the riscv64 test guests. Entered in M-mode at 0x80000000 with a0 = mhartid
 * (QEMU virt with -bios none; a1 = DTB address, which nothing here uses).
 *  - hart 0 runs main(hartid); every other hart parks in a wfi loop (QEMU runs these with -smp 1);
 *  - one 16 KiB stack per hart; mscratch/sscratch hold the tops of the M and S trap stacks;
 *  - PMP entry 0 grants RWX on all of memory to S/U (priv 1.12 §3.7.1: once any PMP entry is
 *    implemented, an S/U access that matches no entry fails);
 *  - mstatus.FS = Initial so F/D instructions work (priv §3.1.6.6), fcsr = 0;
 *  - rt_have_h = misa.H (bit 7).
 * main's return value becomes the poweroff code (0 = pass). */
  .section .text.start, "ax"
  .globl _start
_start:
  /* sp = __stacks_top - hartid * 16 KiB */
  la sp, __stacks_top
  slli t0, a0, 14
  sub sp, sp, t0
  bnez a0, .Lpark

  la t0, m_trap_entry
  csrw mtvec, t0
  la t0, __mtrap_stack_top
  csrw mscratch, t0
  la t0, __strap_stack_top
  csrw sscratch, t0

  /* PMP: entry 0 = NAPOT over the whole address space, R|W|X */
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0

  li t0, (1 << 13)            /* mstatus.FS = 01 (Initial) */
  csrs mstatus, t0
  csrwi fcsr, 0

  /* zero .bss */
  la t0, __bss_start
  la t1, __bss_end
1:bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  csrr t0, misa
  srli t0, t0, 7
  andi t0, t0, 1
  la t1, rt_have_h
  sw t0, 0(t1)

  /* a0 still = hartid */
  call main
  call poweroff
.Lpark:
  wfi
  j .Lpark
