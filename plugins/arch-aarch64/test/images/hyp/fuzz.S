// The guest of test/aarch64-fuzz*.test.ts and test/aarch64-call-fuzz.test.ts: a tiny EL1 runtime,
// booted bare (QEMU virt -kernel: an arm64 Image header, text_offset 0x10000000, so it lands at
// 0x50000000) or as a VM at 0x50000000.
// The test writes its work into the guest's memory before the first instruction runs:
//   WORDS (P_MODE 1): P_COUNT random 32-bit words, each in a slot [word, b next] of the AREA; each
//     is entered by ERET (EL1h, IRQs unmasked) with x0..x30 and SP from one of 256 register files
//     (REGS + (i & 255) * 256); whatever happens — it falls through to `b next`, branches away,
//     takes an exception of any kind, hangs until the watchdog tick — the runtime counts it and
//     goes on with the next word. An UNDEFINED encoding is EC 0 at VBAR_EL1 + 0x200, as on
//     hardware; HVC and SMC go to whatever is above EL1 (a hypervisor, or QEMU's PSCI firmware).
//   CALLS (P_MODE 2): P_COUNT HVC/SMC calls, one record of 128 bytes each in the AREA (x0..x7,
//     then the conduit: 0 = HVC #0, 1 = SMC #0); x0..x7 after each call go to RESULTS + i * 64, and
//     x9..x17 (canaries) must come back as they went in. D_CUR counts a call before it is made, so
//     after a PSCI SYSTEM_RESET (the image loaded again, the rest of RAM as it was) the runtime
//     goes on with the next one.
// Self-protection, so that no word can break the runtime for the next one:
//   - a stage-1 identity map of exactly what the VM has (RAM, the GICD, GICC and UART pages), the
//     runtime's code, tables and the test's data read-only, a scratch MiB read/write: a word's
//     load or store anywhere else is the guest's own translation or permission fault, never a
//     stage-2 one;
//   - before each word and on every exception entry, the translation registers (SCTLR, TCR,
//     TTBR0, MAIR) are compared with the runtime's and rewritten with the MMU off if a word
//     changed them, VBAR_EL1 and CPACR_EL1 (FP on) are rewritten, all without a memory access;
//   - the watchdog: CNTV (PPI 27 through the GIC) every P_TICK ticks; a tick ends the word.
//   What it cannot survive: a word that leaves TTBR0, TCR or SCTLR broken faults on its next
//   fetch and again on its vector's (a VM is then stopped by the stage-2 fault of the table walk,
//   a bare CPU loops); 2^-27 a word for each register, none among the tests' seeds.
// Progress and counts are in DATA (read by the test): D_CUR the next word/call, D_DONE 1 at the
// end, D_VEC[16] entries per vector, D_EC[64] synchronous exceptions per ESR_EL1.EC, D_TICKS,
// D_CLOBBER. Console: "fuzz start", "fuzz done" on the PL011 at 0x09000000.
#define UART 0x09000000
#define GICD 0x08000000
#define GICC 0x08010000

// layout, offsets from the load address (test/aarch64-fuzz-util.ts has the same)
#define O_TABLES  0x10000
#define O_DATA    0x20000
#define O_PARAMS  0x30000
#define O_REGS    0x40000
#define O_SCRATCH 0x100000
#define O_AREA    0x200000
#define O_RESULTS 0x1000000
#define RAM_MB    32

#define P_MODE  0
#define P_COUNT 8
#define P_TICK  16

#define D_CUR     0
#define D_DONE    8
#define D_TICKS   16
#define D_CLOBBER 24
#define D_VEC     64
#define D_EC      192

