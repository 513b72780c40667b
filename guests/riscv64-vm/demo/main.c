/* demo: the guest that baobab's VMs run. S-mode (VS-mode under baobab), identity-mapped memory,
 * configured by the device tree at a1 (see README.md for the properties). Prints, one line each,
 * nothing that depends on timing:
 *   hello from <name> hart <boot>     console: uart|dbcn|legacy
 *   hello from <name> hart <h>        for every other hart, in hart order (SBI HSM hart_start)
 *   tick 1..3                         timer interrupts 10 ms of guest time apart (SBI TIME / Sstc)
 *   tick 4, 5, ...                    with bootargs "tick-ms=N": every N ms of guest time from then on
 *   ipi received on hart <h>          SBI IPI from the boot hart to every other hart, in order
 *   echo ready                        then "echo: <c>" for each byte received (UART irq or polling)
 *   ipc notify returned <a0>          sender; the receiver prints "ipc: message N from <sender>"
 * then idles in wfi, or shuts down with SBI SRST once "baobab,poweroff-after" ticks have passed. */
#include "vm.h"

#define TICKS_SHOWN 3
#define IPC_MESSAGES 3
#define DEFAULT_TIMEBASE 10000000   /* used when the DT has no timebase-frequency */

/* PLIC register map (RISC-V PLIC spec 1.0.0 ch. 3); S-mode context of hart h = 2h + 1 (qemu-virt,
 * and baobab's vPLIC) */
#define PLIC_PRIORITY(s)    (dt.plic + 4 * (u64)(s))
#define PLIC_ENABLE(c, s)   (dt.plic + 0x2000 + 0x80 * (c) + 4 * ((u64)(s) / 32))
#define PLIC_THRESHOLD(c)   (dt.plic + 0x200000 + 0x1000 * (c))
#define PLIC_CLAIM(c)       (PLIC_THRESHOLD(c) + 4)

/* Shared-memory layout of the IPC demo (at the start of the "baobab,ipc" region). The receiver
 * zeroes ack and sets ready; the sender writes msg, then seq = N, notifies and waits for ack == N. */
struct shm {
  volatile u32 ready;       /* SHM_READY once the receiver takes interrupts */
  volatile u32 seq;         /* number of the message in msg */
  volatile u32 ack;         /* number of the last message the receiver printed */
  u32 reserved;
  volatile char msg[112];   /* NUL-terminated */
};
#define SHM_READY 0x59444552u  /* "REDY" */

static struct dt dt;
static const char *name;
static u64 boot_hart;
static volatile int hello_done[MAX_HARTS], started[MAX_HARTS], ipi_seen[MAX_HARTS];
static volatile u32 ticks;
static u32 tick_limit;
static u64 tick_interval, tick_next;
static u64 heartbeat_interval;   /* bootargs "tick-ms=N": ticks after the first three, 0 = none */
static int echo_irq, ipc_receiver;
static u32 ipc_last;

static void hello(u64 h)
{
  struct line l;
  l_init(&l);
  l_str(&l, "hello from ");
  l_str(&l, name);
  l_str(&l, " hart ");
  l_dec(&l, (i64)h);
  l_emit(&l);
}

static void say_num(const char *a, i64 n, const char *b, i64 m)
{
  struct line l;
  l_init(&l);
  l_str(&l, a);
  l_dec(&l, n);
  if (b) {
    l_str(&l, b);
    l_dec(&l, m);
  }
  l_emit(&l);
}

/* ---- timer ---- */

static void timer_set(u64 t)
{
  if (dt.sstc)
    csr_write(CSR_STIMECMP, t);   /* Sstc: STIP = (time >= stimecmp) */
  else
    sbi_set_timer(t);             /* SBI ch. 6.1 */
}

static void timer_tick(void)
{
  u32 n = ++ticks;
  if (n <= TICKS_SHOWN || heartbeat_interval)
    say_num("tick ", n, 0, 0);
  if (n < tick_limit || heartbeat_interval) {
    /* from the previous deadline: no drift, no time printed */
    tick_next += n < TICKS_SHOWN || !heartbeat_interval ? tick_interval : heartbeat_interval;
    timer_set(tick_next);
  } else {
    csr_clear(sie, SIE_STIE);
    timer_set(~0UL);
  }
}

/* ---- console echo ---- */

static void echo(int c)
{
  struct line l;
  l_init(&l);
  l_str(&l, "echo: ");
  if (c == '\n')
    l_str(&l, "\\n");
  else if (c == '\r')
    l_str(&l, "\\r");
  else if (c == '\t')
    l_str(&l, "\\t");
  else if (c == '\\')
    l_str(&l, "\\\\");
  else if (c < 0x20 || c > 0x7e) {
    l_str(&l, "\\x");
    l_chr(&l, "0123456789abcdef"[(c >> 4) & 15]);
    l_chr(&l, "0123456789abcdef"[c & 15]);
  } else
    l_chr(&l, (char)c);
  l_emit(&l);
}

