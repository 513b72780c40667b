/* The workloads' tiny runtime: console, formatted output, a checksum mixer, poweroff. */
#ifndef RT_H
#define RT_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void rt_putc(char c);
void rt_puts(const char *s);
int rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rt_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* prints "<name> checksum=<16 hex digits>", the line expected.json records */
void rt_checksum(const char *name, uint64_t sum);
void rt_poweroff(void) __attribute__((noreturn));

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);

/* a 64-bit mix step (multiply-xorshift) for folding results into a checksum */
static inline uint64_t mix64(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 32);
}

/* xorshift64: the workloads' deterministic input generator */
static inline uint64_t xorshift64(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}
#endif
