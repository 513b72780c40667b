/* The identity map of the Arm VM guests: VMSAv8-64 stage 1 of the EL1&0 regime (ARM DDI 0487
 * D5), 4 KiB granule, TCR_EL1.T0SZ = 25 (39-bit VA: the walk starts at level 1), VA = IPA, the
 * first 4 GiB mapped. With a device tree, in 2 MiB blocks (four level-2 tables): Normal
 * write-back, inner shareable, where it names memory (its /memory nodes, the "baobab,ipc" shared
 * memory), Device-nGnRnE and never executable everywhere else — the GIC and the UART, wherever a
 * board puts them. Without one (the VM-stack child), in 1 GiB blocks: [0, 1 GiB) Device, [1, 4
 * GiB) Normal. Normal memory is what the exclusive monitor's spinlock (console.c) and unaligned
 * accesses want. TTBR1 walks are off. */
#include "vm.h"

static u64 l1[512] __attribute__((aligned(4096)));
static u64 l2[4][512] __attribute__((aligned(4096)));

#define DESC_BLOCK    0x1UL
#define DESC_TABLE    0x3UL
#define DESC_ATTR(i)  ((u64)(i) << 2)
#define DESC_SH_INNER (3UL << 8)
#define DESC_AF       (1UL << 10)
#define DESC_PXN      (1UL << 53)
#define DESC_UXN      (1UL << 54)
#define ATTR_DEVICE   0            /* MAIR_EL1 attribute 0: Device-nGnRnE (0x00) */
#define ATTR_NORMAL   1            /* attribute 1: Normal, inner/outer write-back RW-allocate (0xff) */
#define MAIR_VALUE    (0xffUL << 8)
#define NORMAL        (DESC_ATTR(ATTR_NORMAL) | DESC_SH_INNER | DESC_AF)
#define DEVICE        (DESC_ATTR(ATTR_DEVICE) | DESC_AF | DESC_PXN | DESC_UXN)
#define BLOCK_2M      (1UL << 21)

#define SCTLR_M (1UL << 0)
#define SCTLR_C (1UL << 2)
#define SCTLR_I (1UL << 12)

/* does [a, a + n) overlap [b, b + m)? */
static int overlaps(u64 a, u64 n, u64 b, u64 m) { return a < b + m && b < a + n; }

static int is_memory(const struct dt *dt, u64 a, u64 n)
{
  for (int i = 0; i < dt->nmem; i++)
    if (overlaps(a, n, dt->mem_base[i], dt->mem_size[i]))
      return 1;
  return dt->has_ipc && overlaps(a, n, dt->shm_base, dt->shm_size);
}

void mmu_build(const struct dt *dt)
{
  if (dt && dt->nmem) {
    for (u64 g = 0; g < 4; g++) {
      for (u64 i = 0; i < 512; i++) {
        u64 a = (g << 30) | (i << 21);
        l2[g][i] = a | DESC_BLOCK | (is_memory(dt, a, BLOCK_2M) ? NORMAL : DEVICE);
      }
      l1[g] = (u64)(uintptr_t)l2[g] | DESC_TABLE;
    }
  } else {
    l1[0] = DESC_BLOCK | DEVICE;
    for (u64 i = 1; i < 4; i++)
      l1[i] = (i << 30) | DESC_BLOCK | NORMAL;
  }
  dsb();
}

void mmu_identity_on(void)
{
  write_sysreg(mair_el1, MAIR_VALUE);
  /* T0SZ 25, IRGN0/ORGN0 write-back write-allocate, SH0 inner, TG0 4 KiB, EPD1, IPS 40 bits */
  write_sysreg(tcr_el1, 25UL | (1UL << 8) | (1UL << 10) | (3UL << 12) | (1UL << 23) | (2UL << 32));
  write_sysreg(ttbr0_el1, (u64)(uintptr_t)l1);
  isb();
  /* no stale instructions for this image's addresses (a VM-stack child's pages held another
   * child's code before) once SCTLR_EL1.I makes fetches cacheable */
  __asm__ volatile("tlbi vmalle1\n\tic iallu\n\tdsb nsh" ::: "memory");
  write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I);
  isb();
}

/* DC CVAC by line (CTR_EL0.DminLine words): memory another agent reads with its own mapping (the
 * hypervisor reading a config blob, a child running with its MMU off) must not sit dirty in this
 * CPU's cache */
void dcache_clean(const void *p, u64 n)
{
  u64 line = 4UL << ((read_sysreg(ctr_el0) >> 16) & 15);
  u64 a = (u64)(uintptr_t)p & ~(line - 1);
  for (; a < (u64)(uintptr_t)p + n; a += line)
    __asm__ volatile("dc cvac, %0" :: "r"(a) : "memory");
  dsb();
}
