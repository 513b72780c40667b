/* OPTEE_SMC_CALL_WITH_ARG: the standard call whose argument, a struct optee_msg_arg
 * (optee_msg.h), lies in the buffer shared with the GPOS. Sessions to the TAs live here.
 *
 * The TEE maps nothing of the GPOS but that buffer: every address the GPOS gives (the argument,
 * each memref) is checked to lie inside it before it is touched — otherwise a GPOS could make
 * the TEE fault (and the hypervisor would stop the TEE for it). */
#include "tee.h"

#define MAX_MSG_PARAMS (2 + TA_MAX_PARAMS)   /* OPEN_SESSION's two meta params + the TA's */
#define MAX_SESSIONS 8

static const struct ta *const tas[] = { &ta_counter, &ta_keystore };

static struct {
  u32 id;                  /* 0 = free */
  const struct ta *ta;
} sessions[MAX_SESSIONS];
static u32 next_session = 1;

int in_shm(u64 pa, u64 size)
{
  return tee.has_shm && pa >= tee.shm_base && size <= tee.shm_size && pa - tee.shm_base <= tee.shm_size - size;
}

static int uuid_eq(const u8 *octets, const struct tee_uuid *u)
{
  u8 o[16];
  uuid_to_octets(o, u);
  for (int i = 0; i < 16; i++)
    if (o[i] != octets[i])
      return 0;
  return 1;
}

static void set_ret(struct optee_msg_arg *arg, u32 ret, u32 origin)
{
  arg->ret = ret;
  arg->ret_origin = origin;
}

/* msg params → TA params; 0 or a TEEC error (a meta param where none may be, bad memref) */
static u32 decode(struct optee_msg_param *mp, u32 n, struct ta_param *p)
{
  for (u32 i = 0; i < n; i++) {
    u64 attr = mp[i].attr;
    p[i].type = (u32)(attr & OPTEE_MSG_ATTR_TYPE_MASK);
    p[i].a = p[i].b = 0;
    p[i].buf = 0;
    p[i].size = 0;
    if (attr & OPTEE_MSG_ATTR_META)
      return TEEC_ERROR_BAD_PARAMETERS;
    switch (p[i].type) {
    case OPTEE_MSG_ATTR_TYPE_NONE:
      break;
    case OPTEE_MSG_ATTR_TYPE_VALUE_INPUT:
    case OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT:
    case OPTEE_MSG_ATTR_TYPE_VALUE_INOUT:
      p[i].a = mp[i].u.value.a;
      p[i].b = mp[i].u.value.b;
      break;
    case OPTEE_MSG_ATTR_TYPE_TMEM_INPUT:
    case OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT:
    case OPTEE_MSG_ATTR_TYPE_TMEM_INOUT:
      if (!in_shm(mp[i].u.tmem.buf_ptr, mp[i].u.tmem.size))
        return TEEC_ERROR_BAD_PARAMETERS;
      p[i].buf = (u8 *)(uintptr_t)mp[i].u.tmem.buf_ptr;
      p[i].size = mp[i].u.tmem.size;
      break;
    default:   /* registered memory (RMEM): not offered (no REGISTER_SHM) */
      return TEEC_ERROR_BAD_PARAMETERS;
    }
  }
  return 0;
}

/* TA params → msg params: values and output sizes go back */
static void encode(struct optee_msg_param *mp, u32 n, const struct ta_param *p)
{
  for (u32 i = 0; i < n; i++)
    switch (p[i].type) {
    case OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT:
    case OPTEE_MSG_ATTR_TYPE_VALUE_INOUT:
      mp[i].u.value.a = p[i].a;
      mp[i].u.value.b = p[i].b;
      break;
    case OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT:
    case OPTEE_MSG_ATTR_TYPE_TMEM_INOUT:
      mp[i].u.tmem.size = p[i].size;
      break;
    }
}

static int find_session(u32 id)
{
  for (int i = 0; id && i < MAX_SESSIONS; i++)
    if (sessions[i].id == id)
      return i;
  return -1;
}

static void session_line(const char *what, u32 id, const struct ta *ta)
{
  struct line l;
  tee_line(&l);
  l_str(&l, what);
  l_str(&l, " session ");
  l_dec(&l, id);
  l_str(&l, " to TA ");
  l_str(&l, ta->name);
  l_emit(&l);
}

