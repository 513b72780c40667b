/* String search: a text of pseudo-random words, searched for many patterns with a naive scan,
 * Knuth-Morris-Pratt and Boyer-Moore-Horspool; the three match counts must agree. */
#include "rt.h"

#ifndef ROUNDS
#define ROUNDS 8
#endif
#define TEXT (96 * 1024)
#define NPAT 24

static char text[TEXT + 1];
static char pats[NPAT][32];
static int fail[32];

static const char *const words[] = {
  "hart", "trap", "guest", "stage", "page", "table", "vcpu", "region", "device", "interrupt",
  "timer", "console", "hypervisor", "partition", "cache", "color", "enclave", "monitor", "load",
  "store", "fence", "atomic", "virtual", "physical", "address", "the", "a", "of", "to", "and",
};
#define NWORDS (sizeof words / sizeof words[0])

static long naive(const char *t, long n, const char *p, long m) {
  long c = 0;
  for (long i = 0; i + m <= n; i++) {
    long j = 0;
    while (j < m && t[i + j] == p[j]) j++;
    c += j == m;
  }
  return c;
}

static long kmp(const char *t, long n, const char *p, long m) {
  fail[0] = -1;
  for (long i = 1, k = -1; i < m; i++) {
    while (k >= 0 && p[k + 1] != p[i]) k = fail[k];
    if (p[k + 1] == p[i]) k++;
    fail[i] = (int)k;
  }
  long c = 0;
  for (long i = 0, k = -1; i < n; i++) {
    while (k >= 0 && p[k + 1] != t[i]) k = fail[k];
    if (p[k + 1] == t[i]) k++;
    if (k == m - 1) {
      c++;
      k = fail[k];
    }
  }
  return c;
}

static long horspool(const char *t, long n, const char *p, long m) {
  long shift[256];
  for (int i = 0; i < 256; i++) shift[i] = m;
  for (long i = 0; i < m - 1; i++) shift[(uint8_t)p[i]] = m - 1 - i;
  long c = 0;
  for (long i = 0; i + m <= n; i += shift[(uint8_t)t[i + m - 1]]) {
    long j = m - 1;
    while (j >= 0 && t[i + j] == p[j]) j--;
    c += j < 0;
  }
  return c;
}

int main(void) {
  uint64_t seed = 0x1234abcd5678ef01ull, sum = 0;
  long pos = 0;
  while (pos < TEXT) {
    const char *w = words[xorshift64(&seed) % NWORDS];
    while (*w && pos < TEXT) text[pos++] = *w++;
    if (pos < TEXT) text[pos++] = xorshift64(&seed) % 9 ? ' ' : '\n';
  }
  /* patterns: single words, two-word phrases, and strings that occur nowhere */
  for (int i = 0; i < NPAT; i++) {
    if (i % 3 == 2) {
      rt_snprintf(pats[i], sizeof pats[i], "%s %s", words[(i * 7) % NWORDS], words[(i * 11) % NWORDS]);
    } else if (i % 3 == 1) {
      rt_snprintf(pats[i], sizeof pats[i], "%s", words[(i * 5) % NWORDS]);
    } else {
      rt_snprintf(pats[i], sizeof pats[i], "%sx%s", words[i % NWORDS], words[(i + 3) % NWORDS]);
    }
  }
  int bad = 0;
  long total = 0;
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < NPAT; i++) {
      long m = (long)strlen(pats[i]);
      long a = naive(text, TEXT, pats[i], m);
      long b = kmp(text, TEXT, pats[i], m);
      long c = horspool(text, TEXT, pats[i], m);
      bad += a != b || b != c;
      total += a;
      sum = mix64(sum, (uint64_t)a);
    }
    /* shift the text by one character each round so each round sees a different string */
    char first = text[0];
    for (long i = 0; i < TEXT - 1; i++) text[i] = text[i + 1];
    text[TEXT - 1] = first;
  }
  rt_printf("strsearch: %d rounds, %d patterns, %ld matches, %d disagreements\n", ROUNDS, NPAT, total, bad);
  rt_checksum("strsearch", sum);
  return 0;
}