/* ---- PLIC ---- */

static u64 plic_ctx(void) { return 2 * boot_hart + 1; }

static void plic_enable(u32 src)
{
  u64 ctx = plic_ctx();
  MMIO32(PLIC_PRIORITY(src)) = 1;
  MMIO32(PLIC_ENABLE(ctx, src)) = MMIO32(PLIC_ENABLE(ctx, src)) | 1u << (src % 32);
  MMIO32(PLIC_THRESHOLD(ctx)) = 0;
}

/* ---- IPC ---- */

static struct shm *shm(void) { return (struct shm *)(uintptr_t)dt.shm_base; }

static void ipc_receive(void)
{
  struct shm *s = shm();
  fence();
  u32 seq = s->seq;
  if (seq == ipc_last)
    return;
  struct line l;
  l_init(&l);
  l_str(&l, "ipc: ");
  for (unsigned i = 0; i < sizeof s->msg && s->msg[i]; i++)
    l_chr(&l, s->msg[i]);
  l_emit(&l);
  ipc_last = seq;
  fence();
  s->ack = seq;
  fence();
}

static void poweroff_check(void);

static void wait_shm(volatile u32 *p, u32 v)
{
  while (*p != v)
    poweroff_check();
  fence();
}

static void ipc_send(void)
{
  struct shm *s = shm();
  wait_shm(&s->ready, SHM_READY);
  for (u32 n = 1; n <= IPC_MESSAGES; n++) {
    struct line l;
    l_init(&l);
    l_str(&l, "message ");
    l_dec(&l, n);
    l_str(&l, " from ");
    l_str(&l, name);
    unsigned i;
    for (i = 0; i < (unsigned)l.n && i < sizeof s->msg - 1; i++)
      s->msg[i] = l.b[i];
    s->msg[i] = 0;
    fence();
    s->seq = n;
    fence();
    /* Bao IPC notify: a7 = 0x08000BA0, a6 = 1, a0 = ipc id, a1 = event 0; a0 = Bao error */
    struct sbiret r = sbi_call(BAO_HYPERCALL, BAO_HC_IPC, dt.ipc_id, 0, 0);
    if (n == 1)
      say_num("ipc notify returned ", r.error, 0, 0);
    if (r.error)
      return;
    wait_shm(&s->ack, n);
  }
}

static void ipc_setup(void)
{
  if (!dt.has_ipc || !dt.ipc_role)
    return;
  if (dt.shm_size < sizeof(struct shm)) {
    say("ipc disabled: shared memory too small");
    return;
  }
  if (str_eq(dt.ipc_role, "sender"))
    ipc_send();
  else if (str_eq(dt.ipc_role, "receiver")) {
    if (!dt.has_plic) {
      say("ipc disabled: no plic");
      return;
    }
    irq_off();
    ipc_receiver = 1;
    plic_enable(dt.ipc_irq);
    csr_set(sie, SIE_SEIE);
    shm()->ack = 0;
    fence();
    shm()->ready = SHM_READY;
    fence();
    irq_on();
  } else
    say("ipc disabled: unknown role");
}

/* ---- poweroff ---- */

static void poweroff_check(void)
{
  if (!dt.has_poweroff || ticks < dt.poweroff_after)
    return;
  dt.has_poweroff = 0;
  struct sbiret r = sbi_shutdown();   /* SBI ch. 10.1: only returns on failure */
  say_num("srst returned ", r.error, 0, 0);
}

/* ---- traps ---- */

u64 trap_c(u64 cause, u64 epc, u64 tval)
{
  if (cause & CAUSE_INTR) {
    u64 code = cause & ~CAUSE_INTR;
    if (code == 1) {                        /* supervisor software interrupt = SBI IPI */
      u64 h = hart_id();
      csr_clear(sip, SIP_SSIP);
      say_num("ipi received on hart ", (i64)h, 0, 0);
      if (h < MAX_HARTS)
        ipi_seen[h] = 1;
    } else if (code == 5) {                 /* supervisor timer interrupt */
      timer_tick();
    } else if (code == 9 && dt.has_plic) {  /* supervisor external interrupt: PLIC */
      u64 ctx = plic_ctx();
      u32 src;
      while ((src = MMIO32(PLIC_CLAIM(ctx))) != 0) {
        if (echo_irq && src == dt.uart_irq) {
          int c;
          while ((c = con_getc()) >= 0)
            echo(c);
        } else if (ipc_receiver && src == dt.ipc_irq)
          ipc_receive();
        MMIO32(PLIC_CLAIM(ctx)) = src;      /* complete */
      }
    } else
      csr_clear(sie, 1UL << (code & 63));
    return epc;
  }
  trap_fatal("unexpected trap", cause, epc, tval);
  return epc;
}

