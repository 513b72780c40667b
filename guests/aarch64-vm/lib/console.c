/* Console of the Arm VM guests: the device tree's UART, passed through or emulated by the
 * hypervisor alike, driven by the driver its compatible names (fdt.c uart_kind_of), as Linux and
 * U-Boot pick theirs; each polls its transmit-full and receive-empty status and turns its
 * receive interrupt on for con_rx_irq. The register facts are the manuals' (each driver cites
 * its own). Output is line by line under an exclusive-monitor spinlock taken with IRQs off, so
 * lines of different CPUs (and of interrupt handlers) never interleave. Without a UART the
 * lines go nowhere (Arm has no hypervisor console call). Also memset/memcpy, which GCC may call
 * on its own. */
#include "vm.h"

/* PL011 (ARM DDI 0183 §3.3) */
#define UARTDR   0x000
#define UARTFR   0x018   /* bit 4 RXFE = receive FIFO empty, bit 5 TXFF = transmit FIFO full */
#define UARTCR   0x030   /* bit 0 UARTEN, bit 8 TXE, bit 9 RXE */
#define UARTIMSC 0x038   /* bit 4 RXIM, bit 6 RTIM */
#define UARTICR  0x044
#define FR_RXFE  (1u << 4)
#define FR_TXFF  (1u << 5)
#define CR_ON    (1u << 0 | 1u << 8 | 1u << 9)
#define INT_RX   (1u << 4 | 1u << 6)

/* 8250 / 16550 (PC16550D §8; the BCM2711 mini UART keeps the layout): register numbers */
#define R8250_RBR 0      /* receive buffer (read) / THR (write) */
#define R8250_IER 1      /* bit 0: received-data-available interrupt */
#define R8250_LSR 5      /* bit 0 DR = data ready, bit 5 THRE = THR empty */

/* Cadence UART (Zynq UltraScale+ UG1085 ch. 21, register reference "UART") */
#define CDNS_CR     0x00 /* bit 2 RX_EN, 3 RX_DIS, 4 TX_EN, 5 TX_DIS */
#define CDNS_IER    0x08
#define CDNS_IDR    0x0c
#define CDNS_ISR    0x14 /* sticky, write 1 to clear */
#define CDNS_RXWM   0x20 /* receive FIFO trigger level */
#define CDNS_SR     0x2c /* bit 1 RXEMPTY, bit 4 TXFULL */
#define CDNS_FIFO   0x30
#define CDNS_CR_RXTX_DIS (1u << 3 | 1u << 5)
#define CDNS_CR_RXTX_EN  (1u << 2 | 1u << 4)
#define CDNS_IXR_RTRIG   (1u << 0)
#define CDNS_IXR_TIMEOUT (1u << 8)
#define CDNS_SR_RXEMPTY  (1u << 1)
#define CDNS_SR_TXFULL   (1u << 4)

/* NXP LPUART, 32-bit registers (i.MX 8QuadMax RM, LPUART chapter) */
#define LPUART_STAT 0x14 /* bit 23 TDRE, bit 21 RDRF */
#define LPUART_CTRL 0x18 /* bit 19 TE, bit 18 RE, bit 21 RIE */
#define LPUART_DATA 0x1c /* bit 12 RXEMPT */
#define LPUART_STAT_TDRE (1u << 23)
#define LPUART_STAT_RDRF (1u << 21)
#define LPUART_CTRL_TE   (1u << 19)
#define LPUART_CTRL_RE   (1u << 18)
#define LPUART_CTRL_RIE  (1u << 21)
#define LPUART_DATA_RXEMPT (1u << 12)

/* i.MX UART (i.MX 8M Quad RM, UART chapter): 16-bit registers in 32-bit slots */
#define IMX_URXD 0x00    /* bit 15 CHARRDY */
#define IMX_UTXD 0x40
#define IMX_UCR1 0x80    /* bit 0 UARTEN */
#define IMX_UCR2 0x84    /* bit 0 SRST (0 resets), 1 RXEN, 2 TXEN */
#define IMX_UCR4 0x8c    /* bit 0 DREN: receive-data-ready interrupt */
#define IMX_USR2 0x98    /* bit 0 RDR */
#define IMX_UTS  0xb4    /* bit 4 TXFULL */
#define IMX_UCR1_UARTEN 1u
#define IMX_UCR2_ON (1u << 0 | 1u << 1 | 1u << 2)
#define IMX_UCR4_DREN 1u
#define IMX_USR2_RDR 1u
#define IMX_UTS_TXFULL (1u << 4)

/* SiFive UART (FU540-C000 manual ch. 13) */
#define SIFIVE_TXDATA 0x00  /* bit 31 full */
#define SIFIVE_RXDATA 0x04  /* bit 31 empty */
#define SIFIVE_TXCTRL 0x08  /* bit 0 txen */
#define SIFIVE_RXCTRL 0x0c  /* bit 0 rxen; rxcnt (18:16) 0: rxwm while anything waits */
#define SIFIVE_IE     0x10  /* bit 1 rxwm */
#define SIFIVE_FLAG   (1u << 31)

static struct uart con;
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
  u64 a = con.base + ((u64)i << con.shift);
  return con.width == 4 ? MMIO32(a) : con.width == 2 ? MMIO16(a) : MMIO8(a);
}

static void w8250(u32 i, u32 v)
{
  u64 a = con.base + ((u64)i << con.shift);
  if (con.width == 4)
    MMIO32(a) = v;
  else if (con.width == 2)
    MMIO16(a) = (uint16_t)v;
  else
    MMIO8(a) = (u8)v;
}

