/* The key store TA: holds one secret key, set once by the GPOS or generated inside the TEE, that
 * the GPOS may use but never read back — it gets keyed checksums of buffers it passes. The checksum is HMAC's construction
 * (RFC 2104: H((K ^ opad) || H((K ^ ipad) || m)), 64-byte block) over 64-bit FNV-1a: integer
 * only and small, but FNV is not a cryptographic hash — this shows the TEE boundary, not
 * cryptography. */
#include "tee.h"

#define KEY_MAX 64                 /* = the block size: longer keys are refused, not hashed */
#define FNV_OFFSET 0xcbf29ce484222325UL
#define FNV_PRIME 0x100000001b3UL

static u8 key[KEY_MAX];
static u64 key_len;
static int key_set;
static u64 macs;

static u64 fnv(u64 h, const u8 *p, u64 n)
{
  while (n--) {
    h ^= *p++;
    h *= FNV_PRIME;
  }
  return h;
}

static u64 fnv_pad(u8 pad)
{
  u8 b[KEY_MAX];
  for (int i = 0; i < KEY_MAX; i++)
    b[i] = (u8)((i < (int)key_len ? key[i] : 0) ^ pad);
  return fnv(FNV_OFFSET, b, KEY_MAX);
}

static u64 mac(const u8 *m, u64 n)
{
  u64 inner = fnv(fnv_pad(0x36), m, n);
  u8 ib[8];
  for (int i = 0; i < 8; i++)
    ib[i] = (u8)(inner >> (56 - 8 * i));
  return fnv(fnv_pad(0x5c), ib, 8);
}

/* GENERATE's key bytes: splitmix64 seeded from the time of the call. A demo of a key made where
 * the GPOS cannot see it, not a random-number generator (baobab's virtual time makes it the same
 * key on every run). */
static void generate(u64 n)
{
  u64 s = rdtime() ^ 0x6b65797374307265UL, z = 0;
  for (u64 i = 0; i < n; i++) {
    if (i % 8 == 0) {
      z = s += 0x9e3779b97f4a7c15UL;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
      z ^= z >> 31;
    }
    key[i] = (u8)(z >> (8 * (i % 8)));
  }
  key_len = n;
  key_set = 1;
}

static u32 keystore_invoke(u32 cmd, struct ta_param *p, u32 n)
{
  switch (cmd) {
  case TA_KEYSTORE_CMD_SET_KEY:
    if (n < 1 || p[0].type != OPTEE_MSG_ATTR_TYPE_TMEM_INPUT || !p[0].size || p[0].size > KEY_MAX)
      return TEEC_ERROR_BAD_PARAMETERS;
    if (key_set)
      return TEEC_ERROR_ACCESS_CONFLICT;
    for (u64 i = 0; i < p[0].size; i++)
      key[i] = p[0].buf[i];
    key_len = p[0].size;
    key_set = 1;
    return TEEC_SUCCESS;
  case TA_KEYSTORE_CMD_MAC:
    if (n < 2 || p[0].type != OPTEE_MSG_ATTR_TYPE_TMEM_INPUT || p[1].type != OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT)
      return TEEC_ERROR_BAD_PARAMETERS;
    if (!key_set)
      return TEEC_ERROR_BAD_STATE;
    p[1].a = mac(p[0].buf, p[0].size);
    p[1].b = 0;
    macs++;
    return TEEC_SUCCESS;
  case TA_KEYSTORE_CMD_GENERATE:
    if (n < 1 || p[0].type != OPTEE_MSG_ATTR_TYPE_VALUE_INPUT || !p[0].a || p[0].a > KEY_MAX)
      return TEEC_ERROR_BAD_PARAMETERS;
    if (key_set)
      return TEEC_ERROR_ACCESS_CONFLICT;
    generate(p[0].a);
    return TEEC_SUCCESS;
  case TA_KEYSTORE_CMD_GET_KEY:
    return TEEC_ERROR_ACCESS_DENIED;
  case TA_KEYSTORE_CMD_INFO:
    if (n < 1 || p[0].type != OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT)
      return TEEC_ERROR_BAD_PARAMETERS;
    p[0].a = (u64)key_set;
    p[0].b = macs;
    return TEEC_SUCCESS;
  default:
    return TEEC_ERROR_NOT_SUPPORTED;
  }
}

const struct ta ta_keystore = { "keystore", TA_KEYSTORE_UUID, keystore_invoke };
