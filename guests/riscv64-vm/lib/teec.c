/* teec: the GPOS side of the per-VM TEE (teec.h). The shared buffer holds the optee_msg_arg
 * at its start and, from ARG_AREA on, the copies of the memref parameters. One call at a time
 * (one hart talks to the TEE). */
#include "vm.h"
#include "teec.h"

#define ARG_AREA 0x1000UL          /* the optee_msg_arg's page; memref copies follow it */
#define MAX_PARAMS 4

void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

struct teec_regs teec_smc(u64 fid, u64 x1, u64 x2, u64 x3, u64 x4, u64 x5)
{
  register u64 a0 __asm__("a0") = fid;
  register u64 a1 __asm__("a1") = x1;
  register u64 a2 __asm__("a2") = x2;
  register u64 a3 __asm__("a3") = x3;
  register u64 a4 __asm__("a4") = x4;
  register u64 a5 __asm__("a5") = x5;
  register u64 a6 __asm__("a6") = fid;
  register u64 a7 __asm__("a7") = TEE_SBI_EID;
  __asm__ volatile("ecall"
                   : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6), "+r"(a7)
                   :: "memory");
  return (struct teec_regs){ a0, a1, a2, a3 };
}

uint32_t teec_initialize_context(struct teec_context *ctx, int tee)
{
  ctx->tee = tee;
  ctx->shm_base = ctx->shm_size = 0;
  struct teec_regs r = teec_smc(OPTEE_FAST(tee, OPTEE_FN_GET_SHM_CONFIG), 0, 0, 0, 0, 0);
  if (r.a0 != OPTEE_SMC_RETURN_OK || r.a2 <= ARG_AREA) {
    ctx->smc_status = r.a0;
    return TEEC_ERROR_COMMUNICATION;
  }
  ctx->shm_base = r.a1;
  ctx->shm_size = r.a2;
  ctx->smc_status = 0;
  return TEEC_SUCCESS;
}

static struct optee_msg_arg *msg_arg(struct teec_context *ctx)
{
  return (struct optee_msg_arg *)(uintptr_t)ctx->shm_base;
}

/* the GP param types → msg params mp[0..3], memrefs copied into the buffer; 0 or a
 * TEEC error */
static u32 put_params(struct teec_context *ctx, struct teec_operation *op, struct optee_msg_param *mp)
{
  u64 at = ctx->shm_base + ARG_AREA, end = ctx->shm_base + ctx->shm_size;
  for (int i = 0; i < MAX_PARAMS; i++) {
    u32 t = op ? TEEC_PARAM_TYPE_GET(op->param_types, i) : TEEC_NONE;
    union teec_param *p = op ? &op->params[i] : 0;
    switch (t) {
    case TEEC_NONE:
      mp[i].attr = OPTEE_MSG_ATTR_TYPE_NONE;
      break;
    case TEEC_VALUE_INPUT:
    case TEEC_VALUE_OUTPUT:
    case TEEC_VALUE_INOUT:
      mp[i].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT + (t - TEEC_VALUE_INPUT);
      mp[i].u.value.a = t == TEEC_VALUE_OUTPUT ? 0 : p->value.a;
      mp[i].u.value.b = t == TEEC_VALUE_OUTPUT ? 0 : p->value.b;
      mp[i].u.value.c = 0;
      break;
    case TEEC_MEMREF_TEMP_INPUT:
    case TEEC_MEMREF_TEMP_OUTPUT:
    case TEEC_MEMREF_TEMP_INOUT:
      if (p->tmpref.size > end - at)
        return TEEC_ERROR_OUT_OF_MEMORY;
      mp[i].attr = OPTEE_MSG_ATTR_TYPE_TMEM_INPUT + (t - TEEC_MEMREF_TEMP_INPUT);
      mp[i].u.tmem.buf_ptr = at;
      mp[i].u.tmem.size = p->tmpref.size;
      mp[i].u.tmem.shm_ref = 0;
      if (t != TEEC_MEMREF_TEMP_OUTPUT)
        memcpy((void *)(uintptr_t)at, p->tmpref.buffer, p->tmpref.size);
      at = (at + p->tmpref.size + 7) & ~7UL;
      break;
    default:
      return TEEC_ERROR_BAD_PARAMETERS;
    }
  }
  return 0;
}

