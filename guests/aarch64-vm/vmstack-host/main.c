/* vmstack-host: the host demo of baobab's dynamic VMs on Arm (configs/aarch64/dynamic-vm.json; the
 * Arm version of guests/riscv64-vm/vmstack-host). A static VM (linked at 0x50000000, console on
 * the PL011 its device tree names, the board's second PL011 uart1 owned to lend it to its
 * children) that embeds the child's config blob and image (images.S), and at run time:
 *   1. copies the blob to AREA (page aligned, in its own RAM) and the child image to
 *      AREA + config_header_size + (image.base_addr - regions[0].base) (reference §2.5), and
 *      cleans both to the point of coherency (the hypervisor reads them, the child runs them);
 *   2. creates the child, invokes it with 3, 4, 5      "host: invoke N -> value V"
 *   3. lends it a page and invokes it with 77 (the child reads the lent page)
 *   4. ticks its timer every 1 ms and invokes the child with 1000 (a long computation), resuming
 *      it after every pre-emption; the tick goes on after the child returns. The virtual timer is
 *      the host's own context (reference §4.2: CNTV_CTL/CVAL are saved with the vCPU), so while
 *      the child runs the host's timer is not live and nothing pre-empts the child: its deadlines
 *      come due once the host runs again;
 *   5. invokes it with 0 (the child exits with code 7), then 6 (it starts again), destroys it,
 *      creates it again (the donated pages came back zeroed: blob and image copied again) and
 *      invokes it once more, destroys it;
 *   6. 1000 create + destroy cycles, each create a fresh id and each destroy 0
 *      "host: create/destroy cycles 1000 ok";
 *   7. the fault demo: invoked with 99 the child reads the host's memory (outside its map): the
 *      invoke returns reason 9 with the child id and the address; the host destroys it;
 *   8. a few errors (invoke of a destroyed id, create from an unaligned or absent blob), the
 *      hypervisor's counters of the host's children, "host: done", then idles.
 * By the VM's name (its device-tree model), as on RISC-V: "...-poke" writes the child's first
 * instruction right after create, "...-peek" reads it after step 2 (either way the hypervisor
 * stops the host: the donated pages are not the host's while the child lives); "...-idle" only
 * prints its first line and idles. Bootargs "timer=cntp" make step 4 use the EL1 physical timer
 * (CNTP), which is not part of a vCPU's saved context. */
#include "vm.h"
#include "vmstack.h"

#define AREA 0x50400000UL        /* where the blob goes: 4 MiB into the host's RAM, past its image */
#define LENT_CHILD_GPA 0x58200000UL
#define CYCLES 1000
#define TICK_HZ 1000             /* timer ticks per second while the child computes */
#define PRIO 0xa0
/* the child's arguments (child/main.c) */
#define CHILD_ARG_EXIT 0
#define CHILD_ARG_FAULT 99
#define CHILD_ARG_LENT 77
#define CHILD_ARG_SPIN 1000

/* CROSSCON's binary config (reference §2.2, core/hypervisor/blob-layout.ts): byte offsets */
#define CFG_HEADER_SIZE 40       /* struct config.config_header_size */
#define CFG_VMLIST 88            /* struct config.vmlist[0]: offset of vm_config */
#define VMC_IMAGE_BASE 0         /* vm_config.image.base_addr */
#define VMC_REGIONS 96           /* vm_config.platform (80) + platform_desc.regions (16) */
#define REG_BASE 0               /* mem_region.base */
#define REG_SIZE 8               /* mem_region.size */

extern const u8 child_blob[], child_blob_end[], child_image[], child_image_end[];
extern u8 __stacks_end[];

static struct dt dt;
static const char *name = "host";
static u64 header_size, image_off, region0_size;
static volatile u32 ticks;
static volatile int ticking;
static u64 tick_interval, tick_next;
static int use_cntp;
static u32 timer_irq;
static u8 lent_page[4096] __attribute__((aligned(4096)));

/* ---- output ---- */

static void out3(const char *a, i64 n, const char *b)
{
  struct line l;
  l_init(&l);
  l_str(&l, a);
  l_dec(&l, n);
  if (b)
    l_str(&l, b);
  l_emit(&l);
}

/* ---- the timer: CNTV (PPI 27), or CNTP (PPI 30) with "timer=cntp" (ARM DDI 0487 D11.2) ---- */

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

static void timer_off(void)
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

void irq_c(void)
{
  for (;;) {
    u32 iar = gic_ack();
    u32 id = iar & 0x3ff;
    if (id >= GIC_SPURIOUS)
      return;
    if (id == timer_irq) {
      ticks++;
      if (ticking) {
        tick_next += tick_interval;   /* from the last deadline: no drift */
        timer_set(tick_next);
      } else
        timer_off();                  /* the line falls before the EOI */
    } else
      gic_disable(id);                /* not ours: never again */
    gic_eoi(iar);
  }
}

