/* Tiny runtime shared by the aarch64 test guests (bare metal at EL1, QEMU virt memory map).
 *
 * Output convention as on riscv64: one fact per line, "name = value", values in hex unless said
 * otherwise. Nothing printed may depend on timing, on x0 at entry or on where the DTB is. */
#ifndef RT_H
#define RT_H
#include <stdint.h>

typedef uint64_t u64;
typedef int64_t i64;
typedef uint32_t u32;
typedef int32_t i32;
typedef uint16_t u16;
typedef int16_t i16;
typedef uint8_t u8;
typedef int8_t i8;

/* QEMU virt memory map (hw/arm/virt.c, base_memmap) */
#define RAM_BASE     0x40000000UL
#define UART0_BASE   0x09000000UL  /* PL011, SPI 1 = interrupt id 33 */
#define GICD_BASE    0x08000000UL  /* GICv2 distributor */
#define GICC_BASE    0x08010000UL  /* GICv2 CPU interface */
#define UART0_IRQ    33
#define PPI_VTIMER   27            /* EL1 virtual timer (CNTV) */
#define PPI_PTIMER   30            /* EL1 non-secure physical timer (CNTP) */

#define MMIO8(a)  (*(volatile u8 *)(uintptr_t)(a))
#define MMIO32(a) (*(volatile u32 *)(uintptr_t)(a))
#define MMIO64(a) (*(volatile u64 *)(uintptr_t)(a))

#define STR_(x) #x
#define STR(x) STR_(x)
#define read_sysreg(r) ({ u64 __v; __asm__ volatile("mrs %0, " STR(r) : "=r"(__v) :: "memory"); __v; })
#define write_sysreg(r, v) __asm__ volatile("msr " STR(r) ", %0" :: "r"((u64)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(o) __asm__ volatile("dsb " #o ::: "memory")
#define irq_enable() __asm__ volatile("msr daifclr, #2" ::: "memory")
#define irq_disable() __asm__ volatile("msr daifset, #2" ::: "memory")

/* ---- console (PL011 data register, polled on UARTFR.TXFF) ---- */
void putch(char c);
void print(const char *s);         /* no newline added */
void put_hex(u64 v);               /* 16 hex digits */
void put_hexn(u64 v, int digits);
void put_dec(u64 v);
void nl(void);
/* printf-lite: %s %c %d %u %x %lx %ld %lu %p %%, with a 0-padding width (%016lx, %8x).
 * Integer conversions take u64/i64 for the l forms, u32/int otherwise. */
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "name = <16 hex digits>\n" */
void show(const char *name, u64 v);
void show32(const char *name, u64 v);   /* 8 hex digits */
/* like show, and counts a failure (printing the wanted value) when v != want */
void check(const char *name, u64 v, u64 want);
void check32(const char *name, u64 v, u64 want);
extern int rt_failures;
extern u64 rt_entry_el;   /* CurrentEL.EL at _start (1 on QEMU virt's default) */
/* prints "FAIL <n>" if a check failed, then "<name>: done", and powers off */
void finish(const char *name) __attribute__((noreturn));
/* PSCI SYSTEM_OFF (QEMU exits with status 0), over HVC, or SMC when entered at EL2 */
void poweroff(void) __attribute__((noreturn));

/* ---- SMCCC / PSCI (DEN0022) ---- */
#define PSCI_VERSION     0x84000000UL
#define PSCI_SYSTEM_OFF  0x84000008UL
#define PSCI_FEATURES    0x8400000aUL
i64 rt_hvc(u64 x0, u64 x1, u64 x2, u64 x3);
i64 rt_smc(u64 x0, u64 x1, u64 x2, u64 x3);

/* ---- exceptions ----
 * Frame built by the vector entries in start.S; hooks may edit it (x[], sp for SP_EL0 entries,
 * elr, spsr), the entry writes it back before ERET. kind = vector entry 0..15 (group * 4 +
 * sync/IRQ/FIQ/SError; groups: current EL SP_EL0, current EL SP_ELx, lower EL AArch64, AArch32). */
