/* tee-os: a small trusted OS for baobab's per-VM TEE (CROSSCON's sdTZ, reference §3.3), in the
 * role OP-TEE plays in CROSSCON's demos. It runs in its own VM (type tee-parent: OP-TEE #1, or
 * tee-child: OP-TEE #2), linked at 0xb0000000, identity-mapped, integer-only, and prints through
 * the SBI debug console (it has no UART).
 *
 * The OS never waits for interrupts: it lives in one loop of calls to the hypervisor
 * (OP-TEE's crossconhyp_return_to_ree). Each call is `ecall` with a7 = 0x544545, a0 = a6 = a
 * TEESMC_OPTEED_RETURN_* id, a1..a5 = results; it comes back when the GPOS makes a TEE call,
 * with the GPOS's a0..a6 in a0..a6 (a0 = a6 = the GPOS's function id):
 *   boot → ENTRY_DONE → request → CALL_DONE(results) → request → CALL_DONE(results) → ...
 * On CALL_DONE the hypervisor copies a1..a6 to the GPOS's a0..a5, so a1 is the status the GPOS
 * sees and a2..a5 its values (a6 must stay the function id: the GPOS's a5 is not a result).
 *
 * Flavour: the VM's name (device-tree model) ending in "optee2" selects OP-TEE #2's ids
 * (0x9E.., 0x92.., 0x9F.., 0x12000004) — one image serves both TEEs of a dual-TEE setup. */
#include "tee.h"

struct tee_os tee;
static struct dt dt;
extern u8 _start[];

struct tee_req { u64 a[7]; };   /* a0..a6 of the GPOS's call */

u64 trap_c(u64 cause, u64 epc, u64 tval)
{
  trap_fatal("tee-os: trap", cause, epc, tval);
  return epc;
}

void secondary_main(u64 h)
{
  (void)h;
}

void tee_line(struct line *l)
{
  l_init(l);
  l_str(l, tee.name);
  l_str(l, ": ");
}

/* one TEESMC_OPTEED_RETURN_* call: results r[0..4] go out in a1..a5; returns when the GPOS's
 * next request is in a0..a6 */
static void tee_return(u64 n, const u64 r[5], struct tee_req *q)
{
  register u64 a0 __asm__("a0") = OPTEE_RETURN(tee.flavour, n);
  register u64 a1 __asm__("a1") = r[0];
  register u64 a2 __asm__("a2") = r[1];
  register u64 a3 __asm__("a3") = r[2];
  register u64 a4 __asm__("a4") = r[3];
  register u64 a5 __asm__("a5") = r[4];
  register u64 a6 __asm__("a6") = OPTEE_RETURN(tee.flavour, n);
  register u64 a7 __asm__("a7") = TEE_SBI_EID;
  __asm__ volatile("ecall"
                   : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6), "+r"(a7)
                   :: "memory");
  q->a[0] = a0; q->a[1] = a1; q->a[2] = a2; q->a[3] = a3;
  q->a[4] = a4; q->a[5] = a5; q->a[6] = a6;
}

#define CALLS_IMPLEMENTED 8   /* the function ids serve() answers */

/* a request (SMCCC id in a0, 32 bits) → results r[0] = status (a0 of the GPOS), r[1..4] */
static void serve(const struct tee_req *q, u64 r[5])
{
  u64 fid = q->a[0] & 0xffffffffUL;
  int f = tee.flavour;
  for (int i = 0; i < 5; i++)
    r[i] = 0;
  if (fid == OPTEE_API(f, OPTEE_API_CALLS_COUNT))
    r[0] = CALLS_IMPLEMENTED;
  else if (fid == OPTEE_API(f, OPTEE_API_CALLS_UID)) {
    r[0] = OPTEE_MSG_UID_0; r[1] = OPTEE_MSG_UID_1; r[2] = OPTEE_MSG_UID_2; r[3] = OPTEE_MSG_UID_3;
  } else if (fid == OPTEE_API(f, OPTEE_API_CALLS_REVISION)) {
    r[0] = OPTEE_MSG_REVISION_MAJOR; r[1] = OPTEE_MSG_REVISION_MINOR;
  } else if (fid == OPTEE_FAST(f, OPTEE_FN_GET_OS_UUID)) {
    r[0] = OPTEE_OS_UUID_0; r[1] = OPTEE_OS_UUID_1; r[2] = OPTEE_OS_UUID_2; r[3] = OPTEE_OS_UUID_3;
  } else if (fid == OPTEE_FAST(f, OPTEE_FN_GET_OS_REVISION)) {
    r[0] = 1; r[1] = 0; r[2] = 0;   /* tee-os 1.0, build id unspecified */
  } else if (fid == OPTEE_FAST(f, OPTEE_FN_GET_SHM_CONFIG)) {
    if (!tee.has_shm)
      r[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
    else {
      r[0] = OPTEE_SMC_RETURN_OK; r[1] = tee.shm_base; r[2] = tee.shm_size; r[3] = OPTEE_SMC_SHM_CACHED;
    }
  } else if (fid == OPTEE_FAST(f, OPTEE_FN_EXCHANGE_CAPS)) {
    r[0] = OPTEE_SMC_RETURN_OK; r[1] = OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM; r[2] = 0;
  } else if (fid == OPTEE_STD(f, OPTEE_FN_CALL_WITH_ARG))
    r[0] = call_with_arg(q->a[1], q->a[2]);
  else
    r[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
}

void boot_main(u64 hart, const void *fdt)
{
  fdt_parse(fdt, &dt);
  con_init(&dt);
  tee.name = dt.model ? dt.model : "optee";
  tee.flavour = ends_with(tee.name, "optee2") ? 2 : 1;
  tee.has_shm = dt.has_ipc;
  tee.shm_base = dt.shm_base;
  tee.shm_size = dt.shm_size;
  tee.own_base = (u64)(uintptr_t)_start;
  tee.own_size = TEE_REGION_SIZE;

  struct line l;
  tee_line(&l);
  l_str(&l, "tee-os on hart ");
  l_dec(&l, (i64)hart);
  l_str(&l, ", OP-TEE #");
  l_dec(&l, tee.flavour);
  l_str(&l, " ids, shared memory ");
  if (tee.has_shm) {
    l_hex(&l, tee.shm_base);
    l_str(&l, " + ");
    l_hex(&l, tee.shm_size);
  } else
    l_str(&l, "none");
  l_str(&l, ", TAs: ");
  l_str(&l, ta_counter.name);
  l_str(&l, ", ");
  l_str(&l, ta_keystore.name);
  l_emit(&l);

  u64 r[5] = { 0, 0, 0, 0, 0 };
  struct tee_req q;
  tee_return(OPTEED_ENTRY_DONE, r, &q);
  for (;;) {
    serve(&q, r);
    tee_return(OPTEED_CALL_DONE, r, &q);
  }
}