/* ---- harts ---- */

void secondary_main(u64 h)
{
  csr_set(sie, SIE_SSIE);
  hello(h);
  fence();
  hello_done[h] = 1;
  irq_off();
  for (;;)
    irq_wait();
}

/* the number after `key` in a space-separated argument string ("tick-ms=1000"), 0 if absent */
static u64 arg_num(const char *s, const char *key)
{
  while (s && *s) {
    while (*s == ' ')
      s++;
    const char *a = s, *k = key;
    while (*k && *a == *k)
      a++, k++;
    if (!*k) {
      u64 n = 0;
      while (*a >= '0' && *a <= '9')
        n = n * 10 + (u64)(*a++ - '0');
      return n;
    }
    while (*s && *s != ' ')
      s++;
  }
  return 0;
}

void boot_main(u64 hart, const void *fdt)
{
  boot_hart = hart;
  int ok = fdt_parse(fdt, &dt) == 0;
  name = dt.model ? dt.model : "(unnamed)";
  con_init(&dt);

  /* 1. greeting; the first line also settles the console (DBCN or legacy) */
  hello(hart);
  struct line l;
  l_init(&l);
  l_str(&l, "console: ");
  l_str(&l, con_name());
  l_emit(&l);
  if (!ok)
    say("no device tree");

  /* other harts, in hart order, one at a time (SBI ch. 9.1 hart_start) */
  for (int i = 0; i < dt.nharts; i++) {
    u64 h = dt.harts[i];
    if (h == hart)
      continue;
    if (h >= MAX_HARTS) {
      l_init(&l);
      l_str(&l, "hart ");
      l_dec(&l, (i64)h);
      l_str(&l, " not started: id too large");
      l_emit(&l);
      continue;
    }
    struct sbiret r = sbi_hart_start(h, (u64)(uintptr_t)secondary_entry, 0);
    if (r.error) {
      say_num("hart ", (i64)h, " start failed ", r.error);
      continue;
    }
    while (!hello_done[h])
      ;
    started[h] = 1;
  }

  /* 2. timer: ticks 10 ms apart; keeps (silently) ticking up to "baobab,poweroff-after", or
   * (printing) every "tick-ms" from the bootargs */
  u64 timebase = dt.timebase ? dt.timebase : DEFAULT_TIMEBASE;
  tick_interval = timebase / 100;
  heartbeat_interval = timebase / 1000 * arg_num(dt.bootargs, "tick-ms=");
  tick_limit = dt.has_poweroff && dt.poweroff_after > TICKS_SHOWN ? dt.poweroff_after : TICKS_SHOWN;
  irq_off();
  tick_next = rdtime() + tick_interval;
  timer_set(tick_next);
  csr_set(sie, SIE_STIE);
  while (ticks < TICKS_SHOWN)
    irq_wait();
  irq_on();

  /* 3. IPIs (SBI ch. 7.1 send_ipi(hart_mask = 1, hart_mask_base = h)), one at a time */
  for (int i = 0; i < dt.nharts; i++) {
    u64 h = dt.harts[i];
    if (h >= MAX_HARTS || !started[h])
      continue;
    struct sbiret r = sbi_send_ipi(1, h);
    if (r.error) {
      say_num("ipi to hart ", (i64)h, " failed ", r.error);
      continue;
    }
    while (!ipi_seen[h])
      ;
  }

  /* 5. echo: UART RX interrupt through the PLIC when both exist, else polling */
  irq_off();
  if (dt.has_uart && dt.has_plic && dt.has_uart_irq) {
    plic_enable(dt.uart_irq);
    con_rx_irq(1);
    csr_set(sie, SIE_SEIE);
    echo_irq = 1;
  }
  say("echo ready");
  irq_on();

  /* 6. IPC */
  ipc_setup();

  /* 7. idle (or poll the console), until "baobab,poweroff-after" ticks */
  if (echo_irq) {
    irq_off();
    for (;;) {
      poweroff_check();
      irq_wait();
    }
  }
  for (;;) {
    poweroff_check();
    int c = con_getc();
    if (c >= 0)
      echo(c);
    else if (!dt.has_uart) {
      /* the SBI console raises no interrupt: sleep in wfi until a tick, or until the hypervisor
       * wakes us because input arrived (WFI may return at any time: the loop polls again) */
      irq_off();
      irq_wait();
      irq_on();
    }
  }
}
