/* teec: the GPOS side of the per-VM TEE (teec.h). The shared buffer holds the optee_msg_arg
 * at its start, from ARG_AREA on the copies of the memref parameters, and in its last RPC_AREA
 * bytes the buffers the TEE asks for with RPCs. One call at a time (one hart talks to the TEE). */
#include "vm.h"
#include "teec.h"

#define ARG_AREA 0x1000UL          /* the optee_msg_arg's page; memref copies follow it */
#define RPC_AREA 0x10000UL          /* the last 64 KiB: RPC buffers, allocated upwards */
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
  if (r.a0 != OPTEE_SMC_RETURN_OK || r.a2 <= ARG_AREA + RPC_AREA) {
    ctx->smc_status = r.a0;
    return TEEC_ERROR_COMMUNICATION;
  }
  ctx->shm_base = r.a1;
  ctx->shm_size = r.a2;
  ctx->smc_status = 0;
  ctx->rpc_next = r.a1 + r.a2 - RPC_AREA;
  ctx->rpc_live = 0;
  ctx->rpcs = 0;
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
  u64 at = ctx->shm_base + ARG_AREA, end = ctx->shm_base + ctx->shm_size - RPC_AREA;
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

/* a buffer for the TEE (RPC ALLOC, or the SHM_ALLOC command): its address, which is also its
 * cookie; 0 when the RPC area is full */
static u64 rpc_alloc(struct teec_context *ctx, u64 size)
{
  u64 end = ctx->shm_base + ctx->shm_size;
  if (!ctx->rpc_live)
    ctx->rpc_next = end - RPC_AREA;
  if (!size || size > end - ctx->rpc_next)
    return 0;
  u64 pa = ctx->rpc_next;
  ctx->rpc_next = (pa + size + 0xfff) & ~0xfffUL;
  if (ctx->rpc_next > end)
    ctx->rpc_next = end;
  ctx->rpc_live++;
  return pa;
}

static void rpc_free(struct teec_context *ctx, u64 cookie)
{
  if (cookie && ctx->rpc_live)
    ctx->rpc_live--;
}

/* an OPTEE_RPC_CMD_* in the optee_msg_arg at `pa` (a buffer the TEE got from rpc_alloc) */
static void rpc_cmd(struct teec_context *ctx, u64 pa)
{
  u64 end = ctx->shm_base + ctx->shm_size;
  if (pa < end - RPC_AREA || pa + sizeof(struct optee_msg_arg) > end)
    return;
  struct optee_msg_arg *a = (struct optee_msg_arg *)(uintptr_t)pa;
  struct optee_msg_param *p = a->params;
  switch (a->cmd) {
  case OPTEE_RPC_CMD_LOAD_TA:           /* this GPOS has no TA files, and no secure-storage files */
  case OPTEE_RPC_CMD_FS:
    a->ret = TEEC_ERROR_ITEM_NOT_FOUND;
    break;
  case OPTEE_RPC_CMD_SHM_ALLOC: {
    u64 size = p[0].u.value.b, at = a->num_params ? rpc_alloc(ctx, size) : 0;
    if (!at) {
      a->ret = TEEC_ERROR_OUT_OF_MEMORY;
      break;
    }
    p[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
    p[0].u.tmem.buf_ptr = at;
    p[0].u.tmem.size = size;
    p[0].u.tmem.shm_ref = at;
    a->ret = TEEC_SUCCESS;
    break;
  }
  case OPTEE_RPC_CMD_SHM_FREE:
    rpc_free(ctx, a->num_params ? p[0].u.value.b : 0);
    a->ret = TEEC_SUCCESS;
    break;
  default:
    a->ret = TEEC_ERROR_NOT_SUPPORTED;
  }
}

/* CALL_WITH_ARG on the argument at the buffer's start (a1/a2 = its address, high/low), with the
 * RPCs it makes answered (OPTEE_SMC_CALL_RETURN_FROM_RPC, a3 = the TEE's thread id) */
static u32 call(struct teec_context *ctx, u32 *origin)
{
  u64 pa = ctx->shm_base;
  u64 fid = OPTEE_STD(ctx->tee, OPTEE_FN_CALL_WITH_ARG), a1 = pa >> 32, a2 = pa & 0xffffffffUL, a3 = 0, a4 = 0, a5 = 0;
  struct teec_regs r;
  for (;;) {
    r = teec_smc(fid, a1, a2, a3, a4, a5);
    u64 s = r.a0 & 0xffffffffUL;
    if (!OPTEE_SMC_RETURN_IS_RPC(s))
      break;
    ctx->rpcs++;
    u64 cookie = (r.a1 & 0xffffffffUL) << 32 | (r.a2 & 0xffffffffUL);
    fid = OPTEE_STD(ctx->tee, OPTEE_FN_RETURN_FROM_RPC);
    a1 = a2 = a4 = a5 = 0;
    a3 = r.a3;
    switch (s & 0xffff) {
    case OPTEE_SMC_RPC_FUNC_ALLOC: {
      u64 at = rpc_alloc(ctx, r.a1 & 0xffffffffUL);
      a1 = at >> 32;
      a2 = at & 0xffffffffUL;
      a4 = a1;
      a5 = a2;
      break;
    }
    case OPTEE_SMC_RPC_FUNC_FREE:
      rpc_free(ctx, cookie);
      break;
    case OPTEE_SMC_RPC_FUNC_CMD:
      rpc_cmd(ctx, cookie);
      break;
    default:                            /* FOREIGN_INTR and the rest: just go on */
      break;
    }
  }
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

static void hexpad(struct line *l, u64 v, int digits)
{
  while (digits-- > 0)
    l_chr(l, "0123456789abcdef"[(v >> (4 * digits)) & 15]);
}

void teec_line_uuid(struct line *l, u64 w0, u64 w1, u64 w2, u64 w3)
{
  hexpad(l, w0, 8);
  l_chr(l, '-');
  hexpad(l, w1 >> 16, 4);
  l_chr(l, '-');
  hexpad(l, w1, 4);
  l_chr(l, '-');
  hexpad(l, w2 >> 16, 4);
  l_chr(l, '-');
  hexpad(l, w2, 4);
  hexpad(l, w3, 8);
}
