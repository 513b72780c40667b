/* demo: the guest that baobab's Arm VMs run (the Arm version of guests/riscv64-vm/demo). EL1,
 * identity-mapped memory, configured by the device tree at x0 (see README.md for the properties).
 * Prints, one line each, nothing that depends on timing:
 *   hello from <name> cpu <boot>      timer: cntv|cntp, intid <n>
 *   hello from <name> cpu <c>         for every other CPU, in id order (PSCI CPU_ON)
 *   tick 1..3                         generic-timer interrupts 10 ms of guest time apart
 *   sgi received on cpu <c>           SGI 1 from the boot CPU to every other CPU, in order
 *   echo ready                        then "echo: <c>" for each byte received (UART RX irq or polling)
 *   ipc notify returned <x0>          sender; the receiver prints "ipc: message N from <sender>"
 * then idles in WFI, or powers off with PSCI SYSTEM_OFF once "baobab,poweroff-after" ticks have
 * passed. Every interrupt comes through the GIC the device tree names, v2 or v3 (under baobab:
 * the vGIC's list registers). The console is the device tree's UART, whichever of the drivers in
 * ../lib/console.c its compatible names: one image for every board. */
#include "vm.h"

#define TICKS_SHOWN 3
#define IPC_MESSAGES 3
#define SGI_ID 1
#define PRIO 0xa0
/* arm,armv8-timer's PPIs on QEMU virt when the device tree has no timer node */
#define PPI_CNTP 30
#define PPI_CNTV 27

/* Shared-memory layout of the IPC demo (at the start of the "baobab,ipc" region), as on RISC-V.
 * The receiver zeroes ack and sets ready; the sender writes msg, then seq = N, notifies and waits
 * for ack == N. */
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
static volatile int hello_done[MAX_CPUS], started[MAX_CPUS], sgi_seen[MAX_CPUS];
static volatile u32 ticks;
static u32 tick_limit;
static u64 tick_interval, tick_next;
static int use_cntp;
static u32 timer_irq;
static int echo_irq, ipc_receiver;
static u32 ipc_last;

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

static void hello(u64 c)
{
  struct line l;
  l_init(&l);
  l_str(&l, "hello from ");
  l_str(&l, name);
  l_str(&l, " cpu ");
  l_dec(&l, (i64)c);
  l_emit(&l);
}

static struct smccc_res psci(u64 fn, u64 a1, u64 a2, u64 a3)
{
  return dt.psci_hvc ? hvc_call(fn, a1, a2, a3) : smc_call(fn, a1, a2, a3);
}

/* ---- timer: the EL1 virtual timer (CNTV), or the physical one (CNTP) when bootargs say
 * "timer=cntp" (ARM DDI 0487 D11.2: CTL.ENABLE, the condition CVAL <= count) ---- */

static void timer_set(u64 cval)
{
  if (use_cntp) {
    write_sysreg(cntp_cval_el0, cval);
    write_sysreg(cntp_ctl_el0, 1);
  } else {
    write_sysreg(cntv_cval_el0, cval);
    write_sysreg(cntv_ctl_el0, 1);
  }
  isb();
}

static void timer_stop(void)
{
  if (use_cntp)
    write_sysreg(cntp_ctl_el0, 0);
  else
    write_sysreg(cntv_ctl_el0, 0);
  isb();
}

static u64 timer_now(void)
{
  isb();
  return use_cntp ? read_sysreg(cntpct_el0) : read_sysreg(cntvct_el0);
}

/* the level-sensitive timer line falls before the EOI: next deadline in the future, or stopped */
static void timer_tick(void)
{
  u32 n = ++ticks;
  if (n <= TICKS_SHOWN)
    say_num("tick ", n, 0, 0);
  if (n < tick_limit) {
    tick_next += tick_interval;   /* from the previous deadline: no drift, no time printed */
    timer_set(tick_next);
  } else
    timer_stop();
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
    /* Bao IPC notify over HVC: x0 = 0x86000001, x1 = ipc id, x2 = event 0; x0 = Bao error */
    i64 r = (i64)hvc_call(BAO_HC_IPC, dt.ipc_id, 0, 0).x0;
    if (n == 1)
      say_num("ipc notify returned ", r, 0, 0);
    if (r)
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
    irq_off();
    ipc_receiver = 1;
    gic_enable(dt.ipc_irq, PRIO);
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
  i64 r = (i64)psci(PSCI_SYSTEM_OFF, 0, 0, 0).x0;   /* DEN 0022D §5.10: only returns on failure */
  say_num("system_off returned ", r, 0, 0);
}

