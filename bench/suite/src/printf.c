/* printf-heavy: formats records of every conversion the runtime's printf knows (signed and
 * unsigned decimals, hex, octal, pointers, padded strings and chars, widths, precisions,
 * flags) into a buffer, folds the text, and prints one record in 64 to the console. */
#include "rt.h"

#ifndef RECORDS
#define RECORDS 80000
#endif

static char line[256];

static const char *const names[] = {
  "uart0", "plic", "clint", "vm1", "vm2", "hart0", "hart1", "stage2", "ipc", "tee",
};

int main(void) {
  uint64_t seed = 0x9a9b9c9d01020304ull, sum = 0, bytes = 0;
  for (int i = 0; i < RECORDS; i++) {
    uint64_t r = xorshift64(&seed);
    int64_t s = (int64_t)xorshift64(&seed) >> (r & 63);
    const char *name = names[r % 10];
    int n;
    switch (i % 4) {
    case 0:
      n = rt_snprintf(line, sizeof line, "[%6d] %-8s pc=%016lx insns=%lu delta=%+ld\n", i, name,
                      (unsigned long)(r & 0xffffffffffull), (unsigned long)(r >> 20), (long)s);
      break;
    case 1:
      n = rt_snprintf(line, sizeof line, "%s: irq %3u prio %u %c mask=%#x oct=%o val=%.6d\n", name,
                      (unsigned)(r % 1024), (unsigned)(r >> 60), (int)('a' + r % 26), (unsigned)(r >> 32),
                      (unsigned)(r & 0777777), (int)(s % 100000));
      break;
    case 2:
      n = rt_snprintf(line, sizeof line, "%-12.5s|%12s|%*d|%-*u|%p\n", name, names[(r >> 8) % 10],
                      (int)(r % 16), (int)s, (int)((r >> 4) % 16), (unsigned)(r >> 40),
                      (void *)(uintptr_t)(0x80000000ull + (r & 0xfffff)));
      break;
    default:
      n = rt_snprintf(line, sizeof line, "%ld %ld %ld %ld %lx %X %%\n", (long)s, (long)(s / 3),
                      (long)-(s >> 7), (long)(r % 1000003), (unsigned long)r, (unsigned)(r >> 24));
    }
    bytes += (uint64_t)n;
    for (int k = 0; k < n; k++) sum = sum * 0x100000001b3ull ^ (uint8_t)line[k];
    if (i % 64 == 0) rt_puts(line);
  }
  rt_printf("printf: %d records, %lu bytes formatted\n", RECORDS, (unsigned long)bytes);
  rt_checksum("printf", sum);
  return 0;
}
