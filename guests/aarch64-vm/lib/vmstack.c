/* vmstack: the VM-stack hypercalls over HVC #0 (see vmstack.h for the ABI and the reason codes).
 * x0 = 3 << 16 | function, arguments in x1..x3; x0..x2 come back (x0..x5 for info). The
 * hypervisor saves and restores the whole vCPU context around a switch; the SMCCC lets a call
 * clobber x4..x17, so they are declared clobbered. */
#include "vmstack.h"

typedef uint64_t u64;

#define CLOBBERS "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory"

static inline struct vm_ret vs_call(unsigned long fn, u64 a1, u64 a2, u64 a3)
{
  register u64 x0 __asm__("x0") = VMSTACK_FID(fn);
  register u64 x1 __asm__("x1") = a1;
  register u64 x2 __asm__("x2") = a2;
  register u64 x3 __asm__("x3") = a3;
  register u64 x4 __asm__("x4") = 0;
  register u64 x5 __asm__("x5") = 0;
  __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5) :: CLOBBERS);
  return (struct vm_ret){ (long)x0, (long)x1, (long)x2 };
}

long vm_create(void *blob)
{
  /* x0 = 0, x1 = id; or x0 = error */
  struct vm_ret r = vs_call(VM_FN_CREATE, (u64)(uintptr_t)blob, 0, 0);
  return r.reason ? r.reason : r.v0;
}

struct vm_ret vm_invoke(long id, long arg) { return vs_call(VM_FN_INVOKE, (u64)id, (u64)arg, 0); }

struct vm_ret vm_resume(long id) { return vs_call(VM_FN_RESUME, (u64)id, 0, 0); }

long vm_yield(long v0, long v1)
{
  /* comes back with x0 = 0, x1 = the next invoke's arg; x0 < 0 when the call was refused */
  struct vm_ret r = vs_call(VM_FN_YIELD, (u64)v0, (u64)v1, 0);
  return r.reason < 0 ? r.reason : r.v0;
}

long vm_exit(long code) { return vs_call(VM_FN_EXIT, (u64)code, 0, 0).reason; }

long vm_destroy(long id) { return vs_call(VM_FN_DESTROY, (u64)id, 0, 0).reason; }

long vm_lend(long id, void *parent_gpa, uint64_t child_gpa)
{
  return vs_call(VM_FN_LEND, (u64)id, (u64)(uintptr_t)parent_gpa, child_gpa).reason;
}

long vm_info(struct vm_counters *out)
{
  register u64 x0 __asm__("x0") = VMSTACK_FID(VM_FN_INFO);
  register u64 x1 __asm__("x1") = 0;
  register u64 x2 __asm__("x2") = 0;
  register u64 x3 __asm__("x3") = 0;
  register u64 x4 __asm__("x4") = 0;
  register u64 x5 __asm__("x5") = 0;
  __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5) :: CLOBBERS);
  if ((long)x0 == 0) {
    out->invokes = (long)x1;
    out->yields = (long)x2;
    out->exits = (long)x3;
    out->faults = (long)x4;
    out->preemptions = (long)x5;
  }
  return (long)x0;
}