struct frame {
  u64 x[31];
  u64 sp, elr, spsr, esr, far, kind, pad;
};
#define KIND_SYNC 0
#define KIND_IRQ  1
#define KIND_FIQ  2
#define KIND_SERROR 3

/* ESR_ELx (ARM DDI 0487, ESR_EL1) */
#define ESR_EC(e)  (((e) >> 26) & 0x3f)
#define ESR_IL(e)  (((e) >> 25) & 1)
#define ESR_ISS(e) ((e) & 0x1ffffff)
#define EC_UNKNOWN      0x00
#define EC_WFX          0x01
#define EC_FP           0x07
#define EC_ILLEGAL      0x0e
#define EC_SVC64        0x15
#define EC_HVC64        0x16
#define EC_SMC64        0x17
#define EC_SYSREG       0x18
#define EC_IABT_LOWER   0x20
#define EC_IABT_CUR     0x21
#define EC_PC_ALIGN     0x22
#define EC_DABT_LOWER   0x24
#define EC_DABT_CUR     0x25
#define EC_SP_ALIGN     0x26
#define EC_FP_EXC64     0x2c
#define EC_SERROR       0x2f
#define EC_BRK64        0x3c

/* What the last synchronous exception looked like (recorded by the default handling). */
struct exc_rec {
  u64 count, kind, esr, far, elr, spsr;
};
extern volatile struct exc_rec exc;
void exc_reset(void);
/* "<what>: EC 0x.. IL . ISS 0x......." from exc, with " FAR <hex>" where FAR is valid for the
 * EC (aborts, PC alignment, watchpoints), or "<what>: no exception" */
void print_exc(const char *what);

/* Hooks: return nonzero if the exception was handled (then nothing is recorded). A hook must not
 * use FP/SIMD registers (the vector entry does not save them): mark it RT_HANDLER. */
#define RT_HANDLER __attribute__((target("general-regs-only")))
typedef int (*exc_hook)(struct frame *f);
extern exc_hook sync_hook, irq_hook;

/* Default handling of a synchronous exception: record it in exc, then resume after the faulting
 * instruction (ELR + 4; SVC/HVC/SMC already leave ELR after the instruction), except for
 * instruction aborts and PC alignment faults, which resume at the faulting code's x30 (tests
 * reach bad code with blr). An IRQ without a hook, an FIQ or an SError prints and powers off. */
void rt_exception(struct frame *f);

/* Run fn(arg) at EL0 (RT_EL0T) or at EL1 on SP_EL0 (RT_EL1T), on stack sp (0 = the runtime's
 * EL0 stack), with the caller's DAIF; returns fn's result. fn returns by `svc #RT_SVC_RETURN`
 * from a trampoline, so fn itself is an ordinary function. */
#define RT_EL0T 0x0
#define RT_EL1T 0x4
#define RT_SVC_RETURN 0xba0b
u64 rt_run(u64 mode, u64 (*fn)(u64), u64 arg, u64 sp);

/* ---- MMU (mmu.c) ----
 * Identity map with the MMU on: 39-bit VA (T0SZ = 25, walk starts at level 1), 4 KiB granule,
 * 1 GiB blocks: [0, 1 GiB) Device-nGnRnE (flash, GIC, UART), [1 GiB, 4 GiB) Normal write-back
 * (RAM). SCTLR_EL1.M, C, I set. For programs that need Normal memory (unaligned accesses,
 * exclusives, library memcpy) without testing the MMU itself. */
void mmu_identity_on(void);
void mmu_off(void);

/* MAIR_EL1 attribute indexes used by mmu.c and the mmu program */
#define MAIR_DEVICE_nGnRnE 0
#define MAIR_NORMAL_WB     1
#define MAIR_NORMAL_NC     2
#define MAIR_VALUE 0x44ff00UL

#endif
