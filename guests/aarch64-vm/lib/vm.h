/* Runtime shared by the Arm VM guests (guests/aarch64-vm/): EL1 programs that baobab runs in its
 * Armv8 VMs (and QEMU's virt machine runs at EL1 with no hypervisor). Memory is identity-mapped
 * (mmu.c: stage 1 on with VA = IPA, so a pointer is also the guest-physical address the
 * hypervisor calls want). Integer-only (-mgeneral-regs-only): the programs never touch FP/SIMD,
 * so CPACR_EL1.FPEN may stay at its reset value and the vectors save no V registers.
 *
 * Calls follow the SMC Calling Convention (Arm DEN 0028, §2.6-2.7: x0 = function id, x1.. =
 * arguments, x0.. = results; x4-x17 may be clobbered). PSCI (DEN 0022) goes through the conduit
 * the device tree's /psci "method" names (SMC under baobab, reference §3.2: HVC would reach Bao's
 * hypercalls); Bao's hypercalls always through HVC #0 (reference §3.2). */
#ifndef VM_H
#define VM_H
#include <stdint.h>

typedef uint64_t u64;
typedef int64_t i64;
typedef uint32_t u32;
typedef uint8_t u8;

#define MAX_CPUS 8               /* vCPU ids (MPIDR_EL1.Aff0) 0..7 get a 16 KiB stack each (link.ld) */

#define MMIO8(a)  (*(volatile u8 *)(uintptr_t)(a))
#define MMIO16(a) (*(volatile uint16_t *)(uintptr_t)(a))
#define MMIO32(a) (*(volatile u32 *)(uintptr_t)(a))

#define STR_(x) #x
#define STR(x) STR_(x)
#define read_sysreg(r) ({ u64 __v; __asm__ volatile("mrs %0, " STR(r) : "=r"(__v) :: "memory"); __v; })
#define write_sysreg(r, v) __asm__ volatile("msr " STR(r) ", %0" :: "r"((u64)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb() __asm__ volatile("dsb sy" ::: "memory")
#define fence() __asm__ volatile("dmb ish" ::: "memory")

/* this CPU's vCPU id: MPIDR_EL1.Aff0 (baobab's vMPIDR = id | bit 31, reference §1.3) */
static inline u64 cpu_id(void) { return read_sysreg(mpidr_el1) & 0xff; }

/* the generic timer's count and frequency (ARM DDI 0487 D11) */
static inline u64 cntvct(void) { isb(); return read_sysreg(cntvct_el0); }
static inline u64 cntfrq(void) { return read_sysreg(cntfrq_el0); }

/* IRQs off (PSTATE.I); wait for one (WFI wakes on a pending IRQ even while PSTATE.I masks it,
 * ARM DDI 0487 D1.16.2), let it be taken, IRQs off again. Used as
 * "irq_off(); while (!cond) irq_wait(); irq_on();" so that no wake-up is lost between the test
 * of cond and the WFI. */
static inline void irq_off(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }
static inline void irq_on(void) { __asm__ volatile("msr daifclr, #2\n\tisb" ::: "memory"); }
static inline void irq_wait(void)
{
  __asm__ volatile("wfi\n\tmsr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory");
}
static inline int irqs_masked(void) { return (read_sysreg(daif) & (1 << 7)) != 0; }

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

/* ---- SMCCC calls ---- */
struct smccc_res { u64 x0, x1, x2, x3; };