/* OPEN_SESSION: params[0] (meta, value) = the TA's UUID as 16 octets, params[1] (meta) =
 * client UUID and login (accepted as given: every client here is the one GPOS) */
static void open_session(struct optee_msg_arg *arg, u32 n)
{
  const u64 meta_in = OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
  if (n < 2 || arg->params[0].attr != meta_in || arg->params[1].attr != meta_in) {
    set_ret(arg, TEEC_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_TEE);
    return;
  }
  const struct ta *ta = 0;
  for (u32 i = 0; i < sizeof tas / sizeof tas[0]; i++)
    if (uuid_eq(arg->params[0].u.octets, &tas[i]->uuid))
      ta = tas[i];
  if (!ta) {
    set_ret(arg, TEEC_ERROR_ITEM_NOT_FOUND, TEEC_ORIGIN_TEE);
    return;
  }
  struct ta_param p[TA_MAX_PARAMS];
  u32 bad = decode(arg->params + 2, n - 2, p);
  if (bad) {
    set_ret(arg, bad, TEEC_ORIGIN_TEE);
    return;
  }
  int s = -1;
  for (int i = 0; s < 0 && i < MAX_SESSIONS; i++)
    if (!sessions[i].id)
      s = i;
  if (s < 0) {
    set_ret(arg, TEEC_ERROR_OUT_OF_MEMORY, TEEC_ORIGIN_TEE);
    return;
  }
  sessions[s].id = next_session++;
  sessions[s].ta = ta;
  arg->session = sessions[s].id;
  set_ret(arg, TEEC_SUCCESS, TEEC_ORIGIN_TRUSTED_APP);
  session_line("open", sessions[s].id, ta);
}

static void invoke(struct optee_msg_arg *arg, u32 n)
{
  int s = find_session(arg->session);
  if (s < 0) {
    set_ret(arg, TEEC_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_TEE);
    return;
  }
  if (n > TA_MAX_PARAMS) {
    set_ret(arg, TEEC_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_TEE);
    return;
  }
  struct ta_param p[TA_MAX_PARAMS];
  u32 bad = decode(arg->params, n, p);
  if (bad) {
    set_ret(arg, bad, TEEC_ORIGIN_TEE);
    return;
  }
  u32 ret = sessions[s].ta->invoke(arg->func, p, n);
  encode(arg->params, n, p);
  set_ret(arg, ret, TEEC_ORIGIN_TRUSTED_APP);
}

static void close_session(struct optee_msg_arg *arg)
{
  int s = find_session(arg->session);
  if (s < 0) {
    set_ret(arg, TEEC_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_TEE);
    return;
  }
  session_line("close", sessions[s].id, sessions[s].ta);
  sessions[s].id = 0;
  set_ret(arg, TEEC_SUCCESS, TEEC_ORIGIN_TEE);
}

/* a1 = upper, a2 = lower 32 bits of the argument's physical address (optee_smc.h) */
u64 call_with_arg(u64 hi, u64 lo)
{
  u64 pa = (hi & 0xffffffffUL) << 32 | (lo & 0xffffffffUL);
  if ((pa & 7) || !in_shm(pa, OPTEE_MSG_ARG_SIZE(0)))
    return OPTEE_SMC_RETURN_EBADADDR;
  struct optee_msg_arg *arg = (struct optee_msg_arg *)(uintptr_t)pa;
  u32 n = arg->num_params;   /* read once: the GPOS owns this memory */
  if (n > MAX_MSG_PARAMS || !in_shm(pa, OPTEE_MSG_ARG_SIZE(n)))
    return OPTEE_SMC_RETURN_EBADADDR;
  switch (arg->cmd) {
  case OPTEE_MSG_CMD_OPEN_SESSION:
    open_session(arg, n);
    break;
  case OPTEE_MSG_CMD_INVOKE_COMMAND:
    invoke(arg, n);
    break;
  case OPTEE_MSG_CMD_CLOSE_SESSION:
    close_session(arg);
    break;
  default:
    return OPTEE_SMC_RETURN_EBADCMD;
  }
  return OPTEE_SMC_RETURN_OK;
}
