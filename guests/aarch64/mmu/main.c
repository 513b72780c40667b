/* mmu: VMSAv8-64 stage 1 of the EL1&0 regime (ARM DDI 0487 chapter D5 "The AArch64 Virtual
 * Memory System Architecture": translation tables, descriptors, memory attributes and access
 * permissions, TLB maintenance), 4 KiB granule,
 * 48-bit VAs (T0SZ = T1SZ = 16: four levels, 0 to 3), TTBR0 for the low half and TTBR1 for the
 * high half. The map built here:
 *   L1[0]        1 GiB block, Device-nGnRnE, execute-never: flash, GIC, UART
 *   L1[1] → L2   RAM: L2[0] → L3 pages for the 2 MiB holding the image (text read-only and
 *                executable, data read/write and execute-never, EL0 pages, the test pages),
 *                L2[1..63] 2 MiB blocks for the rest of QEMU's 128 MiB
 *   TTBR1 L0[0]  the same L1 table: VA 0xffff0000_xxxxxxxx aliases PA xxxxxxxx
 * Checks: SCTLR_EL1.M/C/I on, reading through aliases (a page mapped twice, the TTBR1 half),
 * permission faults (write to read-only, EL0 access to an EL1 page, execute from an XN page),
 * translation faults at each level and outside both halves, the access flag fault, AT S1E1R/W
 * with PAR_EL1, unaligned accesses on Normal memory with SCTLR_EL1.A = 0 and 1, and remaps made
 * visible with TLBI VAE1/VMALLE1/VAAE1/VALE1 (break-before-make). Faults print ESR (EC, ISS: DFSC/IFSC names the fault and level) and FAR. */
#include "rt.h"

#define PAGE 4096UL

/* descriptor fields (VMSAv8-64 translation table descriptor formats) */
#define D_VALID      0x1UL
#define D_TABLE      0x3UL      /* level 0-2 table, level 3 page */
#define D_BLOCK      0x1UL      /* level 1-2 block */
#define D_ATTR(i)    ((u64)(i) << 2)
#define D_AP_RW_EL1  (0UL << 6)
#define D_AP_RW_ALL  (1UL << 6)
#define D_AP_RO_EL1  (2UL << 6)
#define D_AP_RO_ALL  (3UL << 6)
#define D_SH_INNER   (3UL << 8)
#define D_AF         (1UL << 10)
#define D_PXN        (1UL << 53)
#define D_UXN        (1UL << 54)
#define D_XN         (D_PXN | D_UXN)

#define NORMAL (D_ATTR(MAIR_NORMAL_WB) | D_SH_INNER | D_AF)
#define DEVICE (D_ATTR(MAIR_DEVICE_nGnRnE) | D_AF | D_XN)

static u64 l0_lo[512] __attribute__((aligned(4096)));
static u64 l0_hi[512] __attribute__((aligned(4096)));
static u64 l1[512] __attribute__((aligned(4096)));
static u64 l2_ram[512] __attribute__((aligned(4096)));
static u64 l3_image[512] __attribute__((aligned(4096)));

/* the test pages, in the image's 2 MiB so that L3 describes them */
enum { P_RO, P_EL1, P_UNMAPPED, P_NOAF, P_TARGET, P_ALIAS, P_EL0, P_REMAP, P_A, P_B, P_XN, NPAGES };
static u8 pages[NPAGES][4096] __attribute__((aligned(4096)));

extern char __text_start[], __text_end[], __el0_stack_top[], __image_end[];

#define VA(p) ((u64)(uintptr_t)pages[p])
#define HIGH(va) (0xffff000000000000UL | (va))

static u64 *l3_entry(u64 va) { return &l3_image[(va >> 12) & 511]; }

