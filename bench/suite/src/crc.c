/* CRC: table-driven CRC-32 (IEEE, reflected), CRC-32C computed bit by bit, and a slicing-by-4
 * CRC-32 over a pseudo-random buffer; the check values of "123456789" are verified first. */
#include "rt.h"

#ifndef PASSES
#define PASSES 72
#endif
#define LEN (128 * 1024)

static uint8_t buf[LEN];
static uint32_t table[4][256];

static void make_tables(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 4; t++) table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

static uint32_t crc32_table(uint32_t crc, const uint8_t *p, size_t n) {
  crc = ~crc;
  while (n--) crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static uint32_t crc32_slice4(uint32_t crc, const uint8_t *p, size_t n) {
  crc = ~crc;
  while (n >= 4) {
    crc ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    crc = table[3][crc & 0xff] ^ table[2][(crc >> 8) & 0xff] ^ table[1][(crc >> 16) & 0xff] ^ table[0][crc >> 24];
    p += 4;
    n -= 4;
  }
  while (n--) crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static uint32_t crc32c_bitwise(uint32_t crc, const uint8_t *p, size_t n) {
  crc = ~crc;
  while (n--) {
    crc ^= *p++;
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1));
  }
  return ~crc;
}

int main(void) {
  make_tables();
  const uint8_t *check = (const uint8_t *)"123456789";
  int bad = 0;
  bad += crc32_table(0, check, 9) != 0xcbf43926u;
  bad += crc32_slice4(0, check, 9) != 0xcbf43926u;
  bad += crc32c_bitwise(0, check, 9) != 0xe3069283u;
  uint64_t seed = 0xc0ffee0123456789ull, sum = 0;
  for (int pass = 0; pass < PASSES; pass++) {
    for (size_t i = 0; i < LEN; i += 8) {
      uint64_t v = xorshift64(&seed);
      for (int b = 0; b < 8; b++) buf[i + b] = (uint8_t)(v >> (8 * b));
    }
    uint32_t a = crc32_table(0, buf, LEN);
    uint32_t b = crc32_slice4(0, buf, LEN);
    bad += a != b;
    /* the bit-by-bit CRC over a quarter of the buffer, at an odd offset */
    uint32_t c = crc32c_bitwise((uint32_t)pass, buf + 1 + pass, LEN / 4);
    /* an incremental CRC over pieces equals the whole */
    uint32_t d = crc32_table(crc32_table(0, buf, 1000 + pass), buf + 1000 + pass, LEN - 1000 - pass);
    bad += d != a;
    sum = mix64(mix64(sum, a), c);
  }
  rt_printf("crc: %d passes of %d bytes, %d mismatches\n", PASSES, LEN, bad);
  rt_checksum("crc", sum);
  return 0;
}
