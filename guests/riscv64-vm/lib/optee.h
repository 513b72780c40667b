/* The OP-TEE protocol as CROSSCON's per-VM TEE carries it on RISC-V (reference §3.3): the
 * numbers both sides share, tee-os (the trusted OS) and teec.c (the GPOS's client).
 *
 * Conduit: `ecall` with a7 = TEE_SBI_EID, a6 = a0 = the SMCCC function id, a1..a5 arguments.
 * Function ids are OP-TEE's (optee_smc.h, optee_msg.h); OP-TEE #2 (a VM of type tee-child,
 * CROSSCON's -DOPTEE2 build) uses the same numbers with other SMCCC owner bits: fast calls
 * 0x92000000 | fn instead of 0xB2000000 | fn, API calls 0x9F00FFxx instead of 0xBF00FFxx,
 * CALL_WITH_ARG 0x12000004 instead of 0x32000004, returns 0x9E000000 | n instead of
 * 0xBE000000 | n. The hypervisor routes by the owner field (fid >> 24) & 0x3F. */
#ifndef OPTEE_H
#define OPTEE_H
#include <stdint.h>

#define TEE_SBI_EID 0x544545UL                 /* "TEE" */

/* ---- function ids (optee_smc.h), by flavour: TEE 1 = OP-TEE #1, TEE 2 = OP-TEE #2 ---- */
#define OPTEE_FAST(tee, fn)   ((tee) == 2 ? 0x92000000UL | (fn) : 0xB2000000UL | (fn))
#define OPTEE_API(tee, fn)    ((tee) == 2 ? 0x9F00FF00UL | (fn) : 0xBF00FF00UL | (fn))
#define OPTEE_STD(tee, fn)    ((tee) == 2 ? 0x12000000UL | (fn) : 0x32000000UL | (fn))
#define OPTEE_RETURN(tee, n)  ((tee) == 2 ? 0x9E000000UL | (n) : 0xBE000000UL | (n))

#define OPTEE_API_CALLS_COUNT     0x00        /* 0xBF00FF00 */
#define OPTEE_API_CALLS_UID       0x01        /* 0xBF00FF01 */
#define OPTEE_API_CALLS_REVISION  0x03        /* 0xBF00FF03 */
#define OPTEE_FN_GET_OS_UUID      0           /* 0xB2000000 */
#define OPTEE_FN_GET_OS_REVISION  1           /* 0xB2000001 */
#define OPTEE_FN_RETURN_FROM_RPC  3           /* std call 0x32000003: the answer to an RPC */
#define OPTEE_FN_CALL_WITH_ARG    4           /* std call 0x32000004 */
#define OPTEE_FN_GET_SHM_CONFIG   7           /* 0xB2000007 */
#define OPTEE_FN_EXCHANGE_CAPS    9           /* 0xB2000009 */

/* TEESMC_OPTEED_RETURN_*: the trusted OS's calls back to the hypervisor (n of OPTEE_RETURN) */
#define OPTEED_ENTRY_DONE   0
#define OPTEED_ON_DONE      1
#define OPTEED_SUSPEND_DONE 3
#define OPTEED_CALL_DONE    5

/* a0 of a finished call (optee_smc.h OPTEE_SMC_RETURN_*) */
#define OPTEE_SMC_RETURN_OK               0x0
#define OPTEE_SMC_RETURN_EBADADDR         0x4
#define OPTEE_SMC_RETURN_EBADCMD          0x5
#define OPTEE_SMC_RETURN_ENOTAVAIL        0x7   /* also what CROSSCON puts in a0 once the TEE is disabled */
#define OPTEE_SMC_RETURN_UNKNOWN_FUNCTION 0xFFFFFFFFUL

/* a0 = 0xFFFF00nn: the call is not finished, the TEE asks its client for a service (an RPC;
 * optee_smc.h OPTEE_SMC_RETURN_RPC_*); the client answers with RETURN_FROM_RPC, a3 = the
 * TEE's thread id as it came back in a3 */