static void build_tables(void)
{
  u64 text0 = (u64)(uintptr_t)__text_start, text1 = (u64)(uintptr_t)__text_end;
  u64 el0_stack0 = (u64)(uintptr_t)__el0_stack_top - 0x4000, el0_stack1 = (u64)(uintptr_t)__el0_stack_top;
  if ((u64)(uintptr_t)__image_end > RAM_BASE + 0x200000UL) {
    print("mmu: image does not fit in the first 2 MiB of RAM\n");
    finish("mmu");
  }
  for (u64 i = 0; i < 512; i++) {
    u64 pa = RAM_BASE + i * PAGE, d;
    if (pa >= text0 && pa < text1)
      d = NORMAL | D_AP_RO_ALL;                    /* text: read-only, executable at EL1 and EL0 */
    else if (pa >= el0_stack0 && pa < el0_stack1)
      d = NORMAL | D_AP_RW_ALL | D_XN;             /* the stack rt_run gives EL0 */
    else
      d = NORMAL | D_AP_RW_EL1 | D_XN;             /* data, bss, EL1 stack, the rest */
    l3_image[i] = pa | D_TABLE | d;
  }
  *l3_entry(VA(P_RO)) = VA(P_RO) | D_TABLE | NORMAL | D_AP_RO_EL1 | D_XN;
  *l3_entry(VA(P_UNMAPPED)) = 0;
  *l3_entry(VA(P_NOAF)) = (VA(P_NOAF) | D_TABLE | NORMAL | D_XN) & ~D_AF;
  *l3_entry(VA(P_ALIAS)) = VA(P_TARGET) | D_TABLE | NORMAL | D_XN;
  *l3_entry(VA(P_EL0)) = VA(P_EL0) | D_TABLE | NORMAL | D_AP_RW_ALL | D_XN;
  *l3_entry(VA(P_REMAP)) = VA(P_A) | D_TABLE | NORMAL | D_XN;
  *l3_entry(VA(P_XN)) = VA(P_XN) | D_TABLE | NORMAL | D_PXN;   /* EL0 could run it, EL1 not */

  l2_ram[0] = (u64)(uintptr_t)l3_image | D_TABLE;
  for (u64 i = 1; i < 64; i++)
    l2_ram[i] = (RAM_BASE + i * 0x200000UL) | D_BLOCK | NORMAL | D_XN;
  l1[0] = 0 | D_BLOCK | DEVICE;
  l1[1] = (u64)(uintptr_t)l2_ram | D_TABLE;
  l0_lo[0] = (u64)(uintptr_t)l1 | D_TABLE;
  l0_hi[0] = (u64)(uintptr_t)l1 | D_TABLE;
}

static void mmu_on(void)
{
  /* MAIR: the runtime's attributes (Device-nGnRnE, Normal write-back, Normal non-cacheable) */
  write_sysreg(mair_el1, MAIR_VALUE);
  /* T0SZ = T1SZ = 16; walks inner/outer write-back, inner shareable; TG0 = 4 KiB (00),
   * TG1 = 4 KiB (10); IPS = 40 bits (cortex-a53's PARange) */
  u64 tcr = 16UL | (1UL << 8) | (1UL << 10) | (3UL << 12) | (0UL << 14) |
            (16UL << 16) | (1UL << 24) | (1UL << 26) | (3UL << 28) | (2UL << 30) | (2UL << 32);
  write_sysreg(tcr_el1, tcr);
  write_sysreg(ttbr0_el1, (u64)(uintptr_t)l0_lo);
  write_sysreg(ttbr1_el1, (u64)(uintptr_t)l0_hi);
  dsb(ish);
  isb();
  __asm__ volatile("tlbi vmalle1\n dsb nsh\n isb" ::: "memory");
  write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | 1UL | (1UL << 2) | (1UL << 12));
  isb();
}

/* one access through inline asm; a fault is recorded by the runtime, which skips the access */
static u64 load64(u64 va)
{
  u64 v = 0xeeeeeeeeeeeeeeeeUL;
  __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(va) : "memory");
  return v;
}
static u64 load32(u64 va)
{
  u64 v = 0xeeeeeeeeUL;
  __asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(va) : "memory");
  return v;
}
static void store64(u64 va, u64 v) { __asm__ volatile("str %0, [%1]" :: "r"(v), "r"(va) : "memory"); }

static void fault(const char *what, u64 va_base)
{
  print_exc(what);
  if (exc.count) {
    u64 iss = ESR_ISS(exc.esr);
    printf("  xFSC 0x%02lx, WnR %lu, FAR - address = %ld\n", iss & 0x3f, (iss >> 6) & 1, (i64)(exc.far - va_base));
  }
}

static u64 el0_read(u64 va) { return load64(va); }

static void state(void)
{
  show("ID_AA64MMFR0_EL1", read_sysreg(id_aa64mmfr0_el1));
  show("SCTLR_EL1.M,C,I", ((read_sysreg(sctlr_el1) & 1) ? 1 : 0) | ((read_sysreg(sctlr_el1) >> 1) & 2) | ((read_sysreg(sctlr_el1) >> 10) & 4));
  show("TCR_EL1", read_sysreg(tcr_el1));
  show("MAIR_EL1", read_sysreg(mair_el1));
  show("TTBR0_EL1 == l0_lo", read_sysreg(ttbr0_el1) == (u64)(uintptr_t)l0_lo);
  show("TTBR1_EL1 == l0_hi", read_sysreg(ttbr1_el1) == (u64)(uintptr_t)l0_hi);
}

