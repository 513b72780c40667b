/* Console of the Arm VM guests: the device tree's PL011 (ARM DDI 0183: UARTDR, UARTFR.TXFF /
 * RXFE polled), passed through or emulated by the hypervisor alike. Output is line by line under
 * an exclusive-monitor spinlock taken with IRQs off, so lines of different CPUs (and of interrupt
 * handlers) never interleave. Without a UART the lines go nowhere (Arm has no hypervisor console
 * call). Also memset/memcpy, which GCC may call on its own. */
#include "vm.h"

#define UARTDR   0x000
#define UARTFR   0x018   /* bit 4 RXFE = receive FIFO empty, bit 5 TXFF = transmit FIFO full */
#define UARTCR   0x030   /* bit 0 UARTEN, bit 8 TXE, bit 9 RXE */
#define UARTIMSC 0x038   /* bit 4 RXIM, bit 6 RTIM */
#define UARTICR  0x044
#define FR_RXFE  (1u << 4)
#define FR_TXFF  (1u << 5)
#define CR_ON    (1u << 0 | 1u << 8 | 1u << 9)
#define INT_RX   (1u << 4 | 1u << 6)

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

void con_init(u64 base)
{
  uart = base;
  /* QEMU's PL011 and baobab's ignore UARTEN; a real one sends nothing without it */
  if (uart && (MMIO32(uart + UARTCR) & CR_ON) != CR_ON)
    MMIO32(uart + UARTCR) = MMIO32(uart + UARTCR) | CR_ON;
}

static void con_write(const char *s, int n)
{
  if (!uart)
    return;
  while (n-- > 0) {
    while (MMIO32(uart + UARTFR) & FR_TXFF)
      ;
    MMIO32(uart + UARTDR) = (u8)*s++;
  }
}

int con_getc(void)
{
  if (!uart || (MMIO32(uart + UARTFR) & FR_RXFE))
    return -1;
  return (int)(MMIO32(uart + UARTDR) & 0xff);   /* bits 11:8 are the error flags */
}

void con_rx_irq(int on)
{
  if (!uart)
    return;
  MMIO32(uart + UARTICR) = INT_RX;
  MMIO32(uart + UARTIMSC) = on ? (MMIO32(uart + UARTIMSC) | INT_RX) : (MMIO32(uart + UARTIMSC) & ~INT_RX);
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

/* take: load-acquire exclusive until 0, store-exclusive 1; release: store-release 0
 * (ARM DDI 0487 B2.9, K13 "spin-lock"). The identity map makes the lock word Normal memory. */
static void lock(volatile u32 *lk)
{
  u32 old, fail;
  do {
    __asm__ volatile("ldaxr %w0, [%2]\n\t"
                     "cbnz %w0, 1f\n\t"
                     "stxr %w1, %w3, [%2]\n\t"
                     "b 2f\n"
                     "1: clrex\n\t"
                     "mov %w1, #1\n"
                     "2:"
                     : "=&r"(old), "=&r"(fail) : "r"(lk), "r"(1) : "memory");
  } while (old || fail);
}

static void unlock(volatile u32 *lk)
{
  __asm__ volatile("stlr wzr, [%0]" :: "r"(lk) : "memory");
}

void l_emit(struct line *l)
{
  int masked = irqs_masked();
  l->b[l->n++] = '\n';
  irq_off();
  lock(&con_lock);
  con_write(l->b, l->n);
  unlock(&con_lock);
  if (!masked)
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

/* Every vector entry but the EL1h IRQ (start.S): one line naming it, then stop this CPU. */
void exc_fatal(u64 kind, u64 esr, u64 elr, u64 far)
{
  struct line l;
  l_init(&l);
  l_str(&l, "unexpected exception ");
  l_dec(&l, (i64)kind);
  l_str(&l, " esr ");
  l_hex(&l, esr);
  l_str(&l, " elr ");
  l_hex(&l, elr);
  l_str(&l, " far ");
  l_hex(&l, far);
  l_emit(&l);
  /* like start.S's halt(), which not every program links (the VM-stack child has its own start) */
  for (;;)
    __asm__ volatile("msr daifset, #2\n\twfi" ::: "memory");
}
