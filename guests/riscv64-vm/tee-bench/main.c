/* tee-bench: the GPOS of the 4 KiB standard-call benchmark (bench/tee.ts, bench/tee/std-call-4k.json),
 * linked at 0x91600000 like tee-client, under tee-os. It opens a session to the key store TA, has
 * the TEE generate a key, and then makes CALLS standard calls, each an INVOKE_COMMAND (CALL_WITH_ARG
 * with an optee_msg_arg in the shared buffer) of the key store's keyed checksum over a 4 KiB
 * memref — the payload copied into the shared buffer by teec, read whole by the TA, the checksum
 * back as a value. It prints "<name>: start" before the first timed call and
 * "<name>: <CALLS> calls, checksum <last>" after the last, then shuts its VM down. */
#include "vm.h"
#include "teec.h"

#define CALLS 10000
#define PAYLOAD 4096

static struct dt dt;
static const char *name = "gpos";
static const struct tee_uuid keystore_uuid = TA_KEYSTORE_UUID;
static u8 payload[PAYLOAD];

u64 trap_c(u64 cause, u64 epc, u64 tval)
{
  trap_fatal("tee-bench: trap", cause, epc, tval);
  return epc;
}

void secondary_main(u64 h)
{
  (void)h;
}

/* "<name>: <what>", and the value in hex unless `bare` */
static void line(const char *what, u64 v, int bare)
{
  struct line l;
  l_init(&l);
  l_str(&l, name);
  l_str(&l, ": ");
  l_str(&l, what);
  if (!bare)
    l_hex(&l, v);
  l_emit(&l);
}

void boot_main(u64 hart, const void *fdt)
{
  (void)hart;
  fdt_parse(fdt, &dt);
  con_init(&dt);
  if (dt.model)
    name = dt.model;
  struct teec_context c;
  struct teec_session s;
  u32 origin = 0;
  if (teec_initialize_context(&c, 1) || teec_open_session(&c, &s, &keystore_uuid, 0, &origin)) {
    line("no key store: a0 ", c.smc_status, 0);
    halt();
  }
  struct teec_operation g = { .param_types = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE) };
  g.params[0].value.a = 32;
  teec_invoke_command(&s, TA_KEYSTORE_CMD_GENERATE, &g, &origin);
  for (u32 i = 0; i < PAYLOAD; i++)
    payload[i] = (u8)(i * 31 + (i >> 8));

  struct teec_operation op = { .param_types = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE) };
  op.params[0].tmpref.buffer = payload;
  op.params[0].tmpref.size = PAYLOAD;
  u32 e = teec_invoke_command(&s, TA_KEYSTORE_CMD_MAC, &op, &origin);   /* once untimed: warm-up */
  if (e) {
    line("checksum failed: ", e, 0);
    halt();
  }
  line("start", 0, 1);
  for (u32 i = 0; i < CALLS && !e; i++) {
    payload[i % PAYLOAD]++;                /* a new message each time */
    e = teec_invoke_command(&s, TA_KEYSTORE_CMD_MAC, &op, &origin);
  }
  struct line l;
  l_init(&l);
  l_str(&l, name);
  l_str(&l, ": ");
  if (e) {
    l_str(&l, "call failed: ");
    l_hex(&l, e);
  } else {
    l_dec(&l, CALLS);
    l_str(&l, " calls, checksum ");
    l_hex(&l, op.params[1].value.a);
  }
  l_emit(&l);
  teec_close_session(&s);
  sbi_shutdown();
  halt();
}