// SCTLR_EL1: the reset value (RES1 bits, SA, SA0, nTWI, nTWE) with and without M, C, I. FLAT
// (fuzz-flat.bin) keeps the MMU off: every address a word makes is an IPA, so under a hypervisor
// a load, store or branch outside the VM's map is a stage-2 fault
#define SCTLR_OFF 0x00c50838
#ifdef FLAT
#define SCTLR_RUN SCTLR_OFF
#else
#define SCTLR_RUN 0x00c5183d
#endif
// TCR_EL1: T0SZ 25 (39-bit VA, walks from level 1), inner/outer WB, inner shareable, 4 KiB, EPD1, IPS 40 bits
#define TCR_RUN   0x200803519
// MAIR_EL1: attr0 Device-nGnRnE, attr1 Normal write-back
#define MAIR_RUN  0xff00
// SPSR for entering a word: EL1h, D, A, F masked, IRQ open (the watchdog)
#define SPSR_WORD 0x345

// stage-1 descriptors (D8.3): page 0b11 / block 0b01, AttrIndx << 2, AP[2:1] << 6, SH << 8, AF, PXN/UXN
#define PG_RO_X   0x787          // Normal, EL1 read-only, executable
#define PG_RO     0x0060000000000787
#define PG_RW     0x0060000000000707
#define PG_DEV    0x0060000000000403
#define BLK_RW_X  0x705
#define BLK_RO_X  0x785
#define TABLE     0x3

    .macro LI reg, val
    movz    \reg, #((\val) & 0xffff)
    .if ((\val) >> 16) & 0xffff
    movk    \reg, #(((\val) >> 16) & 0xffff), lsl #16
    .endif
    .if ((\val) >> 32) & 0xffff
    movk    \reg, #(((\val) >> 32) & 0xffff), lsl #32
    .endif
    .if ((\val) >> 48) & 0xffff
    movk    \reg, #(((\val) >> 48) & 0xffff), lsl #48
    .endif
    .endm

    // x0..x3 only, no memory access: the translation registers back to the runtime's if a word
    // changed them (each write flushes the TLB, so only then), VBAR_EL1 and CPACR_EL1 always
    .macro RESTORE_SYS
    mrs     x0, sctlr_el1
    LI      x1, SCTLR_RUN
    cmp     x0, x1
    mrs     x0, tcr_el1
    LI      x1, TCR_RUN
    ccmp    x0, x1, #0, eq
    mrs     x0, mair_el1
    LI      x1, MAIR_RUN
    ccmp    x0, x1, #0, eq
    mrs     x0, ttbr0_el1
    adr     x1, _start
    add     x1, x1, #O_TABLES
    ccmp    x0, x1, #0, eq
    b.eq    1f
    bl      fix_translation
1:  adr     x0, vectors
    msr     vbar_el1, x0
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    .endm

    .section .text.boot, "ax"
    .globl _start
_start:
    // the arm64 Image header (Linux Documentation/arch/arm64/booting.rst)
    b       boot                    // code0
    .long   0                       // code1
    .quad   0x10000000              // text_offset: RAM base 0x40000000 + 0x10000000 = the link address
    .quad   (RAM_MB << 20)          // image_size: all of the layout (the DTB goes beyond it)
    .quad   0xa                     // flags: little-endian, 4 KiB pages, anywhere
    .quad   0, 0, 0
    .ascii  "ARM\x64"
    .long   0

    // +0x40: where every slot's `b next` goes (the test encodes the branch)
    .org    0x40
next:                               // a word fell through (IRQs open: a tick here restarts `next`)
    RESTORE_SYS
restored:                           // from `common`, which restored already
    mrs     x0, cntv_ctl_el0        // the watchdog still on and unmasked?
    and     x0, x0, #3
    cmp     x0, #1
    b.eq    1f
    bl      watchdog_arm
