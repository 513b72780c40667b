/* The identity map of the Arm VM guests: VMSAv8-64 stage 1 of the EL1&0 regime (ARM DDI 0487
 * D5), 4 KiB granule, TCR_EL1.T0SZ = 25 (39-bit VA: the walk starts at level 1), level-1 blocks of
 * 1 GiB, VA = IPA. [0, 1 GiB) (the GIC, the UARTs) is Device-nGnRnE and never executable; [1, 4
 * GiB) (RAM, shared memory) Normal write-back, inner shareable. Normal memory is what the
 * exclusive monitor's spinlock (console.c) and unaligned accesses want. TTBR1 walks are off. */
#include "vm.h"

static u64 l1[512] __attribute__((aligned(4096)));

#define DESC_BLOCK    0x1UL
#define DESC_ATTR(i)  ((u64)(i) << 2)
#define DESC_SH_INNER (3UL << 8)
#define DESC_AF       (1UL << 10)
#define DESC_PXN      (1UL << 53)
#define DESC_UXN      (1UL << 54)
#define ATTR_DEVICE   0            /* MAIR_EL1 attribute 0: Device-nGnRnE (0x00) */
#define ATTR_NORMAL   1            /* attribute 1: Normal, inner/outer write-back RW-allocate (0xff) */
#define MAIR_VALUE    (0xffUL << 8)

#define SCTLR_M (1UL << 0)
#define SCTLR_C (1UL << 2)
#define SCTLR_I (1UL << 12)

void mmu_identity_on(void)
{
  if (!l1[1]) {                    /* the boot CPU writes the table; the others find it written */
    l1[0] = DESC_BLOCK | DESC_ATTR(ATTR_DEVICE) | DESC_AF | DESC_PXN | DESC_UXN;
    for (u64 i = 1; i < 4; i++)
      l1[i] = (i << 30) | DESC_BLOCK | DESC_ATTR(ATTR_NORMAL) | DESC_SH_INNER | DESC_AF;
    dsb();
  }
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