void secondary_main(u64 c)
{
  (void)c;
}

static void ticks_start(void)
{
  tick_interval = cntfrq() / TICK_HZ;
  gic_enable(timer_irq, PRIO);
  tick_next = timer_now() + tick_interval;
  ticking = 1;
  timer_set(tick_next);
  irq_on();
}

static void ticks_stop(void)
{
  irq_off();
  ticking = 0;
  timer_off();
}

static void ticks_wait(u32 n)
{
  irq_off();
  while (ticks < n)
    irq_wait();
  irq_on();
}

/* ---- placing the child ---- */

static u64 blob_u64(u64 off) { return *(const u64 *)(child_blob + off); }

/* where the image goes and how big region 0 is, from the blob itself */
static void read_blob(void)
{
  u64 vm = blob_u64(CFG_VMLIST);
  u64 regions = blob_u64(vm + VMC_REGIONS);
  header_size = blob_u64(CFG_HEADER_SIZE);
  region0_size = blob_u64(regions + REG_SIZE);
  image_off = header_size + (blob_u64(vm + VMC_IMAGE_BASE) - blob_u64(regions + REG_BASE));
}

static void copy(u64 dst, const u8 *src, u64 n)
{
  u64 *d = (u64 *)dst;
  const u64 *s = (const u64 *)src;
  u64 i = 0;
  for (; i + 8 <= n; i += 8)
    *d++ = *s++;
  for (; i < n; i++)
    ((u8 *)dst)[i] = src[i];
  dcache_clean((const void *)dst, n);
}

/* the donated pages come back zeroed on destroy: copy blob and image in before every create */
static long create(const char *what)
{
  copy(AREA, child_blob, (u64)(child_blob_end - child_blob));
  copy(AREA + image_off, child_image, (u64)(child_image_end - child_image));
  long id = vm_create((void *)AREA);
  struct line l;
  l_init(&l);
  if (id > 0) {
    l_str(&l, "host: created vm ");
    l_dec(&l, id);
  } else {
    l_str(&l, "host: create -> error ");
    l_dec(&l, id);
  }
  l_str(&l, what);
  l_emit(&l);
  return id;
}

static void destroy(long id)
{
  long r = vm_destroy(id);
  struct line l;
  l_init(&l);
  l_str(&l, "host: destroy vm ");
  l_dec(&l, id);
  l_str(&l, " -> ");
  l_dec(&l, r);
  l_emit(&l);
}

/* invoke, resuming after every pre-emption; one line for what came back */
static struct vm_ret invoke(long id, long arg)
{
  struct vm_ret r = vm_invoke(id, arg);
  while (r.reason == VM_PREEMPTED) {
    /* the interrupt that pre-empted the child is pending here: take it before the line */
    irq_on();
    isb();
    struct line l;
    l_init(&l);
    l_str(&l, "host: vm ");
    l_dec(&l, r.v0);
    l_str(&l, " pre-empted by tick ");
    l_dec(&l, ticks);
    l_str(&l, ", resuming");
    l_emit(&l);
    r = vm_resume(id);
  }
  struct line l;
  l_init(&l);
  l_str(&l, "host: invoke ");
  l_dec(&l, arg);
  l_str(&l, " -> ");
  switch (r.reason) {
  case VM_YIELDED:
    l_str(&l, "value ");
    l_dec(&l, r.v0);
    break;
  case VM_EXITED:
    l_str(&l, "exited with code ");
    l_dec(&l, r.v0);
    break;
  case VM_FAULTED:
    l_str(&l, "fault in vm ");
    l_dec(&l, r.v0);
    l_str(&l, " at ");
    l_hex(&l, (u64)r.v1);
    break;
  default:
    l_str(&l, "error ");
    l_dec(&l, r.reason);
  }
  l_emit(&l);
  return r;
}

/* ---- the steps ---- */

static void cycles(long last)
{
  say("host: create/destroy cycles start");
  long first = 0;
  for (int i = 0; i < CYCLES; i++) {
    copy(AREA, child_blob, (u64)(child_blob_end - child_blob));
    long id = vm_create((void *)AREA);
    if (id <= last) {   /* ids are never reused: every one is above all earlier ones */
      out3("host: create/destroy cycle ", i, " failed: create gave no fresh id");
      return;
    }
    long r = vm_destroy(id);
    if (r != 0) {
      out3("host: create/destroy cycle ", i, " failed: destroy refused");
      return;
    }
    if (!first)
      first = id;
    last = id;
  }
  out3("host: create/destroy cycles ", CYCLES, " ok");
  struct line l;
  l_init(&l);
  l_str(&l, "host: cycle ids ");
  l_dec(&l, first);
  l_str(&l, "..");
  l_dec(&l, last);
  l_emit(&l);
}