#define OPTEE_SMC_RETURN_RPC_PREFIX        0xFFFF0000UL
#define OPTEE_SMC_RETURN_IS_RPC(a0)        ((a0) != OPTEE_SMC_RETURN_UNKNOWN_FUNCTION && ((a0) & 0xFFFF0000UL) == OPTEE_SMC_RETURN_RPC_PREFIX)
#define OPTEE_SMC_RPC_FUNC_ALLOC           0     /* a1 = size → a1/a2 = buffer address, a4/a5 = cookie */
#define OPTEE_SMC_RPC_FUNC_FREE            2     /* a1/a2 = cookie */
#define OPTEE_SMC_RPC_FUNC_FOREIGN_INTR    4     /* nothing to do but call back */
#define OPTEE_SMC_RPC_FUNC_CMD             5     /* a1/a2 = cookie of an optee_msg_arg holding an OPTEE_RPC_CMD_* */
#define OPTEE_RPC_CMD_LOAD_TA              0     /* optee_rpc_cmd.h: a TA image from the normal world */
#define OPTEE_RPC_CMD_FS                   2     /* a file of the normal world's secure-storage folder */
#define OPTEE_RPC_CMD_SHM_ALLOC            6     /* p0 value: a = type, b = size → p0 tmem output */
#define OPTEE_RPC_CMD_SHM_FREE             7     /* p0 value: b = cookie */

/* OPTEE_MSG_UID_* (384fb3e0-e7f8-11e3-af63-0002a5d5c51b) and OPTEE_MSG_OS_OPTEE_UUID_* */
#define OPTEE_MSG_UID_0 0x384fb3e0UL
#define OPTEE_MSG_UID_1 0xe7f811e3UL
#define OPTEE_MSG_UID_2 0xaf630002UL
#define OPTEE_MSG_UID_3 0xa5d5c51bUL
#define OPTEE_OS_UUID_0 0x486178e0UL
#define OPTEE_OS_UUID_1 0xe7f811e3UL
#define OPTEE_OS_UUID_2 0xbc5e0002UL
#define OPTEE_OS_UUID_3 0xa5d5c51bUL
#define OPTEE_MSG_REVISION_MAJOR 2
#define OPTEE_MSG_REVISION_MINOR 0
#define OPTEE_SMC_SHM_CACHED 1
#define OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM (1UL << 0)

/* ---- optee_msg.h: the argument of CALL_WITH_ARG, in the shared buffer ---- */
#define OPTEE_MSG_CMD_OPEN_SESSION   0
#define OPTEE_MSG_CMD_INVOKE_COMMAND 1
#define OPTEE_MSG_CMD_CLOSE_SESSION  2

#define OPTEE_MSG_ATTR_TYPE_NONE         0x0
#define OPTEE_MSG_ATTR_TYPE_VALUE_INPUT  0x1
#define OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT 0x2
#define OPTEE_MSG_ATTR_TYPE_VALUE_INOUT  0x3
#define OPTEE_MSG_ATTR_TYPE_TMEM_INPUT   0x9
#define OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT  0xa
#define OPTEE_MSG_ATTR_TYPE_TMEM_INOUT   0xb
#define OPTEE_MSG_ATTR_TYPE_MASK         0xff
#define OPTEE_MSG_ATTR_META              (1UL << 8)

struct optee_msg_param {          /* 32 bytes */
  uint64_t attr;
  union {
    struct { uint64_t buf_ptr, size, shm_ref; } tmem;   /* buf_ptr: physical address */
    struct { uint64_t a, b, c; } value;
    uint8_t octets[24];
  } u;
};

struct optee_msg_arg {            /* 32 bytes, then num_params params */
  uint32_t cmd;
  uint32_t func;
  uint32_t session;
  uint32_t cancel_id;
  uint32_t pad;
  uint32_t ret;
  uint32_t ret_origin;
  uint32_t num_params;
  struct optee_msg_param params[];
};
#define OPTEE_MSG_ARG_SIZE(n) (sizeof(struct optee_msg_arg) + sizeof(struct optee_msg_param) * (n))

