/* Runtime of the aarch64 test guests: polled PL011 output, printf-lite, PSCI poweroff and the C
 * half of the exception vectors (see rt.h for the conventions). Built with -mgeneral-regs-only:
 * nothing here may touch FP/SIMD registers, which the vector entries do not save. */
#include <stdarg.h>
#include "rt.h"

int rt_failures;
u64 rt_entry_el;
volatile struct exc_rec exc;
exc_hook sync_hook, irq_hook;

/* callee-saved context of rt_run's caller (start.S): x19-x30, sp, daif */
struct run_ctx { u64 x[12]; u64 sp, daif; };
struct run_ctx rt_run_ctx;

/* PL011 (DDI 0183): UARTDR at +0x000, UARTFR at +0x018, FR.TXFF (bit 5) = transmit FIFO full.
 * No initialisation: QEMU's PL011 transmits whatever is written to DR. */
#define UARTDR 0x000
#define UARTFR 0x018
#define FR_TXFF (1u << 5)

void putch(char c)
{
  while (MMIO32(UART0_BASE + UARTFR) & FR_TXFF)
    ;
  MMIO32(UART0_BASE + UARTDR) = (u8)c;
}

void print(const char *s)
{
  while (*s)
    putch(*s++);
}

void nl(void) { putch('\n'); }

void put_hexn(u64 v, int digits)
{
  for (int i = (digits - 1) * 4; i >= 0; i -= 4)
    putch("0123456789abcdef"[(v >> i) & 15]);
}

void put_hex(u64 v) { put_hexn(v, 16); }

static void put_num(u64 v, unsigned base, int width, char pad)
{
  char buf[24];
  int n = 0;
  do {
    buf[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  while (width-- > n)
    putch(pad);
  while (n)
    putch(buf[--n]);
}

void put_dec(u64 v) { put_num(v, 10, 0, ' '); }

void printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') {
      putch(*p);
      continue;
    }
    p++;
    char pad = ' ';
    int width = 0, is_long = 0;
    if (*p == '0') {
      pad = '0';
      p++;
    }
    while (*p >= '0' && *p <= '9')
      width = width * 10 + (*p++ - '0');
    while (*p == 'l') {
      is_long = 1;
      p++;
    }
    switch (*p) {
    case 's': {
      const char *s = va_arg(ap, const char *);
      print(s ? s : "(null)");
      break;
    }
    case 'c': putch((char)va_arg(ap, int)); break;
    case 'd': {
      i64 v = is_long ? va_arg(ap, i64) : va_arg(ap, int);
      if (v < 0) {
        putch('-');
        width--;
        put_num(-(u64)v, 10, width, pad);
      } else {
        put_num((u64)v, 10, width, pad);
      }
      break;
    }
    case 'u': put_num(is_long ? va_arg(ap, u64) : va_arg(ap, u32), 10, width, pad); break;
    case 'x': put_num(is_long ? va_arg(ap, u64) : va_arg(ap, u32), 16, width, pad); break;
    case 'p': print("0x"); put_num((u64)(uintptr_t)va_arg(ap, void *), 16, 16, '0'); break;
    case '%': putch('%'); break;
    case 0: p--; break;
    default: putch('%'); putch(*p); break;
    }
  }
  va_end(ap);
}

static void show_n(const char *name, u64 v, int digits)
{
  print(name);
  print(" = ");
  put_hexn(v, digits);
}

void show(const char *name, u64 v) { show_n(name, v, 16); nl(); }
void show32(const char *name, u64 v) { show_n(name, v, 8); nl(); }

static void check_n(const char *name, u64 v, u64 want, int digits)
{
  show_n(name, v, digits);
  if (v != want) {
    rt_failures++;
    print("   <-- MISMATCH, want ");
    put_hexn(want, digits);
  }
  nl();
}

void check(const char *name, u64 v, u64 want) { check_n(name, v, want, 16); }
void check32(const char *name, u64 v, u64 want) { check_n(name, v & 0xffffffffUL, want & 0xffffffffUL, 8); }

