/* The GPOS of the TEE round-trip benchmark (bench/tee.ts): 100,000 null fast calls to its
 * parent TEE (OP-TEE #1's CALLS_COUNT id, answered at once by test/fixtures/tee's trusted OS),
 * then one line on its SBI console and an SBI SRST shutdown. */
  .section .text
  .globl _start
_start:
  li s0, 100000
1:
  li a6, 0xBF00FF00
  mv a0, a6
  li a7, 0x544545
  ecall
  addi s0, s0, -1
  bnez s0, 1b
  la s1, done
2:
  lbu a0, 0(s1)
  beqz a0, 3f
  li a7, 1
  ecall
  addi s1, s1, 1
  j 2b
3:
  li a7, 0x53525354
  li a6, 0
  li a0, 0
  li a1, 0
  ecall
4: j 4b
done:
  .asciz "gpos: 100000 calls\n"