static void aliases(void)
{
  const char *msg = "through the alias";
  for (int i = 0; msg[i]; i++)
    pages[P_TARGET][i] = (u8)msg[i];
  pages[P_TARGET][17] = 0;
  printf("read at the alias VA: %s\n", (const char *)pages[P_ALIAS]);
  store64(VA(P_ALIAS) + 64, 0x1122334455667788UL);
  show("written at the alias, read at the target", *(volatile u64 *)(pages[P_TARGET] + 64));
  /* the TTBR1 half maps the same L1 table */
  store64(VA(P_EL1), 0xcafef00dUL);
  show("TTBR1 alias of a data page", load64(HIGH(VA(P_EL1))));
  u32 insn = *(volatile u32 *)(uintptr_t)HIGH((u64)(uintptr_t)__text_start);
  show("TTBR1 alias of the first instruction == low", insn == *(volatile u32 *)(uintptr_t)__text_start);
  show("PL011 UARTPeriphID0 through the Device block", MMIO32(UART0_BASE + 0xfe0));
  show("PL011 UARTPeriphID0 through TTBR1", MMIO32(HIGH(UART0_BASE) + 0xfe0));
}

static void permission_faults(void)
{
  exc_reset();
  u64 v = load64(VA(P_RO));
  print_exc("read of the read-only page");
  show("  value", v);
  exc_reset();
  store64(VA(P_RO) + 8, 1);
  fault("write to the read-only page (AP = RO at EL1)", VA(P_RO) + 8);
  exc_reset();
  store64(VA(P_RO) + 16, 1);
  store64(VA(P_RO) + 24, 1);
  printf("  two more writes: %lu exceptions\n", exc.count);

  exc_reset();
  u64 r = rt_run(RT_EL0T, el0_read, VA(P_EL0), 0);
  print_exc("EL0 read of an EL0 read/write page");
  exc_reset();
  r = rt_run(RT_EL0T, el0_read, VA(P_EL1), 0);
  fault("EL0 read of an EL1-only page", VA(P_EL1));
  show("  value (untouched register)", r);
  exc_reset();
  r = rt_run(RT_EL0T, el0_read, VA(P_RO), 0);
  fault("EL0 read of the EL1 read-only page", VA(P_RO));

  /* instruction fetch from a PXN page (a `ret` written there) */
  *(volatile u32 *)pages[P_XN] = 0xd65f03c0;
  exc_reset();
  __asm__ volatile("blr %0" :: "r"(VA(P_XN)) : "x30", "memory");
  fault("EL1 execute from a PXN page", VA(P_XN));
  show("  ELR - page", exc.elr - VA(P_XN));
  exc_reset();
  __asm__ volatile("blr %0" :: "r"(VA(P_EL1)) : "x30", "memory");
  fault("EL1 execute from an XN data page", VA(P_EL1));
}

static void translation_faults(void)
{
  exc_reset();
  load64(VA(P_UNMAPPED) + 0x10);
  fault("read of an invalid L3 entry", VA(P_UNMAPPED) + 0x10);
  exc_reset();
  store64(VA(P_UNMAPPED) + 0x18, 2);
  fault("write to an invalid L3 entry", VA(P_UNMAPPED) + 0x18);
  exc_reset();
  load64(0x48000000UL);
  fault("read past the RAM blocks (invalid L2 entry)", 0x48000000UL);
  exc_reset();
  load64(0x80000000UL);
  fault("read of 0x80000000 (invalid L1 entry)", 0x80000000UL);
  exc_reset();
  load64(0x0000008000000000UL);
  fault("read of 0x8000000000 (invalid L0 entry)", 0x0000008000000000UL);
  exc_reset();
  load64(0x0001000000000000UL);
  fault("read of 0x1000000000000 (outside both halves)", 0x0001000000000000UL);
  exc_reset();
  load64(0xfffe000000000000UL);
  fault("read of 0xfffe000000000000 (TTBR1 half, invalid L0 entry)", 0xfffe000000000000UL);
  exc_reset();
  load64(VA(P_NOAF) + 8);
  fault("read of a page with AF = 0 (access flag fault)", VA(P_NOAF) + 8);
  exc_reset();
  __asm__ volatile("blr %0" :: "r"(VA(P_UNMAPPED)) : "x30", "memory");
  fault("execute from an invalid L3 entry", VA(P_UNMAPPED));
}

