/* Entry points and exception vectors of the Arm VM guests. Entered at EL1h (baobab's vCPU reset
 * state, reference §1.3; QEMU's -kernel boot) at the load address with the MMU off, DAIF masked,
 * x0 = the device tree (the Linux boot protocol, reference §7.2).
 *  - a CPU's id is MPIDR_EL1.Aff0; its 16 KiB stack grows down from __stacks_end - id * 16 KiB; an
 *    id >= MAX_CPUS (vm.h) has no stack and parks;
 *  - entered at EL2 (QEMU with virtualization=on and no hypervisor) the program drops to EL1h;
 *  - SCTLR_EL1 = its RES1 bits + SA/SA0 + nTWI/nTWE (ARM DDI 0487 D13.2.118), VBAR_EL1 = vectors;
 *  - the boot CPU zeroes .bss, builds the identity map from the device tree and turns it on
 *    (mmu.c) and calls boot_main(id, dtb);
 *  - secondary_entry is the PSCI CPU_ON entry (DEN 0022D §5.6: x0 = context id): the identity
 *    map (the tables are the boot CPU's), then secondary_main(id);
 *  - vectors: an IRQ from EL1h saves the caller-saved registers on the current stack, calls
 *    irq_c() and ERETs (ELR/SPSR_EL1 are not saved: irq_c runs with IRQs masked and takes no
 *    exception); every other entry calls exc_fatal(entry, ESR, ELR, FAR), which does not return. */
  .equ MAX_CPUS, 8
  .equ SCTLR_INIT, 0x30d50818

  .section .text.start, "ax"
  .globl _start
_start:
  /* the arm64 Image header (Linux Documentation/arch/arm64/booting.rst §4), so that QEMU's
   * -kernel loads the raw .bin at RAM base + text_offset = LOAD_ADDR and enters it with x0 = its
   * device tree; under baobab the first instruction just branches over it */
  b 1f                          /* code0 */
  .long 0                       /* code1 */
  .quad __text_offset           /* text_offset (link.ld: LOAD_ADDR - QEMU virt's RAM base) */
  .quad __image_size            /* image_size: up to the end of the stacks */
  .quad 0xa                     /* flags: little-endian, 4 KiB pages, placed anywhere */
  .quad 0, 0, 0
  .ascii "ARM\x64"              /* magic */
  .long 0
1:mov x19, x0
  bl el1_setup
  cbz x20, 1f
  b halt                        /* not a CPU we have a stack for */
1:ldr x1, =__bss_start
  ldr x2, =__bss_end
2:cmp x1, x2
  b.hs 3f
  stp xzr, xzr, [x1], #16
  b 2b
3:dsb sy
  mov x0, x19                   /* the identity map's tables, from the device tree (mmu.c) */
  bl mmu_build_fdt
  bl mmu_identity_on
  mov x0, x21
  mov x1, x19
  bl boot_main
  b halt

  .text
  .globl secondary_entry
  .balign 4
secondary_entry:
  bl el1_setup
  cbnz x20, halt
  bl mmu_identity_on
  mov x0, x21
  bl secondary_main
  b halt

/* From EL2 drop to EL1h; set SCTLR_EL1, VBAR_EL1 and SP. Returns x21 = the CPU id, x20 = 0, or
 * x20 = 1 when the id has no stack. Uses x0-x2 and x30 only. */
el1_setup:
  mrs x0, CurrentEL
  cmp x0, #8                    /* EL2: to EL1h, back here */
  b.ne 1f
  mov x0, #(1 << 31)            /* HCR_EL2.RW: EL1 is AArch64 */
  msr hcr_el2, x0
  mov x0, #3                    /* CNTHCTL_EL2.EL1PCTEN/EL1PCEN: EL1 reaches the physical timer */
  msr cnthctl_el2, x0
  msr cntvoff_el2, xzr
  mov x0, #0x3c5                /* SPSR: EL1h, DAIF masked */
  msr spsr_el2, x0
  adr x0, 1f
  msr elr_el2, x0
  eret
1:ldr x0, =SCTLR_INIT
  msr sctlr_el1, x0
  adr x0, vectors
  msr vbar_el1, x0
  msr spsel, #1
  mrs x21, mpidr_el1
  and x21, x21, #0xff
  mov x20, #1
  cmp x21, #MAX_CPUS
  b.hs 2f
  mov x20, #0
  ldr x0, =__stacks_end
  sub x0, x0, x21, lsl #14
  mov sp, x0
2:isb
  ret

  .globl halt
halt:
  msr daifset, #2
1:wfi
  b 1b

/* ---- vectors (ARM DDI 0487 D1.10.2: four groups of four entries, 0x80 bytes each) ---- */
.macro FATAL kind
  .balign 0x80
  mov x0, #\kind
  mrs x1, esr_el1
  mrs x2, elr_el1
  mrs x3, far_el1
  b exc_fatal
.endm

  .balign 2048
vectors:
  FATAL 0     /* current EL with SP_EL0: sync */
  FATAL 1     /* IRQ */
  FATAL 2     /* FIQ */
  FATAL 3     /* SError */
  FATAL 4     /* current EL with SP_ELx: sync */
  .balign 0x80
  b irq_entry /* 5: IRQ */
  FATAL 6     /* FIQ */
  FATAL 7     /* SError */
  FATAL 8     /* lower EL, AArch64 */
  FATAL 9
  FATAL 10
  FATAL 11
  FATAL 12    /* lower EL, AArch32 */
  FATAL 13
  FATAL 14
  FATAL 15

irq_entry:
  sub sp, sp, #176
  stp x0, x1, [sp, #0]
  stp x2, x3, [sp, #16]
  stp x4, x5, [sp, #32]
  stp x6, x7, [sp, #48]
  stp x8, x9, [sp, #64]
  stp x10, x11, [sp, #80]
  stp x12, x13, [sp, #96]
  stp x14, x15, [sp, #112]
  stp x16, x17, [sp, #128]
  stp x18, x29, [sp, #144]
  str x30, [sp, #160]
  bl irq_c
  ldp x0, x1, [sp, #0]
  ldp x2, x3, [sp, #16]
  ldp x4, x5, [sp, #32]
  ldp x6, x7, [sp, #48]
  ldp x8, x9, [sp, #64]
  ldp x10, x11, [sp, #80]
  ldp x12, x13, [sp, #96]
  ldp x14, x15, [sp, #112]
  ldp x16, x17, [sp, #128]
  ldp x18, x29, [sp, #144]
  ldr x30, [sp, #160]
  add sp, sp, #176
  eret
