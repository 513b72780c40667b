/* The instructions that raise the exceptions of the exceptions program, each with a global label
 * on the faulting instruction (t_*_insn) so main.c can print ELR and FAR relative to it. */
  .text

/* u64 t_svc(u64 nzcv): svc with NZCV = x0; returns x0 (a hook may change it) */
  .globl t_svc, t_svc_insn
t_svc:
  msr nzcv, x0
t_svc_insn:
  svc #0x123
  ret

  .globl t_brk, t_brk_insn
t_brk:
t_brk_insn:
  brk #0x42
  ret

  .globl t_udf, t_udf_insn
t_udf:
t_udf_insn:
  udf #0x1234
  ret

/* an encoding in the unallocated system-register space: UNDEFINED */
  .globl t_sysreg_undef, t_sysreg_undef_insn
t_sysreg_undef:
t_sysreg_undef_insn:
  mrs x0, s3_0_c2_c7_7
  ret

/* i64 t_hvc(u64 fid), t_smc(u64 fid) */
  .globl t_hvc, t_hvc_insn
t_hvc:
t_hvc_insn:
  hvc #0x55
  ret
  .globl t_smc, t_smc_insn
t_smc:
t_smc_insn:
  smc #0x77
  ret

/* u64 t_load(u64 addr), void t_store(u64 addr, u64 v) */
  .globl t_load, t_load_insn
t_load:
t_load_insn:
  ldr x0, [x0]
  ret
  .globl t_load_w, t_load_w_insn
t_load_w:
t_load_w_insn:
  ldrh w0, [x0]
  ret
  .globl t_store, t_store_insn
t_store:
t_store_insn:
  str x1, [x0]
  ret
  .globl t_ldp, t_ldp_insn
t_ldp:
t_ldp_insn:
  ldp x0, x1, [x0]
  ret

/* void t_jump(u64 target): blr to target; instruction aborts and PC alignment faults resume at
 * x30 (rt.c), i.e. right after the blr */
  .globl t_jump
t_jump:
  stp x29, x30, [sp, #-16]!
  blr x0
  ldp x29, x30, [sp], #16
  ret
  .globl t_aligned_target
  .balign 8
t_aligned_target:
  nop
  nop
  ret

/* u64 t_sp_arith(u64): SP arithmetic and a non-SP-based access never check SP alignment */
  .globl t_sp_arith
t_sp_arith:
  mov x2, sp
  add x1, sp, #1
  ldr x3, [x2, #-8]
  mov x0, x1
  ret

/* u64 t_spsel(u64 v): with SPSel = 0, `sp` is SP_EL0 (set to v here); returns what sp reads */
  .globl t_spsel
t_spsel:
  mrs x3, sp_el0
  msr sp_el0, x0
  msr spsel, #0
  mov x1, sp
  msr spsel, #1
  msr sp_el0, x3
  mov x0, x1
  ret

/* u64 t_read_currentel(u64), t_read_spsel(u64): for EL1t/EL0 runs (EL0: UNDEFINED) */
  .globl t_read_currentel, t_read_currentel_insn
t_read_currentel:
  mov x0, #0xee
t_read_currentel_insn:
  mrs x0, CurrentEL
  ret
  .globl t_read_spsel
t_read_spsel:
  mov x0, #0xee
  mrs x0, spsel
  ret

/* EL0 probes, each returns x0 (0xee if the instruction trapped before writing it) */
  .globl t_el0_ctr, t_el0_ctr_insn
t_el0_ctr:
  mov x0, #0xee
t_el0_ctr_insn:
  mrs x0, ctr_el0
  ret
  .globl t_el0_sctlr
t_el0_sctlr:
  mov x0, #0xee
  mrs x0, sctlr_el1
  ret
  .globl t_el0_daifset
t_el0_daifset:
  msr daifset, #2
  mov x0, #0
  ret
  .globl t_el0_dczva
t_el0_dczva:
  mov x0, sp
  sub x0, x0, #256
  and x0, x0, #~255
  dc zva, x0
  mov x0, #0
  ret
  .globl t_el0_eret
t_el0_eret:
  mov x0, #0
  eret
  mov x0, #1
  ret
  .globl t_el0_nzcv
t_el0_nzcv:
  msr nzcv, x0
  mrs x0, nzcv
  ret
  .globl t_el0_cntvct
t_el0_cntvct:
  mrs x1, cntvct_el0
  mrs x2, cntvct_el0
  cmp x2, x1
  cset x0, hs
  ret
  .globl t_el0_svc
t_el0_svc:
  mov x0, #0x11
  svc #0x77
  ret

/* void t_illegal_return(void): ERET to EL2 (not implemented): an illegal exception return
 * ("Illegal return events from AArch64 state") stays at EL1 with PSTATE.IL = 1, so the next instruction (at the target) takes an
 * Illegal Execution state exception */
  .globl t_illegal_return, t_illegal_target
t_illegal_return:
  mrs x9, daif
  mov x10, #0x9                /* M = EL2h */
  orr x9, x9, x10
  msr spsr_el1, x9
  adr x9, t_illegal_target
  msr elr_el1, x9
  eret
t_illegal_target:
  nop
  ret

/* u64 t_fp_write(u64): one FP instruction, for the CPACR_EL1.FPEN trap; u64 t_fp(u64): write
 * and read back d0 */
  .globl t_fp_write, t_fp_insn, t_fp
t_fp_write:
t_fp_insn:
  fmov d0, x0
  ret
t_fp:
  fmov d0, x0
  fmov x0, d0
  ret
