/* Runtime of the riscv64 test guests: polled NS16550 output, poweroff through the SiFive test
 * device, and the C halves of the trap handlers (see rt.h for the conventions). */
#include "rt.h"

int rt_failures;
int rt_have_h;
volatile struct trap_rec m_trap, s_trap, vs_trap;
trap_hook m_hook, s_hook, vs_hook;

/* callee-saved context saved by run_in_mode / s_run_in_mode (trap.S) */
struct ctx { u64 ra, sp, s[12]; };
struct ctx m_ctx, s_ctx;

/* NS16550: THR at +0, LSR at +5, LSR.THRE (bit 5) = transmit holding register empty */
void putch(char c)
{
  while (!(MMIO8(UART0_BASE + 5) & 0x20))
    ;
  MMIO8(UART0_BASE) = (u8)c;
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

void put_dec(u64 v)
{
  char buf[24];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n)
    putch(buf[--n]);
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

void poweroff(int code)
{
  /* SiFive test device (QEMU hw/misc/sifive_test.c): 0x5555 = pass, (code << 16) | 0x3333 = fail */
  MMIO32(TEST_BASE) = code ? ((u32)code << 16) | 0x3333 : 0x5555;
  for (;;)
    __asm__ volatile("wfi");
}

void finish(void)
{
  if (rt_failures) {
    print("FAIL ");
    put_dec((u64)rt_failures);
    nl();
    poweroff(1);
  }
  print("PASS\n");
  poweroff(0);
}

void trap_reset(void)
{
  volatile struct trap_rec *r[3] = { &m_trap, &s_trap, &vs_trap };
  for (int i = 0; i < 3; i++) {
    r[i]->count = r[i]->cause = r[i]->epc = r[i]->tval = 0;
    r[i]->tval2 = r[i]->tinst = r[i]->status = r[i]->hstatus = 0;
  }
}

u64 insn_len_at(u64 addr)
{
  u16 lo = *(volatile u16 *)(uintptr_t)addr;
  return (lo & 3) == 3 ? 4 : 2;
}

static int is_fetch_fault(u64 cause)
{
  return cause == 0 || cause == 1 || cause == 12 || cause == 20;
}

static void record(volatile struct trap_rec *r, struct frame *f)
{
  r->count++;
  r->cause = f->cause;
  r->epc = f->epc;
  r->tval = f->tval;
  r->tval2 = f->tval2;
  r->tinst = f->tinst;
  r->status = f->status;
}

static void restore_ctx(struct frame *f, struct ctx *c)
{
  f->x[10] = f->x[11];        /* a0 = value handed back in a1 */
  f->x[1] = c->ra;
  f->x[2] = c->sp;
  f->x[8] = c->s[0];
  f->x[9] = c->s[1];
  for (int i = 2; i < 12; i++)
    f->x[16 + i] = c->s[i];   /* s2..s11 = x18..x27 */
  f->epc = c->ra;
}

static int is_return_ecall(struct frame *f)
{
  u64 c = f->cause;
  return (c == 8 || c == 9 || c == 10) && f->x[17] == RT_ECALL_RETURN;
}

static void __attribute__((noreturn)) unexpected(const char *who, struct frame *f)
{
  print(who);
  print(": unexpected interrupt cause ");
  put_hex(f->cause);
  print(" epc ");
  put_hex(f->epc);
  nl();
  poweroff(3);
}

static void default_exception(struct frame *f)
{
  if (is_fetch_fault(f->cause))
    f->epc = f->x[1];
  else
    f->epc += insn_len_at(f->epc);
}

void m_trap_c(struct frame *f)
{
  if (rt_have_h) {
    f->tval2 = csr_read(0x34b);   /* mtval2 */
    f->tinst = csr_read(0x34a);   /* mtinst */
  }
  if (is_return_ecall(f)) {
    restore_ctx(f, &m_ctx);
    f->status = (f->status & ~MSTATUS_MPV) | MSTATUS_MPP;   /* back to M, V=0 */
    return;
  }
  if (m_hook && m_hook(f))
    return;
  record(&m_trap, f);
  if (f->cause & CAUSE_INTR)
    unexpected("M", f);
  default_exception(f);
}

void s_trap_c(struct frame *f)
{
  if (rt_have_h) {
    f->tval2 = csr_read(0x643);   /* htval */
    f->tinst = csr_read(0x64a);   /* htinst */
  }
  if (is_return_ecall(f)) {
    restore_ctx(f, &s_ctx);
    f->status |= MSTATUS_SPP;     /* back to S */
    if (rt_have_h)
      csr_clear(0x600, 1UL << 7); /* hstatus.SPV = 0: stay in HS */
    return;
  }
  if (s_hook && s_hook(f))
    return;
  record(&s_trap, f);
  if (rt_have_h)
    s_trap.hstatus = csr_read(0x600);
  if (f->cause & CAUSE_INTR)
    unexpected("S", f);
  default_exception(f);
}

void vs_trap_c(struct frame *f)
{
  if (vs_hook && vs_hook(f))
    return;
  record(&vs_trap, f);
  if (f->cause & CAUSE_INTR)
    unexpected("VS", f);
  default_exception(f);
}
