/* Tiny runtime shared by the riscv64 test guests (bare metal, QEMU virt memory map).
 *
 * Output convention: one fact per line, "name = value", values in hex unless said otherwise.
 * Nothing printed may depend on timing or on a1 (the DTB address QEMU passes). */
#ifndef RT_H
#define RT_H
#include <stdint.h>

typedef uint64_t u64;
typedef int64_t i64;
typedef uint32_t u32;
typedef int32_t i32;
typedef uint16_t u16;
typedef uint8_t u8;

/* QEMU virt memory map (hw/riscv/virt.c) */
#define UART0_BASE   0x10000000UL  /* NS16550A, PLIC source 10 */
#define TEST_BASE    0x00100000UL  /* SiFive test device: 0x5555 = pass, (code<<16)|0x3333 = fail */
#define CLINT_BASE   0x02000000UL
#define CLINT_MSIP(h)     (CLINT_BASE + 4 * (h))
#define CLINT_MTIMECMP(h) (CLINT_BASE + 0x4000 + 8 * (h))
#define CLINT_MTIME       (CLINT_BASE + 0xbff8)
#define PLIC_BASE    0x0c000000UL

#define MMIO8(a)  (*(volatile u8 *)(uintptr_t)(a))
#define MMIO32(a) (*(volatile u32 *)(uintptr_t)(a))
#define MMIO64(a) (*(volatile u64 *)(uintptr_t)(a))

#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(c) ({ u64 __v; __asm__ volatile("csrr %0, " STR(c) : "=r"(__v) :: "memory"); __v; })
#define csr_write(c, v) __asm__ volatile("csrw " STR(c) ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_set(c, v) __asm__ volatile("csrs " STR(c) ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_clear(c, v) __asm__ volatile("csrc " STR(c) ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_swap(c, v) ({ u64 __v; __asm__ volatile("csrrw %0, " STR(c) ", %1" : "=r"(__v) : "rK"((u64)(v)) : "memory"); __v; })

/* mstatus / sstatus fields (priv 1.12 §3.1.6, §4.1.1) */
#define MSTATUS_SIE   (1UL << 1)
#define MSTATUS_MIE   (1UL << 3)
#define MSTATUS_SPIE  (1UL << 5)
#define MSTATUS_UBE   (1UL << 6)
#define MSTATUS_MPIE  (1UL << 7)
#define MSTATUS_SPP   (1UL << 8)
#define MSTATUS_MPP   (3UL << 11)
#define MSTATUS_FS    (3UL << 13)
#define MSTATUS_MPRV  (1UL << 17)
#define MSTATUS_SUM   (1UL << 18)
#define MSTATUS_MXR   (1UL << 19)
#define MSTATUS_TVM   (1UL << 20)
#define MSTATUS_TW    (1UL << 21)
#define MSTATUS_TSR   (1UL << 22)
#define MSTATUS_MPV   (1UL << 39)
#define MSTATUS_GVA   (1UL << 38)

#define MIP_SSIP (1UL << 1)
#define MIP_VSSIP (1UL << 2)
#define MIP_MSIP (1UL << 3)
#define MIP_STIP (1UL << 5)
#define MIP_VSTIP (1UL << 6)
#define MIP_MTIP (1UL << 7)
#define MIP_SEIP (1UL << 9)
#define MIP_VSEIP (1UL << 10)
#define MIP_MEIP (1UL << 11)
#define MIP_SGEIP (1UL << 12)

#define CAUSE_INTR (1UL << 63)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* ---- console ---- */
void putch(char c);
void print(const char *s);         /* no newline added */
void put_hex(u64 v);               /* 16 hex digits */
void put_hexn(u64 v, int digits);
void put_dec(u64 v);
void nl(void);
/* "name = <16 hex digits>\n" */
void show(const char *name, u64 v);
void show32(const char *name, u64 v);   /* 8 hex digits */
/* like show, and counts a failure (printing the wanted value) when v != want */
void check(const char *name, u64 v, u64 want);
void check32(const char *name, u64 v, u64 want);
extern int rt_failures;
/* prints "PASS" or "FAIL <n>" and powers off (code 0 / 1) */
void finish(void) __attribute__((noreturn));
void poweroff(int code) __attribute__((noreturn));

/* ---- traps ----
 * Frame saved by the trap entries in trap.S; the C handlers may edit it (epc, status, regs)
 * and the entry writes epc/status back before xRET. */
struct frame {
  u64 x[32];
  u64 epc, status, cause, tval, tval2, tinst;
};
/* What the last trap looked like. tval2/tinst = mtval2/mtinst (M) or htval/htinst (HS) when the
 * H extension is present, else 0. */
struct trap_rec {
  u64 count, cause, epc, tval, tval2, tinst, status;
  u64 hstatus;   /* s_trap only, H present: hstatus as the trap left it */
};
extern volatile struct trap_rec m_trap, s_trap, vs_trap;
/* Optional hooks: return nonzero if the trap was handled (then nothing is recorded). */
typedef int (*trap_hook)(struct frame *f);
extern trap_hook m_hook, s_hook, vs_hook;
extern int rt_have_h;   /* misa.H, set by start code before main */
void m_trap_entry(void), s_trap_entry(void), vs_trap_entry(void);

/* Default handling of exceptions: record, then resume after the faulting instruction
 * (length from its low two bits, C ext: != 0b11 means 16-bit); for instruction-fetch faults
 * (causes 0, 1, 12, 20) resume at ra instead, so tests reach bad code with jalr. Interrupts
 * without a hook are reported and stop the program. */
u64 insn_len_at(u64 addr);
void trap_reset(void);   /* zero m_trap, s_trap, vs_trap */

/* Magic ecall: a7 = RT_ECALL_RETURN, a1 = value → back to the mode that called run_in_*. */
#define RT_ECALL_RETURN 0x7e7e0001UL

/* From M-mode: run fn(arg) in mode (PRV_U or PRV_S; with mpv=1, VU/VS) and return its result
 * once it returns (the lower-mode trampoline ecalls back). mstatus.MPP/MPV are set here. */
u64 run_in_mode(u64 mode, u64 (*fn)(u64), u64 arg);
u64 run_in_mode_v(u64 mode, u64 (*fn)(u64), u64 arg);   /* MPV=1: VS (mode 1) or VU (mode 0) */
/* From S-mode (HS): run fn(arg) in U (spp 0) or S (spp 1) via sret; hstatus.SPV is left as the
 * caller set it (so SPV=1 enters VS/VU). Returns when fn returns. */
u64 s_run_in_mode(u64 spp, u64 (*fn)(u64), u64 arg);
/* ecall with a7 = number, a0..a1 args; returns a0 */
u64 ecall2(u64 num, u64 a0, u64 a1);

static inline void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }
static inline void sfence_vma(void) { __asm__ volatile("sfence.vma" ::: "memory"); }

/* One instruction on register operands: OP_RR("divu", a, b) = result of `divu rd, a, b`;
 * OP_RI("sraiw", a, 3); OP_R("fclass.d"...) lives in the FP test. */
#define OP_RR(insn, a, b) ({ u64 __r; __asm__ volatile(insn " %0, %1, %2" : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b))); __r; })
#define OP_RI(insn, a, imm) ({ u64 __r; __asm__ volatile(insn " %0, %1, " STR(imm) : "=r"(__r) : "r"((u64)(a))); __r; })

#endif
