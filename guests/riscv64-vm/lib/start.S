/* Entry points of the VM guests. Entered in S-mode (VS-mode under baobab) at the load address
 * with a0 = hart id, a1 = device-tree address (the convention of QEMU/OpenSBI and of SBI HSM
 * hart_start, SBI spec v2.0 ch. 9.1), satp = 0 (bare: guest memory is identity-mapped).
 *  - every hart keeps its id in tp; its 16 KiB stack grows down from __stacks_end - id * 16 KiB;
 *    a hart with id >= MAX_HARTS (vm.h) has no stack and parks;
 *  - the boot hart zeroes .bss and calls boot_main(hartid, dtb);
 *  - secondary_entry is the start address given to SBI HSM hart_start: a0 = hart id,
 *    a1 = opaque (unused); it calls secondary_main(hartid);
 *  - trap_entry (stvec, direct mode) saves the caller-saved registers on the current stack (the
 *    guests never leave S-mode, so sp is always good), calls trap_c(scause, sepc, stval), writes
 *    its result to sepc and returns with sret. */
  .equ MAX_HARTS, 8

  .section .text.start, "ax"
  .globl _start
_start:
  csrw sie, zero
  csrci sstatus, 2
  li t0, MAX_HARTS
  bgeu a0, t0, halt
  mv tp, a0
  slli t0, a0, 14
  la sp, __stacks_end
  sub sp, sp, t0
  la t0, trap_entry
  csrw stvec, t0
  la t0, __bss_start
  la t1, __bss_end
1:bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:fence rw, rw
  call boot_main
  j halt

  .text
  .globl secondary_entry
  .align 2
secondary_entry:
  csrw sie, zero
  csrci sstatus, 2
  li t0, MAX_HARTS
  bgeu a0, t0, halt
  mv tp, a0
  slli t0, a0, 14
  la sp, __stacks_end
  sub sp, sp, t0
  la t0, trap_entry
  csrw stvec, t0
  call secondary_main
  j halt

  .globl halt
halt:
  csrw sie, zero
  csrci sstatus, 2
1:wfi
  j 1b

  .globl trap_entry
  .align 4
trap_entry:
  addi sp, sp, -128
  sd ra, 0(sp)
  sd t0, 8(sp)
  sd t1, 16(sp)
  sd t2, 24(sp)
  sd a0, 32(sp)
  sd a1, 40(sp)
  sd a2, 48(sp)
  sd a3, 56(sp)
  sd a4, 64(sp)
  sd a5, 72(sp)
  sd a6, 80(sp)
  sd a7, 88(sp)
  sd t3, 96(sp)
  sd t4, 104(sp)
  sd t5, 112(sp)
  sd t6, 120(sp)
  csrr a0, scause
  csrr a1, sepc
  csrr a2, stval
  call trap_c
  csrw sepc, a0
  ld ra, 0(sp)
  ld t0, 8(sp)
  ld t1, 16(sp)
  ld t2, 24(sp)
  ld a0, 32(sp)
  ld a1, 40(sp)
  ld a2, 48(sp)
  ld a3, 56(sp)
  ld a4, 64(sp)
  ld a5, 72(sp)
  ld a6, 80(sp)
  ld a7, 88(sp)
  ld t3, 96(sp)
  ld t4, 104(sp)
  ld t5, 112(sp)
  ld t6, 120(sp)
  addi sp, sp, 128
  sret
