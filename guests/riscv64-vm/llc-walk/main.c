/* llc-walk: the two guests of the cache-colouring experiment (`baobab experiment colouring`),
 * one image in two VMs at the same guest addresses. The role comes from the VM's name (the DT's
 * root "model"): a name ending in "aggressor" streams, any other name is the victim.
 *
 * victim: a periodic task. Every PERIOD_MS of guest time (SBI TIME timer, waited for in wfi) it
 *   walks VICTIM_BYTES — about half of the qemu-virt-riscv64 board's 2 MiB LLC — reading every
 *   8-byte word, and times the walk with its own clock (`time`). The first WARMUP walks fill the
 *   cache; it prints "victim: warm", times the next WALKS and prints
 *     victim: walks <n> mean <us> us min <us> max <us> (ticks <total>) sum <hex>
 *   then shuts its VM down (SBI SRST). Between walks it sleeps, so whatever another VM does to the
 *   cache in the meantime shows in the next walk's time.
 * aggressor: reads one word of every 64-byte line of AGGRESSOR_BYTES (4x the LLC), over and over,
 *   never sleeping: every access a miss that evicts a line somewhere in the cache.
 *
 * Buffers start at the first page after the stacks (link.ld); the VM's region must hold them:
 * image + 0x23000 + the buffer. Output has no timing in it except the victim's last line. */
#include "vm.h"

#define PERIOD_MS 10
#define WARMUP 2
#define WALKS 16
#define VICTIM_BYTES (1UL << 20)
#define AGGRESSOR_BYTES (8UL << 20)
#define LINE 64
#define DEFAULT_TIMEBASE 10000000

extern char __stacks_end[];

static struct dt dt;

u64 trap_c(u64 cause, u64 epc, u64 tval)
{
  trap_fatal("unexpected trap", cause, epc, tval);
  return epc;
}

void secondary_main(u64 h)
{
  (void)h;
}

static volatile u64 *buffer(void)
{
  return (volatile u64 *)(((uintptr_t)__stacks_end + 4095) & ~4095UL);
}

/* every word once: the victim's working set */
static u64 walk(volatile u64 *b, u64 words)
{
  u64 s = 0;
  for (u64 i = 0; i < words; i++)
    s += b[i];
  return s;
}

/* sleep in wfi until `deadline` (the timer interrupt is enabled in sie but not taken: wfi wakes
 * on it with sstatus.SIE = 0, and the next set_timer clears it) */
static void sleep_until(u64 deadline)
{
  sbi_set_timer(deadline);
  while (rdtime() < deadline)
    __asm__ volatile("wfi" ::: "memory");
}

static u64 us(u64 ticks, u64 timebase) { return ticks * 1000000UL / timebase; }

static void victim(void)
{
  u64 timebase = dt.timebase ? dt.timebase : DEFAULT_TIMEBASE;
  u64 period = timebase / 1000 * PERIOD_MS;
  volatile u64 *b = buffer();
  u64 words = VICTIM_BYTES / 8;
  for (u64 i = 0; i < words; i++)
    b[i] = i * 0x9e3779b97f4a7c15UL;
  csr_set(sie, SIE_STIE);
  u64 next = rdtime() + period, total = 0, lo = ~0UL, hi = 0, sum = 0;
  for (int w = 0; w < WARMUP + WALKS; w++) {
    sleep_until(next);
    next += period;
    if (w == WARMUP)
      say("victim: warm");
    u64 t0 = rdtime();
    sum += walk(b, words);
    u64 t = rdtime() - t0;
    if (w < WARMUP)
      continue;
    total += t;
    lo = t < lo ? t : lo;
    hi = t > hi ? t : hi;
  }
  struct line l;
  l_init(&l);
  l_str(&l, "victim: walks ");
  l_dec(&l, WALKS);
  l_str(&l, " mean ");
  l_dec(&l, (i64)us(total / WALKS, timebase));
  l_str(&l, " us min ");
  l_dec(&l, (i64)us(lo, timebase));
  l_str(&l, " us max ");
  l_dec(&l, (i64)us(hi, timebase));
  l_str(&l, " us (ticks ");
  l_dec(&l, (i64)total);
  l_str(&l, ") sum ");
  l_hex(&l, sum);
  l_emit(&l);
  sbi_shutdown();
}

static void aggressor(void)
{
  volatile u64 *b = buffer();
  u64 step = LINE / 8, words = AGGRESSOR_BYTES / 8;
  say("aggressor: streaming");
  for (;;)
    for (u64 i = 0; i < words; i += step)
      (void)b[i];
}

void boot_main(u64 hart, const void *fdt)
{
  (void)hart;
  fdt_parse(fdt, &dt);
  con_init(&dt);
  if (dt.model && ends_with(dt.model, "aggressor"))
    aggressor();
  else
    victim();
}
