#include "rt.h"

#define UART_THR ((volatile uint8_t *)0x10000000)
/* SiFive test device (QEMU virt "sifive_test"): 0x5555 = pass, powers the machine off */
#define TEST_DEV ((volatile uint32_t *)0x100000)

void rt_putc(char c) { *UART_THR = (uint8_t)c; }

void rt_puts(const char *s) {
  while (*s) rt_putc(*s++);
}

void rt_poweroff(void) {
  *TEST_DEV = 0x5555;
  for (;;) __asm__ volatile("wfi");
}

void *memset(void *d, int c, size_t n) {
  uint8_t *p = d;
  while (n--) *p++ = (uint8_t)c;
  return d;
}

void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *p = d;
  const uint8_t *q = s;
  while (n--) *p++ = *q++;
  return d;
}

size_t strlen(const char *s) {
  const char *p = s;
  while (*p) p++;
  return (size_t)(p - s);
}

/* ---- formatting: %[-0+ #][width][.prec][hh|h|l|ll|z](d i u x X o c s p %) ---- */

struct sink {
  char *buf;
  size_t size;
  size_t len;
};

static void emit(struct sink *k, char c) {
  if (k->buf) {
    if (k->len + 1 < k->size) k->buf[k->len] = c;
  } else {
    rt_putc(c);
  }
  k->len++;
}

static void pad(struct sink *k, char c, int n) {
  while (n-- > 0) emit(k, c);
}

static void fmt_int(struct sink *k, uint64_t v, int neg, unsigned base, int upper, int width,
                    int prec, int left, int zero, char sign, int alt) {
  char tmp[24];
  int n = 0;
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  while (v) {
    tmp[n++] = digits[v % base];
    v /= base;
  }
  if (prec < 0) prec = 1;
  else zero = 0;
  int ndig = n > prec ? n : prec;
  const char *prefix = "";
  if (neg) prefix = "-";
  else if (sign) prefix = sign == '+' ? "+" : " ";
  if (alt && base == 16 && n) prefix = upper ? "0X" : "0x";
  if (alt && base == 8 && ndig <= n) ndig = n + 1;
  int plen = (int)strlen(prefix);
  int total = plen + ndig;
  if (!left && !zero) pad(k, ' ', width - total);
  for (const char *p = prefix; *p; p++) emit(k, *p);
  if (!left && zero) pad(k, '0', width - total);
  pad(k, '0', ndig - n);
  while (n) emit(k, tmp[--n]);
  if (left) pad(k, ' ', width - total);
}

static int format(struct sink *k, const char *f, va_list ap) {
  for (; *f; f++) {
    if (*f != '%') {
      emit(k, *f);
      continue;
    }
    int left = 0, zero = 0, alt = 0, width = 0, prec = -1, lng = 0;
    char sign = 0;
    for (;; f++) {
      char c = f[1];
      if (c == '-') left = 1;
      else if (c == '0') zero = 1;
      else if (c == '+') sign = '+';
      else if (c == ' ') { if (!sign) sign = ' '; }
      else if (c == '#') alt = 1;
      else break;
    }
    f++;
    if (*f == '*') {
      width = va_arg(ap, int);
      if (width < 0) { left = 1; width = -width; }
      f++;
    } else {
      while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
    }
    if (*f == '.') {
      f++;
      prec = 0;
      if (*f == '*') { prec = va_arg(ap, int); f++; }
      else while (*f >= '0' && *f <= '9') prec = prec * 10 + (*f++ - '0');
    }
    while (*f == 'l' || *f == 'h' || *f == 'z') {
      if (*f == 'l' || *f == 'z') lng = 1;
      f++;
    }
    switch (*f) {
    case 'd':
    case 'i': {
      int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
      uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
      fmt_int(k, u, v < 0, 10, 0, width, prec, left, zero, sign, 0);
      break;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
      uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
      unsigned base = *f == 'u' ? 10 : *f == 'o' ? 8 : 16;
      fmt_int(k, v, 0, base, *f == 'X', width, prec, left, zero, 0, alt);
      break;
    }
    case 'p':
      fmt_int(k, (uintptr_t)va_arg(ap, void *), 0, 16, 0, width, prec, left, zero, 0, 1);
      break;
    case 'c':
      if (!left) pad(k, ' ', width - 1);
      emit(k, (char)va_arg(ap, int));
      if (left) pad(k, ' ', width - 1);
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (!s) s = "(null)";
      int n = 0;
      while (s[n] && (prec < 0 || n < prec)) n++;
      if (!left) pad(k, ' ', width - n);
      for (int i = 0; i < n; i++) emit(k, s[i]);
      if (left) pad(k, ' ', width - n);
      break;
    }
    case '%':
      emit(k, '%');
      break;
    default:
      emit(k, '%');
      if (!*f) return (int)k->len;
      emit(k, *f);
    }
  }
  return (int)k->len;
}

int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
  struct sink k = {buf, size, 0};
  int n = format(&k, fmt, ap);
  if (size) buf[k.len < size ? k.len : size - 1] = 0;
  return n;
}

int rt_snprintf(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = rt_vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

int rt_printf(const char *fmt, ...) {
  struct sink k = {0, 0, 0};
  va_list ap;
  va_start(ap, fmt);
  int n = format(&k, fmt, ap);
  va_end(ap);
  return n;
}

void rt_checksum(const char *name, uint64_t sum) {
  rt_printf("%s checksum=%016lx\n", name, (unsigned long)sum);
}
