/* The counter/hello TA: a counter kept in the TEE across calls and sessions, a greeting, and a
 * deliberately buggy "peek" for the fault demo (CROSSCON's malicious-TA demo, reference §7.2):
 * it refuses addresses of its own TEE but reads any other address it is given — and the TEE's
 * VM maps only its own memory and the shared buffer, so the hypervisor stops the TEE. */
#include "tee.h"

static u64 counter, calls;

static const char hello[] = "hello, ";

static u32 inc(struct ta_param *p, u32 n)
{
  if (n < 1 || p[0].type != OPTEE_MSG_ATTR_TYPE_VALUE_INOUT)
    return TEEC_ERROR_BAD_PARAMETERS;
  counter += p[0].a ? p[0].a : 1;
  calls++;
  p[0].a = counter;
  p[0].b = calls;
  return TEEC_SUCCESS;
}

/* "hello, " + the text (p0) into p1; p1's size = the length (needed, if p1 is too small) */
static u32 echo(struct ta_param *p, u32 n)
{
  if (n < 2 || p[0].type != OPTEE_MSG_ATTR_TYPE_TMEM_INPUT ||
      (p[1].type != OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT && p[1].type != OPTEE_MSG_ATTR_TYPE_TMEM_INOUT))
    return TEEC_ERROR_BAD_PARAMETERS;
  u64 h = sizeof hello - 1, need = h + p[0].size;
  if (p[1].size < need) {
    p[1].size = need;
    return TEEC_ERROR_SHORT_BUFFER;
  }
  /* p0 and p1 may overlap in the shared buffer: the text is moved first */
  u8 *d = p[1].buf;
  for (u64 i = p[0].size; i-- > 0;)
    d[h + i] = p[0].buf[i];
  for (u64 i = 0; i < h; i++)
    d[i] = (u8)hello[i];
  p[1].size = need;
  return TEEC_SUCCESS;
}

static u32 peek(struct ta_param *p, u32 n)
{
  if (n < 2 || p[0].type != OPTEE_MSG_ATTR_TYPE_VALUE_INPUT || p[1].type != OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT)
    return TEEC_ERROR_BAD_PARAMETERS;
  u64 at = p[0].a;
  if (at >= tee.own_base && at - tee.own_base < tee.own_size)
    return TEEC_ERROR_ACCESS_DENIED;   /* "secure memory": the only check the TA makes */
  struct line l;
  tee_line(&l);
  l_str(&l, "TA counter: peek at ");
  l_hex(&l, at);
  l_emit(&l);
  p[1].a = *(volatile u64 *)(uintptr_t)at;
  return TEEC_SUCCESS;
}

static u32 counter_invoke(u32 cmd, struct ta_param *p, u32 n)
{
  switch (cmd) {
  case TA_COUNTER_CMD_INC:
    return inc(p, n);
  case TA_COUNTER_CMD_ECHO:
    return echo(p, n);
  case TA_COUNTER_CMD_PEEK:
    return peek(p, n);
  default:
    return TEEC_ERROR_NOT_SUPPORTED;
  }
}

const struct ta ta_counter = { "counter", TA_COUNTER_UUID, counter_invoke };