#define SMCCC_CALL(insn, f, a1, a2, a3) ({                                              \
  register u64 x0 __asm__("x0") = (f);                                                \
  register u64 x1 __asm__("x1") = (a1);                                               \
  register u64 x2 __asm__("x2") = (a2);                                               \
  register u64 x3 __asm__("x3") = (a3);                                               \
  __asm__ volatile(insn " #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "x4", "x5",   \
                   "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",    \
                   "x16", "x17", "memory");                                           \
  (struct smccc_res){ x0, x1, x2, x3 }; })

static inline struct smccc_res hvc_call(u64 f, u64 a1, u64 a2, u64 a3) { return SMCCC_CALL("hvc", f, a1, a2, a3); }
static inline struct smccc_res smc_call(u64 f, u64 a1, u64 a2, u64 a3) { return SMCCC_CALL("smc", f, a1, a2, a3); }

/* PSCI function ids (DEN 0022D §5.1) */
#define PSCI_CPU_ON64     0xC4000003UL
#define PSCI_SYSTEM_OFF   0x84000008UL
/* Bao's IPC notify (reference §3.2: the function is x0's low 16 bits; this is Bao's SMCCC form,
 * fast call, owner "standard hypervisor service" 6, function 1): x1 = ipc id, x2 = event */
#define BAO_HC_IPC        0x86000001UL

/* ---- UARTs: the console drivers (console.c), picked by the device tree's compatible (fdt.c) ---- */
enum uart_kind {
  UART_NONE,
  UART_PL011,    /* "arm,pl011": ARM DDI 0183 */
  UART_8250,     /* "ns16550a" (reg-shift, reg-io-width); "brcm,bcm2835-aux-uart" (the mini UART: 8250
                    registers 4 bytes apart, 32-bit accesses) */
  UART_CDNS,     /* "xlnx,xuartps", "cdns,uart-r1p8": Zynq UltraScale+ UG1085 ch. 21 */
  UART_LPUART,   /* "fsl,imx8qm-lpuart", "fsl,imx7ulp-lpuart": 32-bit LPUART registers */
  UART_IMX,      /* "fsl,imx8mq-uart", "fsl,imx6q-uart", "fsl,imx21-uart": the i.MX UART */
  UART_SIFIVE,   /* "sifive,uart0": FU540-C000 manual ch. 13 */
};
struct uart {
  int kind;                    /* enum uart_kind; UART_NONE: no console, lines go nowhere */
  u64 base;
  u32 shift, width;            /* 8250: register i at base + (i << shift), accessed width bytes wide */
  int has_irq;
  u32 irq;                     /* its INTID (the node's interrupts[0]) */
};

/* ---- device tree (fdt.c) ---- */
#define MAX_MEM 8
struct dt {
  const char *model;           /* root "model" (the VM name), or 0 */
  int ncpus;                   /* cpu nodes under /cpus (status not "disabled") */
  u32 cpus[MAX_CPUS * 4];      /* their "reg" (MPIDR affinity, Aff0 = vCPU id), ascending */
  int psci_hvc;                /* /psci "method" = "hvc" (else SMC) */
  int has_gic;                 /* first GIC node: "arm,cortex-a15-gic" & co (v2: reg = GICD, GICC) or */
  int gic_version;             /* "arm,gic-v3" (3: reg = GICD, the first redistributor) */
  u64 gicd, gicc;              /* gicc: the GICv2 CPU interface, or the GICv3 redistributors */
  int has_timer;               /* "arm,armv8-timer": INTIDs of the EL1 physical and virtual timers */
  u32 timer_phys_irq, timer_virt_irq;
  int has_uart;                /* the console: the UART /chosen/stdout-path names, else the first */
  struct uart uart;
  int nmem;                    /* /memory nodes' (base, size) ranges, the first MAX_MEM */
  u64 mem_base[MAX_MEM], mem_size[MAX_MEM];
  const char *bootargs;        /* /chosen "bootargs", or 0 */
  int has_ipc;                 /* /chosen "baobab,ipc" = <base(2 cells) size(2 cells) id irq> */
  u64 shm_base, shm_size;
  u32 ipc_id, ipc_irq;
  const char *ipc_role;        /* /chosen "baobab,ipc-role" string, or 0 */
  int has_poweroff;            /* /chosen "baobab,poweroff-after" = <u32 ticks> */
  u32 poweroff_after;
};
int fdt_parse(const void *fdt, struct dt *dt);   /* 0 = ok, -1 = no valid FDT at that address */
int str_eq(const char *a, const char *b);
int has_word(const char *s, const char *w);      /* w is one of the space-separated words of s */

/* ---- console (console.c) ---- */
void con_init(const struct uart *u);  /* 0 or UART_NONE: no UART, lines go nowhere */
int con_getc(void);                  /* a received byte, or -1 */
void con_rx_irq(int on);             /* the UART's receive interrupt (its level follows received data) */
void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

/* A line is built in a buffer and written in one go under a spinlock, with IRQs off, so lines
 * of different CPUs (and of interrupt handlers) never interleave. */
struct line { int n; char b[156]; };
void l_init(struct line *l);
void l_str(struct line *l, const char *s);
void l_chr(struct line *l, char c);
void l_dec(struct line *l, i64 v);
void l_hex(struct line *l, u64 v);   /* 0x..., no leading zeros */
void l_emit(struct line *l);         /* appends '\n' and writes it */
void say(const char *s);             /* one fixed line */

/* ---- the GIC (gic.c): GICv2 (ARM IHI 0048B ch. 4) or GICv3 (IHI 0069, system registers) ---- */
void gic_init(int version, u64 gicd, u64 gicc);  /* every CPU: its CPU interface (v3: and redistributor) on; the distributor on */
void gic_enable(u32 id, u8 prio);    /* priority, target = this CPU (SPIs), enable */
void gic_disable(u32 id);
u32 gic_ack(void);                   /* the acknowledged INTID (1020..1023: spurious) */
void gic_eoi(u32 iar);
void gic_sgi(u32 cpu, u32 sgi);      /* SGI to the CPU whose Aff0 is cpu (Aff3..1 = 0) */
#define GIC_SPURIOUS 1020

/* ---- mmu.c ---- */
void mmu_build(const struct dt *dt); /* the identity map's tables (once, MMU off): Normal where the device
                                        tree has memory, Device elsewhere; without one (0) Device below
                                        1 GiB, Normal from 1 to 4 GiB */
void mmu_build_fdt(const void *fdt); /* fdt.c: mmu_build from the device tree at fdt (0 if it is none) */
void mmu_identity_on(void);          /* stage 1 on with those tables, VA = IPA */
void dcache_clean(const void *p, u64 n);   /* DC CVAC over [p, p+n): to the point of coherency */

/* ---- start.S ---- */
void secondary_entry(void);          /* PSCI CPU_ON entry: x0 = context id (unused) */
void halt(void) __attribute__((noreturn));   /* IRQs off, WFI forever */
/* C hooks of the vectors: a program defines irq_c; exc_fatal is the default of every other entry */
void irq_c(void);
void exc_fatal(u64 kind, u64 esr, u64 elr, u64 far) __attribute__((noreturn));

#endif
