/* optee-check: a GPOS that checks the trusted OS under it is a real OP-TEE (README "Checking
 * against a real OP-TEE"): CROSSCON's RISC-V OP-TEE 3.20 as the type-1 TEE VM, this program as
 * its GPOS child, linked at 0x91600000 like tee-client — and, when the config has one, a second
 * OP-TEE (CROSSCON's -DOPTEE2 build) as its type-2 child TEE. It prints what each call returned,
 * raw, and compares nothing itself — the test (test/tee-optee.test.ts) does. For TEE 1, then
 * TEE 2 (lines "<name>: TEE n ..."; TEE 2 only when its CALLS_UID is answered):
 *
 *  1. the fast calls: CALLS_UID, CALLS_REVISION, CALLS_COUNT, GET_OS_UUID, GET_OS_REVISION,
 *     EXCHANGE_CAPABILITIES, GET_SHM_CONFIG (a0..a3 as the TEE's CALL_DONE gave them);
 *  2. standard calls (CALL_WITH_ARG with an optee_msg_arg in the shared buffer, the RPCs OP-TEE
 *     makes answered by teec): a session to OP-TEE's built-in "invoke tests" pseudo TA, its
 *     trace command, a value INOUT (a + b), a 4 KiB memref INOUT (OP-TEE writes the bytes' sum
 *     into the first byte), close; then a TA OP-TEE does not have (tee-os's counter TA: OP-TEE
 *     asks the GPOS to load it, which has no TA files);
 * then "<name>: done". */
#include "vm.h"
#include "teec.h"

/* PTA_INVOKE_TESTS_UUID (OP-TEE lib/libutee/include/pta_invoke_tests.h) and its commands */
static const struct tee_uuid invoke_tests = { 0xd96a5b40, 0xc3e5, 0x21e3, { 0x87, 0x94, 0x10, 0x02, 0xa5, 0xd5, 0xc6, 0x1b } };
#define PTA_INVOKE_TESTS_CMD_TRACE  0
#define PTA_INVOKE_TESTS_CMD_PARAMS 1
static const struct tee_uuid counter_uuid = TA_COUNTER_UUID;

#define PAYLOAD 4096

static struct dt dt;
static const char *name = "optee-check";
static u8 payload[PAYLOAD];

u64 trap_c(u64 cause, u64 epc, u64 tval)
{
  trap_fatal("optee-check: trap", cause, epc, tval);
  return epc;
}

void secondary_main(u64 h)
{
  (void)h;
}

static int tee = 1;     /* the TEE being checked */

static void start(struct line *l)
{
  l_init(l);
  l_str(l, name);
  l_str(l, ": TEE ");
  l_dec(l, tee);
  l_chr(l, ' ');
}

/* "<what> -> a0 0x.. a1 0x.. a2 0x.. a3 0x.." */
static struct teec_regs fast(const char *what, u64 fid, u64 a1)
{
  struct teec_regs r = teec_smc(fid, a1, 0, 0, 0, 0);
  struct line l;
  start(&l);
  l_str(&l, what);
  l_str(&l, " -> a0 ");
  l_hex(&l, r.a0);
  l_str(&l, " a1 ");
  l_hex(&l, r.a1);
  l_str(&l, " a2 ");
  l_hex(&l, r.a2);
  l_str(&l, " a3 ");
  l_hex(&l, r.a3);
  l_emit(&l);
  return r;
}

static void uuid_line(const char *what, struct teec_regs r)
{
  struct line l;
  start(&l);
  l_str(&l, what);
  l_chr(&l, ' ');
  teec_line_uuid(&l, r.a0, r.a1, r.a2, r.a3);
  l_emit(&l);
}

/* "<what>: ok" or "<what>: 0x<code> (origin n)", with the RPCs the call took */
static void outcome(const struct teec_context *c, const char *what, u32 e, u32 origin, u32 rpcs)
{
  struct line l;
  start(&l);
  l_str(&l, what);
  l_str(&l, " -> ");
  if (e == TEEC_SUCCESS)
    l_str(&l, "ok");
  else {
    l_hex(&l, e);
    l_str(&l, " (origin ");
    l_dec(&l, origin);
    if (origin == TEEC_ORIGIN_COMMS) {
      l_str(&l, ", a0 ");
      l_hex(&l, c->smc_status);
    }
    l_chr(&l, ')');
  }
  l_str(&l, ", ");
  l_dec(&l, (i64)(c->rpcs - rpcs));
  l_str(&l, " RPCs");
  l_emit(&l);
}

