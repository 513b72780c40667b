/* tee-client: a GPOS that uses baobab's per-VM TEE (CROSSCON's sdTZ, reference §3.3 and the
 * demos of §7.2) through teec (lib/teec.h), talking to tee-os. Linked at 0x91600000 (its VM
 * region 0x91200000 + 0x7d00000, like the Linux GPOS of CROSSCON's RISC-V demos); console on
 * the passed-through UART of its device tree. It is started by its TEE (ENTRY_DONE) and runs
 * only while no TEE does: every call below stops it until the TEE answers.
 *
 *  1. TEE 1 (its parent, OP-TEE #1): API UID, revision, OS UUID and revision, capabilities,
 *     the shared buffer (GET_SHM_CONFIG);
 *  2. the counter TA: a few increments, the greeting (and a too-small buffer), an unknown UUID;
 *  3. the key store TA: sets the secret, a second set (refused), keyed checksums of a message,
 *     "read the key" (refused), its counters;
 *  4. TEE 2 (its child, OP-TEE #2) when the config has one: the same TAs, another state;
 *  5. by the VM's name (device-tree model) "...-malicious": the counter TA's peek at memory
 *     TEE 1 does not own — the hypervisor stops TEE 1 and the call comes back with a0 = 7 —
 *     then TEE 1's calls fail with a0 = 7 while TEE 2's still work;
 *  6. "<name>: done".
 *
 * Other modes for the isolation tests (test/tee-isolation.test.ts), also by the VM's name:
 *   "...-sealed": instead of 2. and 3., the key store makes its key inside TEE 1 (GENERATE) and
 *     the GPOS only uses it — the key is never in this VM's memory;
 *   "...-reads-0x<addr>": after 2. and 3. on TEE 1, this GPOS loads the word at <addr> itself (its
 *     TEE's memory, or another pair's): the hypervisor stops it at that load, so "reading <addr>"
 *     is its last line;
 *   "...-peeks-0x<addr>": TEE 1's counter TA peeks at <addr> (another pair's TEE): TEE 1 is
 *     disabled, the call and every later one to it get a0 = 7, then "done". */
#include "vm.h"
#include "teec.h"

#define PEEK_ADDR 0x91600000UL   /* this GPOS's own first instruction: not the TEE's */
#define TEE1_BASE 0xb0000000UL   /* tee-os's own memory */

static struct dt dt;
static const char *name = "gpos";
static const struct tee_uuid counter_uuid = TA_COUNTER_UUID;
static const struct tee_uuid keystore_uuid = TA_KEYSTORE_UUID;
static const struct tee_uuid unknown_uuid = { 0xbab0bab0, 0x00ff, 0x4c0e, { 0x80, 0, 0x7e, 0x11, 0xc0, 0xc0, 0, 0xff } };

u64 trap_c(u64 cause, u64 epc, u64 tval)
{
  trap_fatal("gpos: trap", cause, epc, tval);
  return epc;
}

void secondary_main(u64 h)
{
  (void)h;
}

/* ---- output ---- */

static void start(struct line *l, int tee)
{
  l_init(l);
  l_str(l, name);
  l_str(l, ": ");
  if (tee) {
    l_str(l, "TEE ");
    l_dec(l, tee);
    l_str(l, " ");
  }
}

static void hexpad(struct line *l, u64 v, int digits)
{
  while (digits-- > 0)
    l_chr(l, "0123456789abcdef"[(v >> (4 * digits)) & 15]);
}

/* "ok" or "0x<code> (<origin>)" and, for a failed transport, the call's a0 */
static void result(struct line *l, const struct teec_context *c, u32 ret, u32 origin)
{
  static const char *const origins[] = { "?", "api", "comms", "tee", "ta" };
  if (ret == TEEC_SUCCESS) {
    l_str(l, "ok");
    return;
  }
  l_hex(l, ret);
  l_str(l, " (origin ");
  l_str(l, origin < 5 ? origins[origin] : "?");
  if (origin == TEEC_ORIGIN_COMMS) {
    l_str(l, ", a0 = ");
    l_dec(l, (i64)c->smc_status);
  }
  l_chr(l, ')');
}

static void str_param(union teec_param *p, const char *s)
{
  u64 n = 0;
  while (s[n])
    n++;
  p->tmpref.buffer = (void *)s;
  p->tmpref.size = n;
}

/* ---- the steps ---- */