void poweroff(void)
{
  /* PSCI 1.1 §5.10 SYSTEM_OFF; the call does not return. QEMU virt implements PSCI itself: over
   * HVC when the CPU starts at EL1 (no EL2/EL3, the case these programs are recorded in), over
   * SMC when it has EL2 (virtualization=on: start.S entered at EL2 and dropped to EL1). */
  if (rt_entry_el == 2)
    rt_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
  else
    rt_hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
  print("poweroff: PSCI SYSTEM_OFF returned\n");
  for (;;)
    __asm__ volatile("wfi");
}

void finish(const char *name)
{
  if (rt_failures)
    printf("FAIL %d\n", rt_failures);
  printf("%s: done\n", name);
  poweroff();
}

/* start.S: CurrentEL was not EL1 at entry (EL2: start.S drops to EL1; otherwise it stops) */
void rt_boot_el(u64 el)
{
  printf("boot: CurrentEL = EL%u, not EL1%s\n", (u32)el, el == 2 ? ": dropping to EL1" : ": stopping");
}

void exc_reset(void)
{
  exc.count = exc.kind = exc.esr = exc.far = exc.elr = exc.spsr = 0;
}

/* FAR_EL1 holds an address only for instruction and data aborts (unless ISS.FnV says it is not
 * valid), PC alignment faults and watchpoints; for every other EC it is UNKNOWN (FAR_EL1), so it
 * is not printed. */
static int far_valid(u64 esr)
{
  switch (ESR_EC(esr)) {
  case EC_IABT_LOWER:
  case EC_IABT_CUR:
  case EC_DABT_LOWER:
  case EC_DABT_CUR:
    return !(esr & (1UL << 10));
  case EC_PC_ALIGN:
  case 0x34:
  case 0x35:
    return 1;
  default:
    return 0;
  }
}

void print_exc(const char *what)
{
  print(what);
  if (!exc.count) {
    print(": no exception\n");
    return;
  }
  u64 e = exc.esr;
  printf(": EC 0x%02x IL %u ISS 0x%07lx", (u32)ESR_EC(e), (u32)ESR_IL(e), ESR_ISS(e));
  if (far_valid(e))
    printf(" FAR %016lx", exc.far);
  if (exc.count > 1)
    printf(" (%lu exceptions)", exc.count);
  nl();
}

static void __attribute__((noreturn)) unexpected(const char *what, struct frame *f)
{
  printf("unexpected %s (vector %lu): ESR %016lx ELR %016lx FAR %016lx SPSR %016lx\n", what, f->kind,
         f->esr, f->elr, f->far, f->spsr);
  poweroff();
}

static int depth;

static void sync_exception(struct frame *f)
{
  u64 ec = ESR_EC(f->esr);
  if (ec == EC_SVC64 && (f->esr & 0xffff) == RT_SVC_RETURN && (f->kind == 0 || f->kind == 8)) {
    /* back from rt_run: x0 holds fn's result; resume rt_run's caller at EL1h */
    for (int i = 0; i < 11; i++)
      f->x[19 + i] = rt_run_ctx.x[i];
    f->x[30] = rt_run_ctx.x[11];
    f->elr = rt_run_ctx.x[11];
    f->spsr = rt_run_ctx.daif | 0x5;   /* EL1h */
    return;
  }
  if (sync_hook && sync_hook(f))
    return;
  exc.count++;
  exc.kind = f->kind;
  exc.esr = f->esr;
  exc.far = f->far;
  exc.elr = f->elr;
  exc.spsr = f->spsr;
  switch (ec) {
  case EC_SVC64:
  case EC_HVC64:
  case EC_SMC64:
    break;                    /* preferred return address is already the next instruction */
  case EC_IABT_LOWER:
  case EC_IABT_CUR:
  case EC_PC_ALIGN:
    f->elr = f->x[30];
    break;
  default:
    f->elr += 4;
    break;
  }
}

void rt_exception(struct frame *f)
{
  if (++depth > 3) {
    depth = 0;
    unexpected("nested exception", f);
  }
  switch (f->kind & 3) {
  case KIND_SYNC:
    sync_exception(f);
    break;
  case KIND_IRQ:
    if (!irq_hook || !irq_hook(f))
      unexpected("IRQ", f);
    break;
  case KIND_FIQ:
    unexpected("FIQ", f);
  default:
    unexpected("SError", f);
  }
  depth--;
}
