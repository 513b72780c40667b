/* a64-loop: bench/rv64-loop's work.c, printing through QEMU virt's PL011 (UARTDR at 0x09000000) */
#include <stdint.h>
extern volatile uint32_t iters;
uint64_t work(uint32_t n);
static void putc_(char c) { *(volatile uint32_t *)0x09000000 = (uint8_t)c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(uint64_t v) { for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]); }
uint64_t main(void) { uint64_t r = work(iters); puts_("checksum="); puthex(r); putc_('\n'); return r; }