/* 1. who is there; 0 when no TEE answers as OP-TEE */
static int identify(struct teec_context *c, int tee)
{
  struct line l;
  struct teec_regs r = teec_smc(OPTEE_API(tee, OPTEE_API_CALLS_UID), 0, 0, 0, 0, 0);
  start(&l, tee);
  if (r.a0 != OPTEE_MSG_UID_0 || r.a1 != OPTEE_MSG_UID_1 || r.a2 != OPTEE_MSG_UID_2 || r.a3 != OPTEE_MSG_UID_3) {
    l_str(&l, "not there: CALLS_UID gave a0 = ");
    l_dec(&l, (i64)r.a0);
    l_emit(&l);
    return 0;
  }
  l_str(&l, "API UID ");
  teec_line_uuid(&l, r.a0, r.a1, r.a2, r.a3);
  r = teec_smc(OPTEE_API(tee, OPTEE_API_CALLS_REVISION), 0, 0, 0, 0, 0);
  l_str(&l, ", revision ");
  l_dec(&l, (i64)r.a0);
  l_chr(&l, '.');
  l_dec(&l, (i64)r.a1);
  r = teec_smc(OPTEE_API(tee, OPTEE_API_CALLS_COUNT), 0, 0, 0, 0, 0);
  l_str(&l, ", ");
  l_dec(&l, (i64)r.a0);
  l_str(&l, " calls");
  l_emit(&l);

  r = teec_smc(OPTEE_FAST(tee, OPTEE_FN_GET_OS_UUID), 0, 0, 0, 0, 0);
  start(&l, tee);
  l_str(&l, "OS UUID ");
  teec_line_uuid(&l, r.a0, r.a1, r.a2, r.a3);
  r = teec_smc(OPTEE_FAST(tee, OPTEE_FN_GET_OS_REVISION), 0, 0, 0, 0, 0);
  l_str(&l, ", OS revision ");
  l_dec(&l, (i64)r.a0);
  l_chr(&l, '.');
  l_dec(&l, (i64)r.a1);
  r = teec_smc(OPTEE_FAST(tee, OPTEE_FN_EXCHANGE_CAPS), 0, 0, 0, 0, 0);
  l_str(&l, ", capabilities ");
  l_hex(&l, r.a1);
  l_emit(&l);

  u32 e = teec_initialize_context(c, tee);
  start(&l, tee);
  if (e) {
    l_str(&l, "GET_SHM_CONFIG failed: a0 = ");
    l_dec(&l, (i64)c->smc_status);
    l_emit(&l);
    return 0;
  }
  l_str(&l, "shared memory ");
  l_hex(&l, c->shm_base);
  l_str(&l, " + ");
  l_hex(&l, c->shm_size);
  l_emit(&l);
  return 1;
}

static u32 open(struct teec_context *c, struct teec_session *s, const struct tee_uuid *u, const char *what)
{
  u32 origin = 0;
  u32 e = teec_open_session(c, s, u, 0, &origin);
  struct line l;
  start(&l, c->tee);
  l_str(&l, "open ");
  l_str(&l, what);
  l_str(&l, " TA: ");
  result(&l, c, e, origin);
  if (!e) {
    l_str(&l, ", session ");
    l_dec(&l, s->id);
  }
  l_emit(&l);
  return e;
}

static u32 inc(struct teec_session *s, u64 step)
{
  struct teec_operation op = { .param_types = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE) };
  op.params[0].value.a = step;
  u32 origin = 0;
  u32 e = teec_invoke_command(s, TA_COUNTER_CMD_INC, &op, &origin);
  struct line l;
  start(&l, s->ctx->tee);
  l_str(&l, "counter TA: inc ");
  l_dec(&l, (i64)step);
  l_str(&l, " -> ");
  if (e)
    result(&l, s->ctx, e, origin);
  else {
    l_str(&l, "counter ");
    l_dec(&l, (i64)op.params[0].value.a);
    l_str(&l, " (call ");
    l_dec(&l, (i64)op.params[0].value.b);
    l_chr(&l, ')');
  }
  l_emit(&l);
  return e;
}

static void echo(struct teec_session *s, const char *text, u64 cap)
{
  char out[64];
  struct teec_operation op = { .param_types = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE) };
  str_param(&op.params[0], text);
  op.params[1].tmpref.buffer = out;
  op.params[1].tmpref.size = cap < sizeof out ? cap : sizeof out;
  u32 origin = 0;
  u32 e = teec_invoke_command(s, TA_COUNTER_CMD_ECHO, &op, &origin);
  struct line l;
  start(&l, s->ctx->tee);
  l_str(&l, "counter TA: echo \"");
  l_str(&l, text);
  l_str(&l, "\" into ");
  l_dec(&l, (i64)cap);
  l_str(&l, " bytes -> ");
  if (e) {
    result(&l, s->ctx, e, origin);
    l_str(&l, ", needs ");
    l_dec(&l, (i64)op.params[1].tmpref.size);
  } else {
    l_chr(&l, '"');
    for (u64 i = 0; i < op.params[1].tmpref.size; i++)
      l_chr(&l, out[i]);
    l_chr(&l, '"');
  }
  l_emit(&l);
}

