/* Console of the VM guests: the device tree's first UART that has a driver here, picked by its
 * compatible as Linux picks its own — an 8250 ("ns16550a": register i at base + (i << reg-shift),
 * accessed reg-io-width bytes wide; polled LSR.THRE / LSR.DR) or the SiFive UART ("sifive,uart0":
 * txdata.full / rxdata.empty) — else the SBI debug console (SBI spec v2.0 ch. 12), else, when DBCN
 * answers with an error, the legacy console calls (ch. 5.2 putchar, 5.3 getchar). Output is line
 * by line under an AMO spinlock taken with interrupts off, so lines of different harts (and of
 * interrupt handlers) never interleave. Also memset/memcpy, which GCC may call on its own. */
#include "vm.h"

/* 8250 (PC16550D §8): register numbers */
#define UART_RBR 0   /* receive buffer (read) / THR transmit holding (write) */
#define UART_IER 1   /* bit 0: received-data-available interrupt */
#define UART_LSR 5   /* line status: bit 0 DR = data ready, bit 5 THRE = THR empty */

/* SiFive UART (FU540-C000 manual ch. 13) */
#define SIFIVE_TXDATA 0x00  /* bit 31 full */
#define SIFIVE_RXDATA 0x04  /* bit 31 empty */
#define SIFIVE_TXCTRL 0x08  /* bit 0 txen */
#define SIFIVE_RXCTRL 0x0c  /* bit 0 rxen; rxcnt (18:16) 0: rxwm while anything waits */
#define SIFIVE_IE     0x10  /* bit 1 rxwm */
#define SIFIVE_FLAG   (1u << 31)

int con_mode;
static u64 uart;
static int uart_kind;
static u32 uart_shift, uart_width;
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

/* 8250 register i, as wide as reg-io-width says */
static u32 r8250(u32 i)
{
  u64 a = uart + ((u64)i << uart_shift);
  return uart_width == 4 ? MMIO32(a) : uart_width == 2 ? *(volatile uint16_t *)(uintptr_t)a : MMIO8(a);
}

static void w8250(u32 i, u32 v)
{
  u64 a = uart + ((u64)i << uart_shift);
  if (uart_width == 4)
    MMIO32(a) = v;
  else if (uart_width == 2)
    *(volatile uint16_t *)(uintptr_t)a = (uint16_t)v;
  else
    MMIO8(a) = (u8)v;
}

void con_init(const struct dt *dt)
{
  if (dt->has_uart) {
    uart = dt->uart;
    uart_kind = dt->uart_kind;
    uart_shift = dt->uart_shift;
    uart_width = dt->uart_width;
    con_mode = CON_UART;
    if (uart_kind == UART_SIFIVE) {  /* transmitter and receiver are off at reset */
      MMIO32(uart + SIFIVE_TXCTRL) = MMIO32(uart + SIFIVE_TXCTRL) | 1;
      MMIO32(uart + SIFIVE_RXCTRL) = MMIO32(uart + SIFIVE_RXCTRL) | 1;
    }
  } else
    con_mode = CON_DBCN;   /* until DBCN answers with an error */
}

void con_rx_irq(int on)
{
  if (con_mode != CON_UART)
    return;
  if (uart_kind == UART_SIFIVE)
    MMIO32(uart + SIFIVE_IE) = on ? 2 : 0;
  else
    w8250(UART_IER, on ? 1 : 0);
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
    if (uart_kind == UART_8250 && !uart_shift && uart_width == 1) {   /* QEMU virt's 16550 */
      while (n-- > 0) {
        while (!(MMIO8(uart + UART_LSR) & 0x20))
          ;
        MMIO8(uart + UART_RBR) = (u8)*s++;
      }
    } else if (uart_kind == UART_SIFIVE) {
      while (n-- > 0) {
        while (MMIO32(uart + SIFIVE_TXDATA) & SIFIVE_FLAG)
          ;
        MMIO32(uart + SIFIVE_TXDATA) = (u8)*s++;
      }
    } else {
      while (n-- > 0) {
        while (!(r8250(UART_LSR) & 0x20))
          ;
        w8250(UART_RBR, (u8)*s++);
      }
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
  if (con_mode == CON_UART) {
    if (uart_kind == UART_SIFIVE) {
      u32 v = MMIO32(uart + SIFIVE_RXDATA);
      return v & SIFIVE_FLAG ? -1 : (int)(v & 0xff);
    }
    return r8250(UART_LSR) & 1 ? (int)(r8250(UART_RBR) & 0xff) : -1;
  }
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