static void std_calls(struct teec_context *c)
{
  struct teec_session s;
  u32 origin = 0, rpcs = c->rpcs;
  u32 e = teec_open_session(c, &s, &invoke_tests, 0, &origin);
  outcome(c, "open invoke-tests PTA", e, origin, rpcs);
  if (e == TEEC_SUCCESS) {
    rpcs = c->rpcs;
    e = teec_invoke_command(&s, PTA_INVOKE_TESTS_CMD_TRACE, 0, &origin);
    outcome(c, "PTA trace", e, origin, rpcs);

    struct teec_operation op = { .param_types = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE) };
    op.params[0].value.a = 40;
    op.params[0].value.b = 2;
    rpcs = c->rpcs;
    e = teec_invoke_command(&s, PTA_INVOKE_TESTS_CMD_PARAMS, &op, &origin);
    outcome(c, "PTA params value 40 + 2", e, origin, rpcs);
    struct line l;
    start(&l);
    l_str(&l, "PTA params value: a = ");
    l_dec(&l, (i64)op.params[0].value.a);
    l_emit(&l);

    u32 sum = 0, x = 1;
    for (u32 i = 0; i < PAYLOAD; i++) {
      x = x * 1103515245u + 12345u;       /* a byte pattern whose sum is not a multiple of 256 */
      payload[i] = (u8)(x >> 16);
      sum += payload[i];
    }
    struct teec_operation m = { .param_types = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE) };
    m.params[0].tmpref.buffer = payload;
    m.params[0].tmpref.size = PAYLOAD;
    rpcs = c->rpcs;
    e = teec_invoke_command(&s, PTA_INVOKE_TESTS_CMD_PARAMS, &m, &origin);
    outcome(c, "PTA params memref 4096 bytes", e, origin, rpcs);
    start(&l);
    l_str(&l, "PTA params memref: first byte ");
    l_hex(&l, payload[0]);
    l_str(&l, ", the bytes' sum mod 256 ");
    l_hex(&l, sum & 0xff);
    l_emit(&l);

    rpcs = c->rpcs;
    e = teec_close_session(&s);
    outcome(c, "close invoke-tests PTA", e, 0, rpcs);
  }

  struct teec_session t;
  rpcs = c->rpcs;
  e = teec_open_session(c, &t, &counter_uuid, 0, &origin);
  outcome(c, "open TA bab0bab0-0001-4c0e-8000-7e11c0c00001", e, origin, rpcs);
}

/* 1. and 2. on one TEE; 0 when it is not there */
static int check(void)
{
  struct teec_regs uid = fast("CALLS_UID", OPTEE_API(tee, OPTEE_API_CALLS_UID), 0);
  if (uid.a0 == (u64)-1)
    return 0;
  uuid_line("UID", uid);
  fast("CALLS_REVISION", OPTEE_API(tee, OPTEE_API_CALLS_REVISION), 0);
  fast("CALLS_COUNT", OPTEE_API(tee, OPTEE_API_CALLS_COUNT), 0);
  uuid_line("OS UUID", fast("GET_OS_UUID", OPTEE_FAST(tee, OPTEE_FN_GET_OS_UUID), 0));
  fast("GET_OS_REVISION", OPTEE_FAST(tee, OPTEE_FN_GET_OS_REVISION), 0);
  fast("EXCHANGE_CAPABILITIES", OPTEE_FAST(tee, OPTEE_FN_EXCHANGE_CAPS), 0);
  fast("GET_SHM_CONFIG", OPTEE_FAST(tee, OPTEE_FN_GET_SHM_CONFIG), 0);

  struct teec_context c;
  if (teec_initialize_context(&c, tee) == TEEC_SUCCESS)
    std_calls(&c);
  else {
    struct line l;
    start(&l);
    l_str(&l, "no shared buffer: GET_SHM_CONFIG a0 ");
    l_hex(&l, c.smc_status);
    l_emit(&l);
  }
  return 1;
}

void boot_main(u64 hart, const void *fdt)
{
  fdt_parse(fdt, &dt);
  con_init(&dt);
  if (dt.model)
    name = dt.model;
  struct line l;
  l_init(&l);
  l_str(&l, name);
  l_str(&l, ": GPOS on hart ");
  l_dec(&l, (i64)hart);
  l_str(&l, ", console ");
  l_str(&l, con_name());
  l_emit(&l);

  for (tee = 1; tee <= 2; tee++)
    check();
  l_init(&l);
  l_str(&l, name);
  l_str(&l, ": done");
  l_emit(&l);
}
