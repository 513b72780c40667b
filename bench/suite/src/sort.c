/* Sorting: quicksort (median of three, insertion sort for short runs) of 32-bit keys, a
 * bottom-up merge sort of 64-bit keys and a heap sort, each checked sorted and folded. */
#include "rt.h"

#ifndef ROUNDS
#define ROUNDS 10
#endif
#define N 65536

static uint32_t a32[N];
static uint64_t a64[N], tmp64[N];
static uint32_t heap[N / 4];

static void insertion(uint32_t *a, long lo, long hi) {
  for (long i = lo + 1; i <= hi; i++) {
    uint32_t v = a[i];
    long j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void quicksort(uint32_t *a, long lo, long hi) {
  while (hi - lo > 16) {
    long mid = lo + (hi - lo) / 2;
    uint32_t x = a[lo], y = a[mid], z = a[hi];
    uint32_t p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    long i = lo, j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        uint32_t t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    /* recurse into the smaller half, loop on the larger: bounded stack */
    if (j - lo < hi - i) {
      quicksort(a, lo, j);
      lo = i;
    } else {
      quicksort(a, i, hi);
      hi = j;
    }
  }
  insertion(a, lo, hi);
}

static void mergesort64(uint64_t *a, uint64_t *t, long n) {
  for (long w = 1; w < n; w *= 2) {
    for (long lo = 0; lo < n; lo += 2 * w) {
      long mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      long i = lo, j = mid, k = lo;
      while (i < mid && j < hi) t[k++] = a[i] <= a[j] ? a[i++] : a[j++];
      while (i < mid) t[k++] = a[i++];
      while (j < hi) t[k++] = a[j++];
    }
    uint64_t *s = a;
    a = t;
    t = s;
  }
  /* an odd number of passes leaves the result in the scratch array */
  long passes = 0;
  for (long w = 1; w < n; w *= 2) passes++;
  if (passes & 1) memcpy(t, a, (size_t)n * sizeof *a);
}

static void sift(uint32_t *h, long i, long n) {
  for (;;) {
    long c = 2 * i + 1;
    if (c >= n) return;
    if (c + 1 < n && h[c + 1] > h[c]) c++;
    if (h[i] >= h[c]) return;
    uint32_t t = h[i];
    h[i] = h[c];
    h[c] = t;
    i = c;
  }
}

static void heapsort(uint32_t *h, long n) {
  for (long i = n / 2 - 1; i >= 0; i--) sift(h, i, n);
  for (long e = n - 1; e > 0; e--) {
    uint32_t t = h[0];
    h[0] = h[e];
    h[e] = t;
    sift(h, 0, e);
  }
}

int main(void) {
  uint64_t seed = 0x5eed5eed12345678ull, sum = 0;
  int bad = 0;
  for (int r = 0; r < ROUNDS; r++) {
    for (long i = 0; i < N; i++) a32[i] = (uint32_t)xorshift64(&seed);
    /* a sorted run and a run of duplicates, the cases a naive pivot gets wrong */
    for (long i = 0; i < N / 16; i++) a32[i] = (uint32_t)i;
    for (long i = N / 16; i < N / 8; i++) a32[i] = 7;
    quicksort(a32, 0, N - 1);
    for (long i = 1; i < N; i++) bad += a32[i - 1] > a32[i];
    for (long i = 0; i < N; i += 61) sum = mix64(sum, a32[i]);

    for (long i = 0; i < N; i++) a64[i] = xorshift64(&seed) >> (r & 7);
    mergesort64(a64, tmp64, N);
    for (long i = 1; i < N; i++) bad += a64[i - 1] > a64[i];
    for (long i = 0; i < N; i += 67) sum = mix64(sum, a64[i]);

    for (long i = 0; i < N / 4; i++) heap[i] = (uint32_t)xorshift64(&seed) % 100000u;
    heapsort(heap, N / 4);
    for (long i = 1; i < N / 4; i++) bad += heap[i - 1] > heap[i];
    for (long i = 0; i < N / 4; i += 31) sum = mix64(sum, heap[i]);
  }
  rt_printf("sort: %d rounds of %d keys, %d out of order\n", ROUNDS, N, bad);
  rt_checksum("sort", sum);
  return 0;
}
