/* tee-os internals: the OS's state, the TA interface, the shared-buffer checks. */
#ifndef TEE_H
#define TEE_H
#include "vm.h"
#include "optee.h"

#define TEE_REGION_SIZE 0xf00000UL   /* the VM region the configs give the TEE (from _start) */

struct tee_os {
  int flavour;                /* 1 = OP-TEE #1 (ids 0xB2/0xBF/0x32/0xBE), 2 = OP-TEE #2 (0x92/0x9F/0x12/0x9E) */
  const char *name;           /* the VM's name: the console prefix */
  int has_shm;
  u64 shm_base, shm_size;     /* the buffer shared with the GPOS (device tree /chosen "baobab,ipc") */
  u64 own_base, own_size;     /* this TEE's own memory */
};
extern struct tee_os tee;

/* One TA parameter, decoded from an optee_msg_param. Memrefs point into the shared buffer
 * (checked before the TA sees them); an output memref's size is the TA's answer (the length
 * written, or the length needed with TEEC_ERROR_SHORT_BUFFER). */
struct ta_param {
  u32 type;                   /* OPTEE_MSG_ATTR_TYPE_* */
  u64 a, b;                   /* values */
  u8 *buf;                    /* memrefs */
  u64 size;
};
#define TA_MAX_PARAMS 4

struct ta {
  const char *name;
  struct tee_uuid uuid;
  u32 (*invoke)(u32 cmd, struct ta_param *p, u32 n);   /* returns a TEEC result */
};
extern const struct ta ta_counter, ta_keystore;

int in_shm(u64 pa, u64 size);
u64 call_with_arg(u64 hi, u64 lo);       /* an OPTEE_SMC_RETURN_* */
void tee_line(struct line *l);           /* starts a console line with "<name>: " */

#endif
