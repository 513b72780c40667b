/* Console of the VM guests: the device tree's ns16550a (polled LSR.THRE / LSR.DR, 1-byte
 * register stride) if there is one, else the SBI debug console (SBI spec v2.0 ch. 12), else, when
 * DBCN answers with an error, the legacy console calls (ch. 5.2 putchar, 5.3 getchar). Output is
 * line by line under an AMO spinlock taken with interrupts off, so lines of different harts (and
 * of interrupt handlers) never interleave. Also memset/memcpy, which GCC may call on its own. */
#include "vm.h"

#define UART_RBR 0   /* receive buffer (read) / THR transmit holding (write) */
#define UART_LSR 5   /* line status: bit 0 DR = data ready, bit 5 THRE = THR empty */

int con_mode;
static u64 uart;
static volatile u32 con_lock;

void *memset(void *d, int c, unsigned long n)
{
  u8 *p = d;
  while (n--)
    *p++ = (u8)c;
  return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
  u8 *p = d;
  const u8 *q = s;
  while (n--)
    *p++ = *q++;
  return d;
}

void con_init(const struct dt *dt)
{
  if (dt->has_uart) {
    uart = dt->uart;
    con_mode = CON_UART;
  } else
    con_mode = CON_DBCN;   /* until DBCN answers with an error */
}

const char *con_name(void)
{
  return con_mode == CON_UART ? "uart" : con_mode == CON_DBCN ? "dbcn" : "legacy";
}

static void legacy_write(const char *s, int n)
{
  while (n-- > 0)
    sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (u8)*s++, 0, 0);   /* ch. 5.2 sbi_console_putchar */
}

static void con_write(const char *s, int n)
{
  if (con_mode == CON_UART) {
    while (n-- > 0) {
      while (!(MMIO8(uart + UART_LSR) & 0x20))
        ;
      MMIO8(uart + UART_RBR) = (u8)*s++;
    }
    return;
  }
  while (con_mode == CON_DBCN && n > 0) {
    /* ch. 12.1 sbi_debug_console_write(num_bytes, base_addr_lo, base_addr_hi): may write only
     * part of the buffer; value = bytes written */
    struct sbiret r = sbi_call(SBI_EXT_DBCN, 0, (u64)n, (u64)(uintptr_t)s, 0);
    if (r.error || r.value < 0 || r.value > n)
      con_mode = CON_LEGACY;   /* e.g. SBI_ERR_NOT_SUPPORTED (-2): no DBCN here */
    else {
      s += r.value;
      n -= (int)r.value;
    }
  }
  if (con_mode == CON_LEGACY)
    legacy_write(s, n);
}

int con_getc(void)
{
  if (con_mode == CON_UART)
    return MMIO8(uart + UART_LSR) & 1 ? MMIO8(uart + UART_RBR) : -1;
  if (con_mode == CON_DBCN) {
    /* ch. 12.2 sbi_debug_console_read(num_bytes, base_addr_lo, base_addr_hi): value = bytes
     * read, 0 when nothing is waiting */
    volatile u8 c = 0;
    struct sbiret r = sbi_call(SBI_EXT_DBCN, 1, 1, (u64)(uintptr_t)&c, 0);
    if (!r.error)
      return r.value == 1 ? c : -1;
    con_mode = CON_LEGACY;
  }
  /* ch. 5.3 sbi_console_getchar(): the byte, or -1 when nothing is waiting */
  long v = sbi_call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0).error;
  return v >= 0 && v <= 255 ? (int)v : -1;
}

/* ---- lines ---- */

void l_init(struct line *l) { l->n = 0; }

void l_chr(struct line *l, char c)
{
  if (l->n < (int)sizeof l->b - 1)   /* one byte kept for the '\n' */
    l->b[l->n++] = c;
}

void l_str(struct line *l, const char *s)
{
  while (*s)
    l_chr(l, *s++);
}

void l_dec(struct line *l, i64 v)
{
  char d[20];
  int n = 0;
  u64 u = v < 0 ? -(u64)v : (u64)v;
  if (v < 0)
    l_chr(l, '-');
  do {
    d[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  while (n)
    l_chr(l, d[--n]);
}

void l_hex(struct line *l, u64 v)
{
  int i = 60;
  l_str(l, "0x");
  while (i > 0 && !((v >> i) & 15))
    i -= 4;
  for (; i >= 0; i -= 4)
    l_chr(l, "0123456789abcdef"[(v >> i) & 15]);
}

/* take: amoswap.w.aq of 1 until the old value was 0; release: amoswap.w.rl of 0 (A extension,
 * unpriv spec ch. 8.4) */
static void lock(volatile u32 *lk)
{
  u32 old;
  do
    __asm__ volatile("amoswap.w.aq %0, %1, (%2)" : "=r"(old) : "r"(1), "r"(lk) : "memory");
  while (old);
}

static void unlock(volatile u32 *lk)
{
  __asm__ volatile("amoswap.w.rl zero, zero, (%0)" :: "r"(lk) : "memory");
}

void l_emit(struct line *l)
{
  u64 s = csr_read(sstatus);
  l->b[l->n++] = '\n';
  irq_off();
  lock(&con_lock);
  con_write(l->b, l->n);
  unlock(&con_lock);
  if (s & SSTATUS_SIE)
    irq_on();
  l->n = 0;
}

void say(const char *s)
{
  struct line l;
  l_init(&l);
  l_str(&l, s);
  l_emit(&l);
}

/* A trap nobody expected: one line naming it, then stop this hart. */
void trap_fatal(const char *what, u64 cause, u64 epc, u64 tval)
{
  struct line l;
  l_init(&l);
  l_str(&l, what);
  l_str(&l, " cause ");
  l_dec(&l, (i64)cause);
  l_str(&l, " epc ");
  l_hex(&l, epc);
  l_str(&l, " tval ");
  l_hex(&l, tval);
  l_emit(&l);
  /* like start.S's halt(), which not every program links (the VM-stack child has its own start) */
  __asm__ volatile("csrci sstatus, 2");
  for (;;) __asm__ volatile("wfi");
}