1:  adr     x10, _start
    add     x11, x10, #O_DATA
    add     x12, x10, #O_PARAMS
    ldr     x1, [x11, #D_CUR]
    ldr     x2, [x12, #P_COUNT]
    cmp     x1, x2
    b.hs    words_done
    add     x3, x1, #1
    str     x3, [x11, #D_CUR]
    add     x4, x10, #O_AREA
    add     x4, x4, x1, lsl #3      // the slot
    msr     elr_el1, x4
    mov     x5, #SPSR_WORD
    msr     spsr_el1, x5
    and     x1, x1, #255
    add     x30, x10, #O_REGS
    add     x30, x30, x1, lsl #8    // the register file
    mrs     x0, spsel               // a word may have left SP_EL0 selected
    cbnz    x0, 2f
    msr     spsel, #1
2:  ldr     x0, [x30, #248]
    mov     sp, x0
    ldp     x0, x1, [x30]
    ldp     x2, x3, [x30, #16]
    ldp     x4, x5, [x30, #32]
    ldp     x6, x7, [x30, #48]
    ldp     x8, x9, [x30, #64]
    ldp     x10, x11, [x30, #80]
    ldp     x12, x13, [x30, #96]
    ldp     x14, x15, [x30, #112]
    ldp     x16, x17, [x30, #128]
    ldp     x18, x19, [x30, #144]
    ldp     x20, x21, [x30, #160]
    ldp     x22, x23, [x30, #176]
    ldp     x24, x25, [x30, #192]
    ldp     x26, x27, [x30, #208]
    ldp     x28, x29, [x30, #224]
    ldr     x30, [x30, #240]
    eret

// every exception: x9 = the vector's number (0..15: group * 4 + sync/IRQ/FIQ/SError)
common:
    RESTORE_SYS
    adr     x10, _start
    add     x10, x10, #O_DATA
    add     x11, x10, #D_VEC
    ldr     x12, [x11, x9, lsl #3]
    add     x12, x12, #1
    str     x12, [x11, x9, lsl #3]
    ands    x13, x9, #3
    b.ne    1f
    mrs     x12, esr_el1            // synchronous: count by exception class
    lsr     x12, x12, #26
    add     x11, x10, #D_EC
    ldr     x13, [x11, x12, lsl #3]
    add     x13, x13, #1
    str     x13, [x11, x12, lsl #3]
    b       restored
1:  cmp     x13, #1
    b.ne    restored                // FIQ, SError: counted
    LI      x1, GICC                // IRQ: acknowledge, the watchdog's next tick, EOI
    ldr     w2, [x1, #0x0c]
    and     w3, w2, #0x3ff
    cmp     w3, #1020
    b.hs    restored
    cmp     w3, #27
    b.ne    2f
    ldr     x4, [x10, #D_TICKS]
    add     x4, x4, #1
    str     x4, [x10, #D_TICKS]
    bl      watchdog_arm
2:  str     w2, [x1, #0x10]
    b       restored

// MMU off, the runtime's TCR, MAIR, TTBR0, TLBs invalidated, MMU on (x0, x1)
fix_translation:
    LI      x0, SCTLR_OFF
    msr     sctlr_el1, x0
    isb
    LI      x0, TCR_RUN
    msr     tcr_el1, x0
    LI      x0, MAIR_RUN
    msr     mair_el1, x0
    adr     x0, _start
    add     x0, x0, #O_TABLES
    msr     ttbr0_el1, x0
    tlbi    vmalle1
    dsb     sy
    isb
    LI      x0, SCTLR_RUN
    msr     sctlr_el1, x0
    isb
    ret

// CNTV fires in P_TICK ticks, enabled, unmasked (x0)
watchdog_arm:
    adr     x0, _start
    add     x0, x0, #O_PARAMS
    ldr     x0, [x0, #P_TICK]
    msr     cntv_tval_el0, x0
    mov     x0, #1
    msr     cntv_ctl_el0, x0
    ret

words_done:
    msr     cntv_ctl_el0, xzr       // no more ticks, and none left pending (WFI would not wait)
    LI      x1, GICC
1:  ldr     w2, [x1, #0x0c]
    and     w3, w2, #0x3ff
    cmp     w3, #1020
    b.hs    finish
    str     w2, [x1, #0x10]
    b       1b

boot:
    msr     daifset, #0xf
    adr     x0, vectors
    msr     vbar_el1, x0
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    isb
    bl      build_tables
    adr     x0, msg_start
    bl      puts
    bl      fix_translation         // the identity map on
    adr     x10, _start
    add     x12, x10, #O_PARAMS
    ldr     x0, [x12, #P_MODE]
    cmp     x0, #2
    b.eq    calls
    cmp     x0, #1
    b.ne    finish
    bl      gic_init
    bl      watchdog_arm
    b       next

// ---- CALLS ----
calls:
    adr     x19, _start
    add     x23, x19, #O_DATA
    add     x21, x19, #O_PARAMS
    ldr     x21, [x21, #P_COUNT]
    mov     x20, #O_RESULTS
    add     x20, x19, x20
    add     x19, x19, #O_AREA
1:  ldr     x22, [x23, #D_CUR]
    cmp     x22, x21
    b.hs    finish
    add     x24, x19, x22, lsl #7   // the record
    add     x25, x20, x22, lsl #6   // its results
    add     x22, x22, #1            // done before it is made: a call that reboots the VM is not made again
    str     x22, [x23, #D_CUR]
    add     x9, x24, #9             // canaries: record address + register number
    add     x10, x24, #10
    add     x11, x24, #11
    add     x12, x24, #12
    add     x13, x24, #13
    add     x14, x24, #14
    add     x15, x24, #15
    add     x16, x24, #16
    add     x17, x24, #17
    ldr     x8, [x24, #64]
    ldp     x0, x1, [x24]
    ldp     x2, x3, [x24, #16]
    ldp     x4, x5, [x24, #32]
    ldp     x6, x7, [x24, #48]
    cbnz    x8, 2f
    hvc     #0
    b       3f
2:  smc     #0
3:  stp     x0, x1, [x25]
    stp     x2, x3, [x25, #16]
    stp     x4, x5, [x25, #32]
    stp     x6, x7, [x25, #48]
    mov     x26, #0
    .irp n, 9, 10, 11, 12, 13, 14, 15, 16, 17
    add     x27, x24, #\n
    cmp     x\n, x27
    cinc    x26, x26, ne
    .endr
    cbz     x26, 4f
    ldr     x27, [x23, #D_CLOBBER]
    add     x27, x27, #1
    str     x27, [x23, #D_CLOBBER]
4:  b       1b

finish:
    adr     x0, msg_done
    bl      puts
    adr     x10, _start
    add     x10, x10, #O_DATA
    mov     x0, #1
    str     x0, [x10, #D_DONE]
park:
    wfi
    b       park

// ---- the identity map (the tables are written with the MMU off) ----
// L1 [0] → L2a (0..1 GiB), [1] → L2b (1..2 GiB). L2a [64] → L3 of the GIC (GICD page, GICC's two),
// [72] → L3 of the UART page. L2b: the first 2 MiB of the load address page by page (L3r), the
// rest of the RAM_MB as 2 MiB blocks, read-only in WORDS mode (the slots), read/write in CALLS.
#define T_L1   0x0000
#define T_L2A  0x1000
#define T_L2B  0x2000
#define T_L3G  0x3000
#define T_L3U  0x4000
#define T_L3R  0x5000
    .macro DESC table, index, reg
    str     \reg, [x20, #(\table + 8 * (\index))]
    .endm
build_tables:
    adr     x19, _start
    add     x20, x19, #O_TABLES
    mov     x1, x20                 // zero the six tables
    add     x2, x20, #0x6000
1:  stp     xzr, xzr, [x1], #16
    cmp     x1, x2
    b.lo    1b
    add     x0, x20, #T_L2A
    orr     x0, x0, #TABLE
    DESC    T_L1, 0, x0
    add     x0, x20, #T_L2B
    orr     x0, x0, #TABLE
    DESC    T_L1, 1, x0
    add     x0, x20, #T_L3G
    orr     x0, x0, #TABLE
    DESC    T_L2A, 64, x0
    add     x0, x20, #T_L3U
    orr     x0, x0, #TABLE
    DESC    T_L2A, 72, x0
    LI      x1, PG_DEV
    LI      x0, GICD
    orr     x0, x0, x1
    DESC    T_L3G, 0, x0
    add     x0, x0, #0x10000
    DESC    T_L3G, 16, x0
    add     x0, x0, #0x1000
    DESC    T_L3G, 17, x0
    LI      x0, UART
    orr     x0, x0, x1
    DESC    T_L3U, 0, x0
    // L2b: the load address's 2 MiB as pages, then blocks
    ubfx    x2, x19, #21, #9        // the load address's index in the 1..2 GiB table
    add     x0, x20, #T_L3R
    orr     x0, x0, #TABLE
    add     x3, x20, #T_L2B
    str     x0, [x3, x2, lsl #3]
    adr     x4, _start
    add     x5, x4, #O_PARAMS
    ldr     x5, [x5, #P_MODE]
    LI      x6, BLK_RO_X
    cmp     x5, #2
    b.ne    2f
    LI      x6, BLK_RW_X
2:  mov     x7, #1
3:  add     x0, x19, x7, lsl #21
    orr     x0, x0, x6
    add     x8, x2, x7
    str     x0, [x3, x8, lsl #3]
    add     x7, x7, #1
    cmp     x7, #(RAM_MB / 2)
    b.lo    3b
    // L3r: page k of the load address's first 2 MiB
    add     x3, x20, #T_L3R
    mov     x7, #0
4:  lsr     x8, x7, #4              // 64 KiB unit
    LI      x6, PG_RO_X             // 0: code
    cmp     x8, #1                  // 1: tables
    b.lo    5f
    LI      x6, PG_RO
    b.eq    5f
    LI      x6, PG_RW               // 2: data
    cmp     x8, #2
    b.eq    5f
    LI      x6, PG_RO               // 3, 4: parameters, register files
    cmp     x8, #4
    b.ls    5f
    mov     x6, #0                  // 5..15: nothing
    cmp     x8, #16
    b.lo    5f
    LI      x6, PG_RW               // 16..31: scratch
5:  cbz     x6, 6f
    add     x0, x19, x7, lsl #12
    orr     x0, x0, x6
    str     x0, [x3, x7, lsl #3]
6:  add     x7, x7, #1
    cmp     x7, #512
    b.lo    4b
    dsb     sy
    ret

// ---- the GIC (v2): distributor and CPU interface on, PPI 27 enabled at priority 0x80 ----
gic_init:
    LI      x1, GICD
    mov     w2, #1
    str     w2, [x1]
    mov     w2, #(1 << 27)
    str     w2, [x1, #0x100]
    mov     w2, #0x80
    strb    w2, [x1, #(0x400 + 27)]
    LI      x1, GICC
    mov     w2, #0xff
    str     w2, [x1, #4]
    mov     w2, #1
    str     w2, [x1]
    ret

// ---- console: PL011 UARTDR at +0, UARTFR.TXFF (bit 5) at +0x18 ----
puts:                               // x0 = NUL-terminated string, then a newline (x0..x3)
    LI      x1, UART
1:  ldrb    w2, [x0], #1
    cbz     w2, 3f
2:  ldr     w3, [x1, #0x18]
    tbnz    w3, #5, 2b
    strb    w2, [x1]
    b       1b
3:  ldr     w3, [x1, #0x18]
    tbnz    w3, #5, 3b
    mov     w2, #'\n'
    strb    w2, [x1]
    ret

msg_start:  .asciz "fuzz start"
msg_done:   .asciz "fuzz done"

    .balign 2048
vectors:
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .balign 0x80
    mov     x9, #\n
    b       common
    .endr