void boot_main(u64 cpu, const void *fdt)
{
  fdt_parse(fdt, &dt);
  con_init(dt.has_uart ? &dt.uart : 0);
  if (dt.model)
    name = dt.model;
  use_cntp = has_word(dt.bootargs, "timer=cntp");
  timer_irq = use_cntp ? (dt.has_timer ? dt.timer_phys_irq : 30) : (dt.has_timer ? dt.timer_virt_irq : 27);
  if (dt.has_gic)
    gic_init(dt.gic_version, dt.gicd, dt.gicc);
  read_blob();
  struct line l;
  l_init(&l);
  l_str(&l, "host: ");
  l_str(&l, name);
  l_str(&l, " on cpu ");
  l_dec(&l, (i64)cpu);
  l_str(&l, ": child blob ");
  l_dec(&l, child_blob_end - child_blob);
  l_str(&l, " bytes, image ");
  l_dec(&l, child_image_end - child_image);
  l_str(&l, " bytes, region 0 ");
  l_hex(&l, region0_size);
  l_str(&l, " at ");
  l_hex(&l, AREA);
  l_emit(&l);
  if ((u64)__stacks_end > AREA) {
    say("host: the image reaches into AREA: move AREA up");
    return;
  }

  if (ends_with(name, "-idle")) {   /* children come from outside (tests, benchmarks: the API) */
    say("host: idle");
    return;
  }

  /* 2. create, invoke three times */
  long id = create("");
  if (id <= 0)
    return;
  if (ends_with(name, "-poke")) {   /* right after create: the pages the host just wrote */
    u64 at = AREA + image_off;
    l_init(&l);
    l_str(&l, "host: writing donated memory at ");
    l_hex(&l, at);
    l_emit(&l);
    *(volatile u32 *)at = 0xd4200000;   /* brk #0 over the child's first instruction */
    say("host: wrote donated memory (isolation broken)");
    return;
  }
  invoke(id, 3);
  invoke(id, 4);
  invoke(id, 5);

  if (ends_with(name, "-peek")) {
    u64 at = AREA + header_size;
    l_init(&l);
    l_str(&l, "host: reading donated memory at ");
    l_hex(&l, at);
    l_emit(&l);
    u64 v = *(volatile u64 *)at;
    l_init(&l);
    l_str(&l, "host: read donated memory: ");
    l_hex(&l, v);
    l_str(&l, " (isolation broken)");
    l_emit(&l);
    return;
  }

  /* 3. a lent page */
  *(volatile u64 *)lent_page = 0x1234;
  dcache_clean(lent_page, 8);
  l_init(&l);
  l_str(&l, "host: lend page ");
  l_hex(&l, (u64)(uintptr_t)lent_page);
  l_str(&l, " to vm ");
  l_dec(&l, id);
  l_str(&l, " at ");
  l_hex(&l, LENT_CHILD_GPA);
  l_str(&l, " -> ");
  l_dec(&l, vm_lend(id, lent_page, LENT_CHILD_GPA));
  l_emit(&l);
  invoke(id, CHILD_ARG_LENT);

  /* 4. the host's timer while the child computes */
  ticks_start();
  invoke(id, CHILD_ARG_SPIN);
  u32 t = ticks;
  ticks_wait(t + 2);
  ticks_stop();
  out3("host: ticked on to ", ticks, " after the child returned");

  /* 5. exit, restart, destroy, create again */
  invoke(id, CHILD_ARG_EXIT);
  invoke(id, 6);
  destroy(id);
  id = create(" again");
  if (id <= 0)
    return;
  invoke(id, 7);
  destroy(id);

  /* 6. */
  cycles(id);

  /* 7. the child faults */
  id = create(" for the fault demo");
  if (id <= 0)
    return;
  invoke(id, CHILD_ARG_FAULT);
  destroy(id);

  /* 8. errors, counters */
  invoke(id, 1);
  out3("host: create from an unaligned blob -> error ", vm_create((void *)(AREA + 8)), 0);
  out3("host: create from a blob outside my memory -> error ", vm_create((void *)0x20000000UL), 0);
  struct vm_counters c;
  vm_info(&c);
  l_init(&l);
  l_str(&l, "host: counters: invokes ");
  l_dec(&l, c.invokes);
  l_str(&l, ", yields ");
  l_dec(&l, c.yields);
  l_str(&l, ", exits ");
  l_dec(&l, c.exits);
  l_str(&l, ", faults ");
  l_dec(&l, c.faults);
  l_str(&l, ", pre-emptions ");
  l_dec(&l, c.preemptions);
  l_emit(&l);
  say("host: done");
}
