/* isa-compressed: hand-written C-extension instructions (unpriv spec 20191213 ch. 16, RV64C).
 * c_run(u64 *out) executes one or more instructions of each class and stores the results in
 * out[] in the order of the names in main.c. Registers of the CIW/CL/CS/CA/CB formats are x8-x15. */
  .text
  .option push
  .option rvc

#define OUT(reg) sd reg, 0(a5); addi a5, a5, 8

  .globl c_run
  .align 2
c_run:
  addi sp, sp, -128
  sd ra, 120(sp)
  sd s0, 112(sp)
  sd s1, 104(sp)
  mv a5, a0

  /* CI: c.li / c.addi sign-extend their 6-bit immediates */
  c.li a0, -32
  OUT(a0)                       /* 0 c.li a0,-32 */
  c.li a0, 31
  c.addi a0, -1
  OUT(a0)                       /* 1 c.li 31; c.addi -1 */
  li a0, 0x7fffffff
  c.addiw a0, 1
  OUT(a0)                       /* 2 c.addiw 0x7fffffff+1 */
  li a0, 0x180000000
  c.addiw a0, 0
  OUT(a0)                       /* 3 c.addiw x,0 (sext.w) */
  c.lui a0, 0xfffe0
  OUT(a0)                       /* 4 c.lui 0xfffe0 */
  c.lui a0, 0x1f
  OUT(a0)                       /* 5 c.lui 0x1f */

  /* CI/CIW stack-pointer forms */
  mv s0, sp
  c.addi16sp sp, -496
  sub a0, s0, sp
  OUT(a0)                       /* 6 c.addi16sp -496 */
  c.addi16sp sp, 496
  c.addi4spn a0, sp, 1020
  sub a0, a0, sp
  OUT(a0)                       /* 7 c.addi4spn 1020 */

  /* CB shifts and andi, CI slli */
  li a0, 0x8000000000000010
  c.srai a0, 63
  OUT(a0)                       /* 8 c.srai 63 */
  li a0, 0x8000000000000010
  c.srli a0, 60
  OUT(a0)                       /* 9 c.srli 60 */
  li a0, -1
  c.andi a0, -32
  OUT(a0)                       /* 10 c.andi -32 */
  li a0, 3
  c.slli a0, 62
  OUT(a0)                       /* 11 c.slli 62 */

  /* CA register-register */
  li a0, 0x00000000ffff0000
  li a1, 0x0000ffff00ff00ff
  mv s1, a0
  c.sub s1, a1
  OUT(s1)                       /* 12 c.sub */
  mv s1, a0
  c.xor s1, a1
  OUT(s1)                       /* 13 c.xor */
  mv s1, a0
  c.or s1, a1
  OUT(s1)                       /* 14 c.or */
  mv s1, a0
  c.and s1, a1
  OUT(s1)                       /* 15 c.and */
  li s1, 0x80000000
  li a1, 1
  c.subw s1, a1
  OUT(s1)                       /* 16 c.subw 0x80000000-1 */
  li s1, 0x7fffffff
  c.addw s1, a1
  OUT(s1)                       /* 17 c.addw 0x7fffffff+1 */

  /* CR: c.mv / c.add */
  li a1, 0x123456789abcdef0
  c.mv a2, a1
  OUT(a2)                       /* 18 c.mv */
  c.add a2, a1
  OUT(a2)                       /* 19 c.add */

  /* CL/CS loads and stores; c.lw sign-extends */
  la s0, cdata
  c.lw a0, 0(s0)
  OUT(a0)                       /* 20 c.lw (0x80000001) */
  c.ld a0, 8(s0)
  OUT(a0)                       /* 21 c.ld */
  li a1, 0x55aa55aa
  c.sw a1, 16(s0)
  c.ld a0, 16(s0)
  OUT(a0)                       /* 22 c.sw then c.ld */
  li a1, -2
  c.sd a1, 24(s0)
  c.ld a0, 24(s0)
  OUT(a0)                       /* 23 c.sd then c.ld */
  c.fld fa0, 8(s0)
  c.fsd fa0, 32(s0)
  c.ld a0, 32(s0)
  OUT(a0)                       /* 24 c.fld then c.fsd */

  /* CI/CSS stack-relative loads and stores */
  li a1, 0xfedcba9880000002
  c.sdsp a1, 8(sp)
  c.ldsp a0, 8(sp)
  OUT(a0)                       /* 25 c.sdsp/c.ldsp */
  c.swsp a1, 16(sp)
  c.lwsp a0, 16(sp)
  OUT(a0)                       /* 26 c.swsp/c.lwsp (sign-extends) */
  c.fsdsp fa0, 24(sp)
  c.fldsp fa1, 24(sp)
  fmv.x.d a0, fa1
  OUT(a0)                       /* 27 c.fsdsp/c.fldsp */

  /* CJ/CB/CR control transfers */
  li a0, 0
  c.j 1f
  li a0, 1
