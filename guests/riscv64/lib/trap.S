/* Trap entries and privilege-switch helpers of the riscv64 test guests.
 *
 * Each entry swaps sp with xscratch (which holds the top of a trap stack), saves all integer
 * registers and xepc/xstatus/xcause/xtval in a struct frame (rt.h), calls the C handler with the
 * frame, then writes xepc/xstatus back from the (possibly edited) frame, restores xscratch and the
 * registers and returns with xRET. The same S entry code works in VS-mode, where the s* CSR names
 * reach the vs* registers (priv 1.12 §8.2.3), so vs_trap_entry differs only in its C handler. */

  .equ FRAME_SIZE, 320
  .equ F_EPC, 256
  .equ F_STATUS, 264
  .equ F_CAUSE, 272
  .equ F_TVAL, 280

.macro SAVE_REGS
  .irp r,1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  sd x\r, (\r*8)(sp)
  .endr
.endm
.macro LOAD_REGS
  .irp r,1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  ld x\r, (\r*8)(sp)
  .endr
.endm

.macro TRAP_ENTRY name, p, handler
  .globl \name
  .align 4
\name:
  csrrw sp, \p\()scratch, sp
  addi sp, sp, -FRAME_SIZE
  SAVE_REGS
  csrr t0, \p\()scratch
  sd t0, 16(sp)
  sd zero, 0(sp)
  csrr t0, \p\()epc
  sd t0, F_EPC(sp)
  csrr t0, \p\()status
  sd t0, F_STATUS(sp)
  csrr t0, \p\()cause
  sd t0, F_CAUSE(sp)
  csrr t0, \p\()tval
  sd t0, F_TVAL(sp)
  sd zero, F_TVAL+8(sp)
  sd zero, F_TVAL+16(sp)
  mv a0, sp
  call \handler
  ld t0, F_EPC(sp)
  csrw \p\()epc, t0
  ld t0, F_STATUS(sp)
  csrw \p\()status, t0
  addi t0, sp, FRAME_SIZE
  csrw \p\()scratch, t0
  LOAD_REGS
  ld sp, 16(sp)
  \p\()ret
.endm

  .text
  TRAP_ENTRY m_trap_entry, m, m_trap_c
  TRAP_ENTRY s_trap_entry, s, s_trap_c
  TRAP_ENTRY vs_trap_entry, s, vs_trap_c

/* Callee-saved context of the caller of run_in_mode / s_run_in_mode, restored by the magic ecall. */
.macro SAVE_CTX ctx
  la t0, \ctx
  sd ra, 0(t0)
  sd sp, 8(t0)
  sd s0, 16(t0)
  sd s1, 24(t0)
  .irp r,2,3,4,5,6,7,8,9,10,11
  sd s\r, (16+\r*8)(t0)
  .endr
.endm

/* u64 run_in_mode(u64 mode, u64 (*fn)(u64), u64 arg): M → mode (MPP), MPV = 0 */
  .globl run_in_mode
run_in_mode:
  li t1, 0
  j 1f
/* u64 run_in_mode_v(u64 mode, fn, arg): M → VS/VU (MPP = mode, MPV = 1) */
  .globl run_in_mode_v
run_in_mode_v:
  li t1, 1
1:
  SAVE_CTX m_ctx
  li t2, (3 << 11)
  csrc mstatus, t2
  slli t2, a0, 11
  csrs mstatus, t2
  li t2, 1
  slli t2, t2, 39             /* mstatus.MPV (RV64, H extension) */
  csrc mstatus, t2
  beqz t1, 2f
  csrs mstatus, t2
2:
  la t2, lower_tramp
  csrw mepc, t2
  mv a0, a2
  mret

/* u64 s_run_in_mode(u64 spp, fn, arg): S → U/S via sret (SPP = spp); hstatus.SPV as set by caller */
  .globl s_run_in_mode
s_run_in_mode:
  SAVE_CTX s_ctx
  li t2, (1 << 8)
  csrc sstatus, t2
  beqz a0, 1f
  csrs sstatus, t2
1:
  la t2, lower_tramp
  csrw sepc, t2
  mv a0, a2
  sret

/* Runs in the lower mode: call fn(arg), then hand the result back with the magic ecall. */
lower_tramp:
  jalr a1
  mv a1, a0
  li a7, 0x7e7e0001           /* RT_ECALL_RETURN */
  ecall
1:j 1b

/* u64 ecall2(u64 num, u64 a0, u64 a1) */
  .globl ecall2
ecall2:
  mv a7, a0
  mv a0, a1
  mv a1, a2
  ecall
  ret