static void address_translation(void)
{
  /* PAR_EL1: F = 0: PA[47:12], ATTR[63:56], SH[8:7], NS[9]; F = 1: FST[6:1] */
  u64 par;
  __asm__ volatile("at s1e1r, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(VA(P_ALIAS) + 0x123) : "memory");
  printf("AT S1E1R alias+0x123: F %lu, PA - target %ld, ATTR %02lx, SH %lu\n", par & 1,
         (i64)((par & 0xfffffffff000UL) - VA(P_TARGET)), par >> 56, (par >> 7) & 3);
  __asm__ volatile("at s1e1r, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(HIGH(UART0_BASE)) : "memory");
  printf("AT S1E1R TTBR1 UART: F %lu, PA %lx, ATTR %02lx\n", par & 1, par & 0xfffffffff000UL, par >> 56);
  __asm__ volatile("at s1e1w, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(VA(P_RO)) : "memory");
  printf("AT S1E1W read-only page: F %lu, FST 0x%02lx\n", par & 1, (par >> 1) & 0x3f);
  __asm__ volatile("at s1e1r, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(VA(P_UNMAPPED)) : "memory");
  printf("AT S1E1R invalid page: F %lu, FST 0x%02lx\n", par & 1, (par >> 1) & 0x3f);
  __asm__ volatile("at s1e0r, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(VA(P_EL1)) : "memory");
  printf("AT S1E0R EL1-only page: F %lu, FST 0x%02lx\n", par & 1, (par >> 1) & 0x3f);
  __asm__ volatile("at s1e0r, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(VA(P_EL0)) : "memory");
  printf("AT S1E0R EL0 page: F %lu, PA == VA %d\n", par & 1, (par & 0xfffffffff000UL) == VA(P_EL0));
}

static void alignment(void)
{
  u8 *p = pages[P_EL1];
  for (int i = 0; i < 32; i++)
    p[i] = (u8)(0x10 + i);
  /* SCTLR_EL1.A = 0: unaligned accesses to Normal memory just work ("Alignment support") */
  exc_reset();
  u64 v = load64((u64)(uintptr_t)p + 3);
  print_exc("ldr x at +3, A = 0");
  show("  value", v);
  exc_reset();
  v = load32((u64)(uintptr_t)p + 13);
  show("ldr w at +13, A = 0", v);
  /* SCTLR_EL1.A = 1: alignment fault (DFSC 0x21) */
  write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | (1UL << 1));
  isb();
  exc_reset();
  v = load64((u64)(uintptr_t)p + 3);
  fault("ldr x at +3, A = 1", (u64)(uintptr_t)p + 3);
  exc_reset();
  v = load32((u64)(uintptr_t)p + 4);
  print_exc("ldr w at +4, A = 1");
  write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~(1UL << 1));
  isb();
  /* Unaligned accesses to Device memory are alignment faults whatever SCTLR_EL1.A says
   * ("Alignment support"); QEMU 7.2 performs them, so no line here makes one. */
}

static void tlb_maintenance(void)
{
  *(volatile u64 *)pages[P_A] = 0xaaaaaaaaaaaaaaaaUL;
  *(volatile u64 *)pages[P_B] = 0xbbbbbbbbbbbbbbbbUL;
  u64 va = VA(P_REMAP);
  show("remap page -> A", load64(va));
  /* break-before-make ("Using break-before-make when updating translation table entries"): invalid entry, TLBI, then the new entry */
  *l3_entry(va) = 0;
  dsb(ishst);
  __asm__ volatile("tlbi vae1, %0\n dsb ish\n isb" :: "r"(va >> 12) : "memory");
  exc_reset();
  load64(va);
  fault("remap page while invalid", va);
  *l3_entry(va) = VA(P_B) | D_TABLE | NORMAL | D_XN;
  dsb(ishst);
  __asm__ volatile("tlbi vae1, %0\n dsb ish\n isb" :: "r"(va >> 12) : "memory");
  show("remap page -> B after tlbi vae1", load64(va));
  *l3_entry(va) = VA(P_A) | D_TABLE | NORMAL | D_XN;
  dsb(ishst);
  __asm__ volatile("tlbi vmalle1\n dsb ish\n isb" ::: "memory");
  show("remap page -> A after tlbi vmalle1", load64(va));
  *l3_entry(va) = VA(P_B) | D_TABLE | NORMAL | D_XN;
  dsb(ishst);
  __asm__ volatile("tlbi vaae1, %0\n dsb ish\n isb" :: "r"(va >> 12) : "memory");
  show("remap page -> B after tlbi vaae1", load64(va));
  /* making a read-only page writable takes effect after TLBI too */
  *l3_entry(VA(P_RO)) = VA(P_RO) | D_TABLE | NORMAL | D_AP_RW_EL1 | D_XN;
  dsb(ishst);
  __asm__ volatile("tlbi vale1, %0\n dsb ish\n isb" :: "r"(VA(P_RO) >> 12) : "memory");
  exc_reset();
  store64(VA(P_RO) + 8, 0x77);
  print_exc("write to the formerly read-only page");
  show("  value", load64(VA(P_RO) + 8));
}

int main(void)
{
  print("mmu\n");
  pages[P_RO][0] = 0x5a;   /* before the MMU makes the page read-only */
  build_tables();
  mmu_on();
  state();
  aliases();
  permission_faults();
  translation_faults();
  address_translation();
  alignment();
  tlb_maintenance();
  finish("mmu");
}
