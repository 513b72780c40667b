/* A one-table identity map for the programs that need Normal memory (unaligned accesses,
 * exclusives and atomics, library memcpy) but do not test the MMU: VMSAv8-64 stage 1 of the
 * EL1&0 regime (ARM DDI 0487 D5), 4 KiB granule, TCR_EL1.T0SZ = 25 (39-bit VA, so the walk starts
 * at level 1), level-1 block descriptors of 1 GiB. TTBR1 walks are off (EPD1). */
#include "rt.h"

static u64 l1[512] __attribute__((aligned(4096)));

#define DESC_BLOCK    0x1UL
#define DESC_ATTR(i)  ((u64)(i) << 2)
#define DESC_SH_INNER (3UL << 8)
#define DESC_AF       (1UL << 10)
#define DESC_PXN      (1UL << 53)
#define DESC_UXN      (1UL << 54)

#define SCTLR_M (1UL << 0)
#define SCTLR_C (1UL << 2)
#define SCTLR_I (1UL << 12)

void mmu_identity_on(void)
{
  /* [0, 1 GiB): flash, GIC, UART... Device-nGnRnE, never executable; the rest: RAM (and, beyond
   * what QEMU populates, nothing), Normal write-back, EL1 read/write (AP = 00) */
  l1[0] = 0 | DESC_BLOCK | DESC_ATTR(MAIR_DEVICE_nGnRnE) | DESC_AF | DESC_PXN | DESC_UXN;
  for (u64 i = 1; i < 4; i++)
    l1[i] = (i << 30) | DESC_BLOCK | DESC_ATTR(MAIR_NORMAL_WB) | DESC_SH_INNER | DESC_AF;
  dsb(ishst);
  write_sysreg(mair_el1, MAIR_VALUE);
  /* T0SZ 25, IRGN0/ORGN0 write-back write-allocate, SH0 inner, TG0 4 KiB, EPD1, IPS 40 bits */
  write_sysreg(tcr_el1, 25UL | (1UL << 8) | (1UL << 10) | (3UL << 12) | (1UL << 23) | (2UL << 32));
  write_sysreg(ttbr0_el1, (u64)(uintptr_t)l1);
  isb();
  __asm__ volatile("tlbi vmalle1\n dsb nsh" ::: "memory");
  write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I);
  isb();
}

void mmu_off(void)
{
  /* QEMU models no caches; on hardware the dirty lines would have to be cleaned first */
  write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~(SCTLR_M | SCTLR_C | SCTLR_I));
  isb();
}