/* outputs back into the operation: values; memref lengths, and contents when they fit */
static void get_params(struct teec_operation *op, const struct optee_msg_param *mp)
{
  for (int i = 0; op && i < MAX_PARAMS; i++) {
    u32 t = TEEC_PARAM_TYPE_GET(op->param_types, i);
    union teec_param *p = &op->params[i];
    if (t == TEEC_VALUE_OUTPUT || t == TEEC_VALUE_INOUT) {
      p->value.a = mp[i].u.value.a;
      p->value.b = mp[i].u.value.b;
    } else if (t == TEEC_MEMREF_TEMP_OUTPUT || t == TEEC_MEMREF_TEMP_INOUT) {
      u64 n = mp[i].u.tmem.size;
      if (n <= p->tmpref.size)
        memcpy(p->tmpref.buffer, (const void *)(uintptr_t)mp[i].u.tmem.buf_ptr, n);
      p->tmpref.size = n;
    }
  }
}

/* CALL_WITH_ARG on the argument at the buffer's start (a1/a2 = its address, high/low) */
static u32 call(struct teec_context *ctx, u32 *origin)
{
  u64 pa = ctx->shm_base;
  struct teec_regs r = teec_smc(OPTEE_STD(ctx->tee, OPTEE_FN_CALL_WITH_ARG), pa >> 32, pa & 0xffffffffUL, 0, 0, 0);
  ctx->smc_status = r.a0;
  if (r.a0 != OPTEE_SMC_RETURN_OK) {
    if (origin)
      *origin = TEEC_ORIGIN_COMMS;
    return TEEC_ERROR_COMMUNICATION;
  }
  struct optee_msg_arg *arg = msg_arg(ctx);
  if (origin)
    *origin = arg->ret_origin;
  return arg->ret;
}

static u32 api_error(u32 e, u32 *origin)
{
  if (origin)
    *origin = TEEC_ORIGIN_API;
  return e;
}

uint32_t teec_open_session(struct teec_context *ctx, struct teec_session *s, const struct tee_uuid *uuid,
                           struct teec_operation *op, uint32_t *origin)
{
  s->ctx = ctx;
  s->id = 0;
  if (!ctx->shm_size)
    return api_error(TEEC_ERROR_BAD_STATE, origin);
  struct optee_msg_arg *arg = msg_arg(ctx);
  memset(arg, 0, OPTEE_MSG_ARG_SIZE(2 + MAX_PARAMS));
  arg->cmd = OPTEE_MSG_CMD_OPEN_SESSION;
  arg->num_params = 2 + MAX_PARAMS;
  /* meta params: the TA's UUID as octets; the client's (nil UUID, login public = 0) */
  arg->params[0].attr = OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
  uuid_to_octets(arg->params[0].u.octets, uuid);
  arg->params[1].attr = OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
  u32 e = put_params(ctx, op, arg->params + 2);
  if (e)
    return api_error(e, origin);
  u32 ret = call(ctx, origin);
  if (ret == TEEC_SUCCESS)
    s->id = arg->session;
  if (ctx->smc_status == OPTEE_SMC_RETURN_OK)
    get_params(op, arg->params + 2);
  return ret;
}

uint32_t teec_invoke_command(struct teec_session *s, uint32_t cmd, struct teec_operation *op, uint32_t *origin)
{
  struct teec_context *ctx = s->ctx;
  if (!ctx || !s->id)
    return api_error(TEEC_ERROR_BAD_STATE, origin);
  struct optee_msg_arg *arg = msg_arg(ctx);
  memset(arg, 0, OPTEE_MSG_ARG_SIZE(MAX_PARAMS));
  arg->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
  arg->func = cmd;
  arg->session = s->id;
  arg->num_params = MAX_PARAMS;
  u32 e = put_params(ctx, op, arg->params);
  if (e)
    return api_error(e, origin);
  u32 ret = call(ctx, origin);
  if (ctx->smc_status == OPTEE_SMC_RETURN_OK)
    get_params(op, arg->params);
  return ret;
}

uint32_t teec_close_session(struct teec_session *s)
{
  struct teec_context *ctx = s->ctx;
  if (!ctx || !s->id)
    return TEEC_ERROR_BAD_STATE;
  struct optee_msg_arg *arg = msg_arg(ctx);
  memset(arg, 0, OPTEE_MSG_ARG_SIZE(0));
  arg->cmd = OPTEE_MSG_CMD_CLOSE_SESSION;
  arg->session = s->id;
  u32 ret = call(ctx, 0);
  s->id = 0;
  return ret;
}