/* ---- interrupts ---- */

void irq_c(void)
{
  for (;;) {
    u32 iar = gic_ack();
    u32 id = iar & 0x3ff;
    if (id >= GIC_SPURIOUS)
      return;
    if (id == SGI_ID) {
      u64 c = cpu_id();
      say_num("sgi received on cpu ", (i64)c, 0, 0);
      if (c < MAX_CPUS)
        sgi_seen[c] = 1;
    } else if (id == timer_irq)
      timer_tick();
    else if (echo_irq && id == dt.uart.irq) {
      int c;
      while ((c = con_getc()) >= 0)
        echo(c);
    } else if (ipc_receiver && id == dt.ipc_irq)
      ipc_receive();
    else
      gic_disable(id);              /* not ours: never again */
    gic_eoi(iar);
  }
}

/* ---- CPUs ---- */

void secondary_main(u64 c)
{
  gic_init(dt.gic_version, dt.gicd, dt.gicc);   /* this CPU's interface (and redistributor) */
  gic_enable(SGI_ID, PRIO);
  hello(c);
  fence();
  hello_done[c] = 1;
  irq_off();
  for (;;)
    irq_wait();
}

void boot_main(u64 cpu, const void *fdt)
{
  int ok = fdt_parse(fdt, &dt) == 0;
  name = dt.model ? dt.model : "(unnamed)";
  con_init(dt.has_uart ? &dt.uart : 0);
  use_cntp = has_word(dt.bootargs, "timer=cntp");
  timer_irq = use_cntp ? (dt.has_timer ? dt.timer_phys_irq : PPI_CNTP) : (dt.has_timer ? dt.timer_virt_irq : PPI_CNTV);

  /* 1. greeting */
  hello(cpu);
  if (!ok)
    say("no device tree");
  if (!dt.has_gic) {
    say("no gic in the device tree: stopping");
    halt();
  }
  struct line l;
  l_init(&l);
  l_str(&l, use_cntp ? "timer: cntp, intid " : "timer: cntv, intid ");
  l_dec(&l, timer_irq);
  l_emit(&l);
  gic_init(dt.gic_version, dt.gicd, dt.gicc);

  /* other CPUs, in id order, one at a time (DEN 0022D §5.6 CPU_ON: target MPIDR, entry, context) */
  for (int i = 0; i < dt.ncpus; i++) {
    u64 c = dt.cpus[i];
    if (c == cpu)
      continue;
    if ((c & 0xff) >= MAX_CPUS || (c & ~0xffUL)) {
      l_init(&l);
      l_str(&l, "cpu ");
      l_hex(&l, c);
      l_str(&l, " not started: id too large");
      l_emit(&l);
      continue;
    }
    i64 r = (i64)psci(PSCI_CPU_ON64, c, (u64)(uintptr_t)secondary_entry, c).x0;
    if (r) {
      say_num("cpu ", (i64)c, " start failed ", r);
      continue;
    }
    while (!hello_done[c])
      ;
    started[c] = 1;
  }

  /* 2. timer: ticks 10 ms apart; keeps (silently) ticking up to "baobab,poweroff-after" */
  tick_interval = cntfrq() / 100;
  tick_limit = dt.has_poweroff && dt.poweroff_after > TICKS_SHOWN ? dt.poweroff_after : TICKS_SHOWN;
  irq_off();
  gic_enable(timer_irq, PRIO);
  tick_next = timer_now() + tick_interval;
  timer_set(tick_next);
  while (ticks < TICKS_SHOWN)
    irq_wait();
  irq_on();

  /* 3. SGIs, one at a time */
  gic_enable(SGI_ID, PRIO);
  for (int i = 0; i < dt.ncpus; i++) {
    u64 c = dt.cpus[i];
    if (c >= MAX_CPUS || !started[c])
      continue;
    gic_sgi((u32)c, SGI_ID);
    while (!sgi_seen[c])
      ;
  }

  /* 5. echo: the UART's receive interrupt when its node has one, else polling */
  irq_off();
  if (dt.has_uart && dt.uart.has_irq) {
    gic_enable(dt.uart.irq, PRIO);
    con_rx_irq(1);
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
  }
}