static u32 peek(struct teec_session *s, u64 at)
{
  struct teec_operation op = { .param_types = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE) };
  op.params[0].value.a = at;
  u32 origin = 0;
  u32 e = teec_invoke_command(s, TA_COUNTER_CMD_PEEK, &op, &origin);
  struct line l;
  start(&l, s->ctx->tee);
  l_str(&l, "counter TA: peek at ");
  l_hex(&l, at);
  l_str(&l, " -> ");
  if (e)
    result(&l, s->ctx, e, origin);
  else {
    l_str(&l, "read ");
    l_hex(&l, op.params[1].value.a);
    l_str(&l, " (isolation broken)");
  }
  l_emit(&l);
  return e;
}

/* a keystore command with the message (or key) m as p0 and a value output as p1 */
static u32 keystore(struct teec_session *s, u32 cmd, const char *what, const char *m, u32 types)
{
  struct teec_operation op = { .param_types = types };
  if (m)
    str_param(&op.params[0], m);
  u32 origin = 0;
  u32 e = teec_invoke_command(s, cmd, &op, &origin);
  struct line l;
  start(&l, s->ctx->tee);
  l_str(&l, "keystore TA: ");
  l_str(&l, what);
  l_str(&l, " -> ");
  result(&l, s->ctx, e, origin);
  if (!e && cmd == TA_KEYSTORE_CMD_MAC) {
    l_str(&l, ", checksum ");
    hexpad(&l, op.params[1].value.a, 16);
  } else if (!e && cmd == TA_KEYSTORE_CMD_INFO) {
    l_str(&l, ", key set ");
    l_dec(&l, (i64)op.params[0].value.a);
    l_str(&l, ", checksums ");
    l_dec(&l, (i64)op.params[0].value.b);
  }
  l_emit(&l);
  return e;
}

static const u32 MEMREF_IN = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
static const u32 MAC_TYPES = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
static const u32 INFO_TYPES = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
static const u32 NO_PARAMS = TEEC_PARAM_TYPES(TEEC_NONE, TEEC_NONE, TEEC_NONE, TEEC_NONE);

/* 2. and 3. on one TEE */
static void use_tas(struct teec_context *c, const char *key)
{
  struct teec_session s;
  if (!open(c, &s, &counter_uuid, "counter")) {
    inc(&s, 1);
    inc(&s, 1);
    inc(&s, 40);
    echo(&s, "baobab", 32);
    echo(&s, "baobab", 4);
    teec_close_session(&s);
  }
  struct teec_session u;
  open(c, &u, &unknown_uuid, "unknown");

  struct teec_session k;
  if (open(c, &k, &keystore_uuid, "keystore"))
    return;
  keystore(&k, TA_KEYSTORE_CMD_MAC, "checksum before a key is set", "attack at dawn", MAC_TYPES);
  keystore(&k, TA_KEYSTORE_CMD_SET_KEY, "set key", key, MEMREF_IN);
  keystore(&k, TA_KEYSTORE_CMD_SET_KEY, "set key again", "another key", MEMREF_IN);
  keystore(&k, TA_KEYSTORE_CMD_MAC, "checksum \"attack at dawn\"", "attack at dawn", MAC_TYPES);
  keystore(&k, TA_KEYSTORE_CMD_MAC, "checksum \"attack at dusk\"", "attack at dusk", MAC_TYPES);
  keystore(&k, TA_KEYSTORE_CMD_GET_KEY, "read the key", 0, NO_PARAMS);
  keystore(&k, TA_KEYSTORE_CMD_INFO, "info", 0, INFO_TYPES);
  teec_close_session(&k);
}

/* 5. the fault demo */
static void malicious(struct teec_context *tee1, struct teec_context *tee2, int have2)
{
  struct teec_session s;
  if (open(tee1, &s, &counter_uuid, "counter"))
    return;
  inc(&s, 1);
  peek(&s, TEE1_BASE);   /* TEE 1's own memory: the TA refuses */
  peek(&s, PEEK_ADDR);   /* not TEE 1's: the hypervisor stops TEE 1, a0 = 7 */

  struct line l;
  struct teec_regs r = teec_smc(OPTEE_API(1, OPTEE_API_CALLS_UID), 0, 0, 0, 0, 0);
  start(&l, 1);
  l_str(&l, "CALLS_UID after the fault -> a0 = ");
  l_dec(&l, (i64)r.a0);
  l_emit(&l);
  inc(&s, 1);
  struct teec_session k;
  open(tee1, &k, &keystore_uuid, "keystore");
  if (have2)
    use_tas(tee2, "a key for the second TEE");
}