/* ---- GlobalPlatform TEE Client API results (tee_client_api.h) ---- */
#define TEEC_SUCCESS                0x00000000UL
#define TEEC_ERROR_GENERIC          0xFFFF0000UL
#define TEEC_ERROR_ACCESS_DENIED    0xFFFF0001UL
#define TEEC_ERROR_ACCESS_CONFLICT  0xFFFF0003UL
#define TEEC_ERROR_BAD_FORMAT       0xFFFF0005UL
#define TEEC_ERROR_BAD_PARAMETERS   0xFFFF0006UL
#define TEEC_ERROR_BAD_STATE        0xFFFF0007UL
#define TEEC_ERROR_ITEM_NOT_FOUND   0xFFFF0008UL
#define TEEC_ERROR_NOT_SUPPORTED    0xFFFF000AUL
#define TEEC_ERROR_OUT_OF_MEMORY    0xFFFF000CUL
#define TEEC_ERROR_COMMUNICATION    0xFFFF000EUL
#define TEEC_ERROR_SHORT_BUFFER     0xFFFF0010UL
#define TEEC_ORIGIN_API          1
#define TEEC_ORIGIN_COMMS        2
#define TEEC_ORIGIN_TEE          3
#define TEEC_ORIGIN_TRUSTED_APP  4

/* ---- the trusted applications of tee-os (our own UUIDs) and their commands ---- */
/* counter/hello TA: bab0bab0-0001-4c0e-8000-7e11c0c00001 */
#define TA_COUNTER_UUID { 0xbab0bab0, 0x0001, 0x4c0e, { 0x80, 0x00, 0x7e, 0x11, 0xc0, 0xc0, 0x00, 0x01 } }
#define TA_COUNTER_CMD_INC   0   /* p0 VALUE_INOUT: in a = step (0 means 1); out a = counter, b = calls so far */
#define TA_COUNTER_CMD_ECHO  1   /* p0 MEMREF_INPUT text, p1 MEMREF_OUTPUT: "hello, <text>" (size = length) */
#define TA_COUNTER_CMD_PEEK  9   /* p0 VALUE_INPUT a = address, p1 VALUE_OUTPUT a = the u64 there: the TA's bug
                                    (it refuses only its own TEE's memory, then reads whatever it is given) */
/* key store TA: bab0bab0-0002-4c0e-8000-7e11c0c00002 */
#define TA_KEYSTORE_UUID { 0xbab0bab0, 0x0002, 0x4c0e, { 0x80, 0x00, 0x7e, 0x11, 0xc0, 0xc0, 0x00, 0x02 } }
#define TA_KEYSTORE_CMD_SET_KEY 0   /* p0 MEMREF_INPUT key, 1..64 bytes; once (then ACCESS_CONFLICT) */
#define TA_KEYSTORE_CMD_MAC     1   /* p0 MEMREF_INPUT message, p1 VALUE_OUTPUT a = keyed checksum (64 bits) */
#define TA_KEYSTORE_CMD_GET_KEY 2   /* always ACCESS_DENIED: the key never leaves the TEE */
#define TA_KEYSTORE_CMD_INFO    3   /* p0 VALUE_OUTPUT a = key set (0/1), b = MACs computed */
#define TA_KEYSTORE_CMD_GENERATE 4  /* p0 VALUE_INPUT a = length 1..64: the TEE makes the key itself
                                       (the GPOS never holds it); once, like SET_KEY */

struct tee_uuid {                 /* RFC 4122 fields, as TEEC_UUID */
  uint32_t time_low;
  uint16_t time_mid;
  uint16_t time_hi_and_version;
  uint8_t clock_seq_and_node[8];
};

/* The UUID as the 16 octets of OPEN_SESSION's meta param 0 (big-endian fields, RFC 4122 order) */
static inline void uuid_to_octets(uint8_t *d, const struct tee_uuid *u)
{
  d[0] = (uint8_t)(u->time_low >> 24);
  d[1] = (uint8_t)(u->time_low >> 16);
  d[2] = (uint8_t)(u->time_low >> 8);
  d[3] = (uint8_t)u->time_low;
  d[4] = (uint8_t)(u->time_mid >> 8);
  d[5] = (uint8_t)u->time_mid;
  d[6] = (uint8_t)(u->time_hi_and_version >> 8);
  d[7] = (uint8_t)u->time_hi_and_version;
  for (int i = 0; i < 8; i++)
    d[8 + i] = u->clock_seq_and_node[i];
}

#endif
