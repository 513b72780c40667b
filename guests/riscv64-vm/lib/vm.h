/* Runtime shared by the VM guests (guests/riscv64-vm/): S-mode programs that baobab runs in
 * VS-mode (and QEMU + OpenSBI runs in S-mode). Memory is identity-mapped (no paging), so a
 * pointer is also the physical address the SBI calls want. Integer-only (rv64imac, lp64): the
 * programs never touch the FPU, so sstatus.FS may stay Off.
 *
 * SBI calls follow the SBI spec v2.0, ch. 3 (binary encoding): a7 = extension id, a6 = function
 * id, a0..a5 = arguments; a0 = error, a1 = value on return. The legacy calls (ch. 5) return one
 * value in a0. */
#ifndef VM_H
#define VM_H
#include <stdint.h>

typedef uint64_t u64;
typedef int64_t i64;
typedef uint32_t u32;
typedef uint8_t u8;

#define MAX_HARTS 8              /* hart ids 0..7 get a 16 KiB stack each (link.ld) */

#define MMIO8(a)  (*(volatile u8 *)(uintptr_t)(a))
#define MMIO32(a) (*(volatile u32 *)(uintptr_t)(a))

#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(c) ({ u64 __v; __asm__ volatile("csrr %0, " STR(c) : "=r"(__v) :: "memory"); __v; })
#define csr_write(c, v) __asm__ volatile("csrw " STR(c) ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_set(c, v) __asm__ volatile("csrs " STR(c) ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_clear(c, v) __asm__ volatile("csrc " STR(c) ", %0" :: "rK"((u64)(v)) : "memory")
#define CSR_STIMECMP 0x14d       /* Sstc (priv 1.12 + Sstc 1.0) */

#define SSTATUS_SIE (1UL << 1)
#define SIP_SSIP (1UL << 1)      /* sip/sie bit numbers = interrupt cause codes 1, 5, 9 */
#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)
#define CAUSE_INTR (1UL << 63)

#define fence() __asm__ volatile("fence rw, rw" ::: "memory")

static inline u64 hart_id(void)  /* start.S keeps the hart id in tp */
{
  u64 v;
  __asm__ volatile("mv %0, tp" : "=r"(v));
  return v;
}

static inline u64 rdtime(void) { return csr_read(time); }

/* Interrupts off; wait for one (wfi wakes on a pending, sie-enabled interrupt even with
 * sstatus.SIE = 0, priv 1.12 §3.3.3), let it be taken, interrupts off again. Used in
 * "irq_off(); while (!cond) irq_wait(); irq_on();" so that no wake-up is lost between the
 * test of cond and the wfi. */