/* "...-sealed": a key the GPOS never holds */
static void sealed(struct teec_context *c)
{
  struct teec_session k;
  if (open(c, &k, &keystore_uuid, "keystore"))
    return;
  struct teec_operation op = { .param_types = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE) };
  op.params[0].value.a = 32;
  u32 origin = 0;
  u32 e = teec_invoke_command(&k, TA_KEYSTORE_CMD_GENERATE, &op, &origin);
  struct line l;
  start(&l, c->tee);
  l_str(&l, "keystore TA: generate a 32-byte key in the TEE -> ");
  result(&l, c, e, origin);
  l_emit(&l);
  keystore(&k, TA_KEYSTORE_CMD_SET_KEY, "set key after generate", "a key of the GPOS", MEMREF_IN);
  keystore(&k, TA_KEYSTORE_CMD_MAC, "checksum \"attack at dawn\"", "attack at dawn", MAC_TYPES);
  keystore(&k, TA_KEYSTORE_CMD_MAC, "checksum \"attack at dusk\"", "attack at dusk", MAC_TYPES);
  keystore(&k, TA_KEYSTORE_CMD_GET_KEY, "read the key", 0, NO_PARAMS);
  keystore(&k, TA_KEYSTORE_CMD_INFO, "info", 0, INFO_TYPES);
  teec_close_session(&k);
}

/* the address in a name "...<tag>0x<hex>...", or 0 */
static u64 name_addr(const char *tag)
{
  for (const char *p = name; *p; p++) {
    const char *t = tag, *q = p;
    while (*t && *q == *t)
      t++, q++;
    if (*t || q[0] != '0' || q[1] != 'x')
      continue;
    u64 a = 0;
    for (q += 2;; q++) {
      int d = *q >= '0' && *q <= '9' ? *q - '0' : *q >= 'a' && *q <= 'f' ? *q - 'a' + 10 : -1;
      if (d < 0)
        return a;
      a = a << 4 | (u64)d;
    }
  }
  return 0;
}

/* "...-reads-0x<addr>": a load of this GPOS's own, outside its memory */
static void reads(u64 at)
{
  struct line l;
  start(&l, 0);
  l_str(&l, "reading ");
  l_hex(&l, at);
  l_emit(&l);
  u64 v = *(volatile u64 *)(uintptr_t)at;
  start(&l, 0);
  l_str(&l, "read ");
  l_hex(&l, v);
  l_str(&l, " (isolation broken)");
  l_emit(&l);
}

/* "...-peeks-0x<addr>": TEE 1 is asked to read another TEE's memory */
static void peeks(struct teec_context *tee1, u64 at)
{
  struct teec_session s;
  if (open(tee1, &s, &counter_uuid, "counter"))
    return;
  inc(&s, 1);
  peek(&s, at);
  struct line l;
  struct teec_regs r = teec_smc(OPTEE_API(1, OPTEE_API_CALLS_UID), 0, 0, 0, 0, 0);
  start(&l, 1);
  l_str(&l, "CALLS_UID after the fault -> a0 = ");
  l_dec(&l, (i64)r.a0);
  l_emit(&l);
}

void boot_main(u64 hart, const void *fdt)
{
  fdt_parse(fdt, &dt);
  con_init(&dt);
  if (dt.model)
    name = dt.model;
  struct line l;
  start(&l, 0);
  l_str(&l, "GPOS on hart ");
  l_dec(&l, (i64)hart);
  l_str(&l, ", console ");
  l_str(&l, con_name());
  l_emit(&l);

  struct teec_context tee1, tee2;
  int have1 = identify(&tee1, 1);
  int have2 = identify(&tee2, 2);
  u64 read_at = name_addr("-reads-"), peek_at = name_addr("-peeks-");
  if (ends_with(name, "-malicious")) {
    if (have1)
      malicious(&tee1, &tee2, have2);
  } else if (ends_with(name, "-sealed")) {
    if (have1)
      sealed(&tee1);
  } else if (peek_at) {
    if (have1)
      peeks(&tee1, peek_at);
  } else {
    if (have1)
      use_tas(&tee1, "correct horse battery staple");
    if (have2)
      use_tas(&tee2, "a key for the second TEE");
    if (read_at)
      reads(read_at);
  }
  start(&l, 0);
  l_str(&l, "done");
  l_emit(&l);
}