#define R32(off) MMIO32(con.base + (off))

void con_init(const struct uart *u)
{
  con = u ? *u : (struct uart){ 0 };
  switch (con.kind) {
  case UART_PL011:
    /* QEMU's PL011 and baobab's ignore UARTEN; a real one sends nothing without it */
    if ((R32(UARTCR) & CR_ON) != CR_ON)
      R32(UARTCR) = R32(UARTCR) | CR_ON;
    break;
  case UART_CDNS:
    /* both paths are disabled at reset (CR = 0x128): enable them, resets not asked */
    R32(CDNS_CR) = (R32(CDNS_CR) & ~(CDNS_CR_RXTX_DIS | 3u)) | CDNS_CR_RXTX_EN;
    break;
  case UART_LPUART:
    R32(LPUART_CTRL) = R32(LPUART_CTRL) | LPUART_CTRL_TE | LPUART_CTRL_RE;
    break;
  case UART_IMX:
    /* as the boot loader leaves it, or on if it did not (SRST kept 1: writing it 0 resets) */
    R32(IMX_UCR1) = R32(IMX_UCR1) | IMX_UCR1_UARTEN;
    R32(IMX_UCR2) = R32(IMX_UCR2) | IMX_UCR2_ON;
    break;
  case UART_SIFIVE:
    R32(SIFIVE_TXCTRL) = R32(SIFIVE_TXCTRL) | 1;
    R32(SIFIVE_RXCTRL) = R32(SIFIVE_RXCTRL) | 1;
    break;
  }
}

static void con_putc(u8 c)
{
  switch (con.kind) {
  case UART_PL011:
    while (R32(UARTFR) & FR_TXFF)
      ;
    R32(UARTDR) = c;
    break;
  case UART_8250:
    while (!(r8250(R8250_LSR) & 0x20))
      ;
    w8250(R8250_RBR, c);
    break;
  case UART_CDNS:
    while (R32(CDNS_SR) & CDNS_SR_TXFULL)
      ;
    R32(CDNS_FIFO) = c;
    break;
  case UART_LPUART:
    while (!(R32(LPUART_STAT) & LPUART_STAT_TDRE))
      ;
    R32(LPUART_DATA) = c;
    break;
  case UART_IMX:
    while (R32(IMX_UTS) & IMX_UTS_TXFULL)
      ;
    R32(IMX_UTXD) = c;
    break;
  case UART_SIFIVE:
    while (R32(SIFIVE_TXDATA) & SIFIVE_FLAG)
      ;
    R32(SIFIVE_TXDATA) = c;
    break;
  }
}

static void con_write(const char *s, int n)
{
  while (n-- > 0)
    con_putc((u8)*s++);
}

int con_getc(void)
{
  u32 v;
  switch (con.kind) {
  case UART_PL011:
    if (R32(UARTFR) & FR_RXFE)
      return -1;
    return (int)(R32(UARTDR) & 0xff);   /* bits 11:8 are the error flags */
  case UART_8250:
    return r8250(R8250_LSR) & 1 ? (int)(r8250(R8250_RBR) & 0xff) : -1;
  case UART_CDNS:
    /* the receive events are latched: cleared before the FIFO is looked at, so a byte that
     * comes after the last look raises them (and the interrupt) anew */
    R32(CDNS_ISR) = CDNS_IXR_RTRIG | CDNS_IXR_TIMEOUT;
    if (R32(CDNS_SR) & CDNS_SR_RXEMPTY)
      return -1;
    return (int)(R32(CDNS_FIFO) & 0xff);
  case UART_LPUART:
    if (!(R32(LPUART_STAT) & LPUART_STAT_RDRF))
      return -1;
    v = R32(LPUART_DATA);
    return v & LPUART_DATA_RXEMPT ? -1 : (int)(v & 0xff);
  case UART_IMX:
    if (!(R32(IMX_USR2) & IMX_USR2_RDR))
      return -1;
    return (int)(R32(IMX_URXD) & 0xff);
  case UART_SIFIVE:
    v = R32(SIFIVE_RXDATA);
    return v & SIFIVE_FLAG ? -1 : (int)(v & 0xff);
  }
  return -1;
}

void con_rx_irq(int on)
{
  switch (con.kind) {
  case UART_PL011:
    R32(UARTICR) = INT_RX;
    R32(UARTIMSC) = on ? (R32(UARTIMSC) | INT_RX) : (R32(UARTIMSC) & ~INT_RX);
    break;
  case UART_8250:
    w8250(R8250_IER, on ? 1 : 0);
    break;
  case UART_CDNS:
    R32(CDNS_RXWM) = 1;               /* RTRIG as each byte arrives */
    if (on)
      R32(CDNS_IER) = CDNS_IXR_RTRIG;
    else
      R32(CDNS_IDR) = CDNS_IXR_RTRIG;
    break;
  case UART_LPUART:
    R32(LPUART_CTRL) = on ? (R32(LPUART_CTRL) | LPUART_CTRL_RIE) : (R32(LPUART_CTRL) & ~LPUART_CTRL_RIE);
    break;
  case UART_IMX:
    R32(IMX_UCR4) = on ? (R32(IMX_UCR4) | IMX_UCR4_DREN) : (R32(IMX_UCR4) & ~IMX_UCR4_DREN);
    break;
  case UART_SIFIVE:
    R32(SIFIVE_IE) = on ? 2 : 0;
    break;
  }
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
