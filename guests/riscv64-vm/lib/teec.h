/* teec: a small TEE client for the GPOS guests, shaped like GlobalPlatform's TEE Client API
 * (libteec): a context per TEE, sessions to TAs by UUID, commands with up to four value or
 * temporary-memref parameters, results as TEEC codes with an origin.
 *
 * Transport (CROSSCON's per-VM TEE, reference §3.3): `ecall` with a7 = 0x544545, a6 = a0 = the
 * OP-TEE function id, a1..a5 arguments; results in a0..a3 (a0 = status). TEE 1 is the GPOS's
 * parent (OP-TEE #1, ids 0xBF00FFxx / 0xB2.. / 0x32000004), TEE 2 its child (OP-TEE #2,
 * 0x9F00FFxx / 0x92.. / 0x12000004). Requests travel as a struct optee_msg_arg in the buffer
 * the TEE names with GET_SHM_CONFIG; memref contents are copied through that buffer (like
 * libteec's temporary memrefs), so the caller's buffers may be anywhere. A standard call that
 * comes back with an RPC (a0 = 0xFFFF00nn: OP-TEE asks for a buffer, frees one, or wants a
 * command served) is answered as Linux's OP-TEE driver answers it — buffers from the last
 * 64 KiB of the shared buffer, a TA or file to load is "not found" — and resumed, until it finishes.
 *
 * Differences from the GP API, for a bare-metal guest: no TEEC_Context/Session structs from
 * a driver, values are 64 bits wide, no registered shared memory, no cancellation. */
#ifndef TEEC_H
#define TEEC_H
#include <stdint.h>
#include "optee.h"

struct teec_regs { uint64_t a0, a1, a2, a3; };

/* one raw TEE call: fid in a0 and a6, a1..a5; a0..a3 of the answer. A call to a disabled TEE
 * comes back with a0 = 7 (OPTEE_SMC_RETURN_ENOTAVAIL); to TEE 2 without one, a0 = -1. */
struct teec_regs teec_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

struct teec_context {
  int tee;                  /* 1 or 2 */
  uint64_t shm_base, shm_size;
  uint64_t smc_status;      /* a0 of the last call: 0 = delivered; 7 = TEE disabled; ... */
  uint64_t rpc_next;        /* the RPC buffers: next free byte, and how many are allocated */
  uint32_t rpc_live;
  uint32_t rpcs;            /* RPCs served so far */
};

struct teec_session {
  struct teec_context *ctx;
  uint32_t id;
};

#define TEEC_NONE               0x0
#define TEEC_VALUE_INPUT        0x1
#define TEEC_VALUE_OUTPUT       0x2
#define TEEC_VALUE_INOUT        0x3
#define TEEC_MEMREF_TEMP_INPUT  0x5
#define TEEC_MEMREF_TEMP_OUTPUT 0x6
#define TEEC_MEMREF_TEMP_INOUT  0x7
#define TEEC_PARAM_TYPES(p0, p1, p2, p3) ((uint32_t)(p0) | (uint32_t)(p1) << 4 | (uint32_t)(p2) << 8 | (uint32_t)(p3) << 12)
#define TEEC_PARAM_TYPE_GET(t, i) (((t) >> (4 * (i))) & 0xf)

union teec_param {
  struct { void *buffer; uint64_t size; } tmpref;   /* size: in = capacity, out = length (or needed) */
  struct { uint64_t a, b; } value;
};

struct teec_operation {
  uint32_t param_types;
  union teec_param params[4];
};

/* the TEE's shared buffer (GET_SHM_CONFIG). TEEC_SUCCESS, or TEEC_ERROR_COMMUNICATION
 * (ctx->smc_status = the call's a0: no such TEE, disabled, no buffer) */
uint32_t teec_initialize_context(struct teec_context *ctx, int tee);

/* OPEN_SESSION with the TA's UUID (login public); op may be 0. *origin (may be 0) = TEEC_ORIGIN_* */
uint32_t teec_open_session(struct teec_context *ctx, struct teec_session *s, const struct tee_uuid *uuid,
                           struct teec_operation *op, uint32_t *origin);
uint32_t teec_invoke_command(struct teec_session *s, uint32_t cmd, struct teec_operation *op, uint32_t *origin);
uint32_t teec_close_session(struct teec_session *s);

/* the four 32-bit words of an OP-TEE UID/UUID answer (CALLS_UID, GET_OS_UUID: a0..a3) as the
 * UUID string "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", appended to a console line */
struct line;
void teec_line_uuid(struct line *l, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3);

#endif
