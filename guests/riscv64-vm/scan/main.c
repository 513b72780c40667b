/* scan: for isolation tests. Prints "scan start", reads one 32-bit word at every 1 MiB step of
 * [0x80000000, 0x100000000), then at every 1 MiB step of the PLIC window [0x0c000000, 0x0c600000)
 * (qemu-virt's PLIC; 0x0c200000 is context 0's threshold, no claim register is touched), then the
 * UART's line-status register (byte at 0x10000005: reading it has no side effect), and prints
 * "scan done". A load that traps prints "fault at <stval> cause <scause>" and is skipped. Under
 * baobab the hypervisor stops the VM at its first access outside its map instead, so a VM that
 * does not own 0x80000000 prints only "scan start". */
#include "vm.h"

u64 trap_c(u64 cause, u64 epc, u64 tval)
{
  if (cause & CAUSE_INTR) {                 /* none are enabled; mask it if one shows up */
    csr_clear(sie, 1UL << (cause & 63));
    return epc;
  }
  struct line l;
  l_init(&l);
  l_str(&l, "fault at ");
  l_hex(&l, tval);
  l_str(&l, " cause ");
  l_dec(&l, (i64)cause);
  l_emit(&l);
  /* skip the instruction: 32-bit when its low two bits are 11, else compressed */
  return epc + ((*(volatile uint16_t *)(uintptr_t)epc & 3) == 3 ? 4 : 2);
}

void secondary_main(u64 h)
{
  (void)h;
}

void boot_main(u64 hart, const void *fdt)
{
  static struct dt dt;
  (void)hart;
  fdt_parse(fdt, &dt);
  con_init(&dt);
  say("scan start");
  for (u64 a = 0x80000000UL; a < 0x100000000UL; a += 1UL << 20)
    (void)MMIO32(a);
  for (u64 a = 0x0c000000UL; a < 0x0c600000UL; a += 1UL << 20)
    (void)MMIO32(a);
  (void)MMIO8(0x10000005UL);
  say("scan done");
}