static inline void irq_off(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline void irq_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void irq_wait(void)
{
  __asm__ volatile("wfi\n\tcsrsi sstatus, 2\n\tnop\n\tcsrci sstatus, 2" ::: "memory");
}

/* whether string s ends with t (guests pick their mode by their VM's name: "...-idle") */
static inline int ends_with(const char *s, const char *t)
{
  const char *a = s, *b = t;
  while (*a)
    a++;
  while (*b)
    b++;
  while (b > t && a > s)
    if (*--a != *--b)
      return 0;
  return b == t;
}

/* ---- SBI (spec v2.0) ---- */
struct sbiret { long error; long value; };

static inline struct sbiret sbi_call(u64 eid, u64 fid, u64 x0, u64 x1, u64 x2)
{
  register u64 a0 __asm__("a0") = x0;
  register u64 a1 __asm__("a1") = x1;
  register u64 a2 __asm__("a2") = x2;
  register u64 a6 __asm__("a6") = fid;
  register u64 a7 __asm__("a7") = eid;
  __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
  return (struct sbiret){ (long)a0, (long)a1 };
}

#define SBI_ERR_NOT_SUPPORTED (-2)

#define SBI_EXT_LEGACY_PUTCHAR 0x01        /* ch. 5.2 */
#define SBI_EXT_LEGACY_GETCHAR 0x02        /* ch. 5.3 */
#define SBI_EXT_TIME 0x54494D45            /* ch. 6  "TIME" */
#define SBI_EXT_IPI  0x735049              /* ch. 7  "sPI"  */
#define SBI_EXT_HSM  0x48534D              /* ch. 9  "HSM"  */
#define SBI_EXT_SRST 0x53525354            /* ch. 10 "SRST" */
#define SBI_EXT_DBCN 0x4442434E            /* ch. 12 "DBCN" */
#define BAO_HYPERCALL 0x08000BA0           /* Bao/CROSSCON: in the experimental range (ch. 3) */
#define BAO_HC_IPC 1                       /* a6 = 1: IPC notify(a0 = ipc id, a1 = event) */

/* ch. 6.1: sbi_set_timer(stime_value) — absolute time; also clears the pending timer interrupt */
static inline struct sbiret sbi_set_timer(u64 t) { return sbi_call(SBI_EXT_TIME, 0, t, 0, 0); }
/* ch. 7.1: sbi_send_ipi(hart_mask, hart_mask_base) */
static inline struct sbiret sbi_send_ipi(u64 mask, u64 base) { return sbi_call(SBI_EXT_IPI, 0, mask, base, 0); }
/* ch. 9.1: sbi_hart_start(hartid, start_addr, opaque): the hart enters start_addr in S-mode with
 * a0 = hartid, a1 = opaque, satp = 0, sstatus.SIE = 0 */
static inline struct sbiret sbi_hart_start(u64 hart, u64 addr, u64 opaque) { return sbi_call(SBI_EXT_HSM, 0, hart, addr, opaque); }
/* ch. 10.1: sbi_system_reset(reset_type, reset_reason): type 0 = shutdown, reason 0 = none */
static inline struct sbiret sbi_shutdown(void) { return sbi_call(SBI_EXT_SRST, 0, 0, 0, 0); }

/* ---- device tree (fdt.c) ---- */
struct dt {
  const char *model;           /* root "model" (the VM name), or 0 */
  int nharts;                  /* cpu nodes under /cpus (status not "disabled") */
  u32 harts[MAX_HARTS * 4];    /* their "reg" (hart ids), ascending */
  u64 timebase;                /* /cpus "timebase-frequency" (or a cpu node's), 0 if none */
  int has_uart, has_uart_irq;  /* the first UART console.c has a driver for: reg base, interrupts[0] */
  u64 uart;
  u32 uart_irq;
  int uart_kind;               /* enum uart_kind: its driver, picked by its compatible */
  u32 uart_shift, uart_width;  /* an 8250's reg-shift and reg-io-width (defaults 0 and 1) */
  int has_plic;                /* first compatible "riscv,plic0" / "sifive,plic-1.0.0" */
  u64 plic;
  int sstc;                    /* /chosen "baobab,sstc" present */
  int has_ipc;                 /* /chosen "baobab,ipc" = <base(2 cells) size(2 cells) id irq> */
  u64 shm_base, shm_size;
  u32 ipc_id, ipc_irq;
  const char *ipc_role;        /* /chosen "baobab,ipc-role" string, or 0 */
  int has_poweroff;            /* /chosen "baobab,poweroff-after" = <u32 ticks> */
  u32 poweroff_after;
  const char *bootargs;        /* /chosen "bootargs", or 0 */
};
int fdt_parse(const void *fdt, struct dt *dt);   /* 0 = ok, -1 = no valid FDT at that address */
int str_eq(const char *a, const char *b);

/* ---- console (console.c) ---- */
enum uart_kind {
  UART_NONE,
  UART_8250,     /* "ns16550a": register i at base + (i << reg-shift), reg-io-width bytes wide */
  UART_SIFIVE,   /* "sifive,uart0": FU540-C000 manual ch. 13 */
};
enum { CON_UART, CON_DBCN, CON_LEGACY };
extern int con_mode;
void con_init(const struct dt *dt);
int con_getc(void);                  /* a received byte, or -1 */
void con_rx_irq(int on);             /* the UART's receive interrupt (its level follows received data) */
const char *con_name(void);          /* "uart" / "dbcn" / "legacy" */

/* A line is built in a buffer (on the caller's stack: identity-mapped, so DBCN can take its
 * address) and written in one go under a spinlock, with interrupts off, so lines never mix. */
struct line { int n; char b[156]; };
void l_init(struct line *l);
void l_str(struct line *l, const char *s);
void l_chr(struct line *l, char c);
void l_dec(struct line *l, i64 v);
void l_hex(struct line *l, u64 v);   /* 0x..., no leading zeros */
void l_emit(struct line *l);         /* appends '\n' and writes it */
void say(const char *s);             /* one fixed line */
void trap_fatal(const char *what, u64 cause, u64 epc, u64 tval); /* "<what> cause … epc … tval …", then halt */

/* ---- start.S ---- */
void secondary_entry(void);          /* HSM start address: a0 = hart id, a1 = opaque */
void halt(void);                     /* interrupts off, wfi forever */

#endif