1:OUT(a0)                       /* 28 c.j skipped (0) */
  li a0, 0
  li a1, 0
  c.beqz a1, 1f
  li a0, 1
1:OUT(a0)                       /* 29 c.beqz taken (0) */
  li a0, 0
  c.bnez a1, 1f
  li a0, 1
1:OUT(a0)                       /* 30 c.bnez not taken (1) */
  la a1, 2f
3:c.jalr a1                     /* ra = address of 3b + 2 */
  j 4f
2:la a0, 3b
  sub a0, ra, a0
  ret
4:OUT(a0)                       /* 31 c.jalr link - pc */
  la a1, 1f
  li a0, 7
  c.jr a1
  li a0, 8
1:OUT(a0)                       /* 32 c.jr (7) */
  c.nop
  /* c.ebreak: trap cause 3 (the handler skips 2 bytes) */
  c.ebreak
  li a0, 0x3c
  OUT(a0)                       /* 33 after c.ebreak */

  ld ra, 120(sp)
  ld s0, 112(sp)
  ld s1, 104(sp)
  addi sp, sp, 128
  ret

/* HINT encodings (execute as no-ops, §16.7) and reserved encodings: each stub executes one
 * halfword and returns. a0 = 0x77 on entry; the hints return a0 so its value can be checked. */
.macro STUB name, hw
  .globl \name
  .align 2
\name:
  li a0, 0x77
  .2byte \hw
  ret
.endm
  STUB c_hint_addi0,   0x0501     /* c.addi a0, 0 (HINT) */
  STUB c_hint_li_x0,   0x4015     /* c.li x0, 5 (HINT) */
  STUB c_hint_slli0,   0x0502     /* c.slli a0, 0 (HINT in RV64C) */
  STUB c_hint_srli0,   0x8101     /* c.srli a0, 0 (HINT in RV64C) */
  STUB c_hint_mv_x0,   0x802e     /* c.mv x0, a1 (HINT) */
  STUB c_hint_nop_imm, 0x0005     /* c.nop with imm=1 (HINT) */
  STUB c_ill_zero,     0x0000     /* all-zero halfword: defined illegal */
  STUB c_res_addi4spn0,0x0004     /* c.addi4spn a1, sp, 0: reserved */
  STUB c_res_lui0,     0x6501     /* c.lui a0, 0: reserved */
  STUB c_res_addi16sp0,0x6101     /* c.addi16sp sp, 0: reserved */
  STUB c_res_lwsp_x0,  0x4002     /* c.lwsp x0, 0(sp): reserved */
  STUB c_res_ldsp_x0,  0x6002     /* c.ldsp x0, 0(sp): reserved */
  STUB c_res_jr_x0,    0x8002     /* c.jr x0: reserved */
  STUB c_res_addiw_x0, 0x2001     /* c.addiw x0, 0: reserved */
  STUB c_res_q0_100,   0x8000     /* quadrant 0, funct3 100: reserved */
  STUB c_res_ca_10,    0x9d4d     /* CA, bit 12 = 1, funct2 = 10: reserved */

  .option pop

  .data
  .align 4
cdata:
  .8byte 0x0000000080000001
  .8byte 0x400921fb54442d18   /* pi as a double */
  .8byte 0
  .8byte 0
  .8byte 0
