/* vmstack: the VM-stack hypercalls (see vmstack.h for the ABI and the reason codes). Each call is
 * one ecall with a7 = 0x08000BA0, a6 = 3 << 16 | function, arguments in a0..a2; a0..a2 come back
 * (a0..a5 for info). The hypervisor saves and restores the whole vCPU context around a switch,
 * so nothing but the result registers changes across a call. */
#include "vmstack.h"

typedef uint64_t u64;

static inline struct vm_ret vs_call(unsigned long fn, u64 x0, u64 x1, u64 x2)
{
  register u64 a0 __asm__("a0") = x0;
  register u64 a1 __asm__("a1") = x1;
  register u64 a2 __asm__("a2") = x2;
  register u64 a6 __asm__("a6") = VMSTACK_FID(fn);
  register u64 a7 __asm__("a7") = VMSTACK_EID;
  __asm__ volatile("ecall" : "+r"(a0), "+r"(a1), "+r"(a2) : "r"(a6), "r"(a7) : "memory");
  return (struct vm_ret){ (long)a0, (long)a1, (long)a2 };
}

long vm_create(void *blob)
{
  /* a0 = 0, a1 = id; or a0 = error */
  struct vm_ret r = vs_call(VM_FN_CREATE, (u64)(uintptr_t)blob, 0, 0);
  return r.reason ? r.reason : r.v0;
}

struct vm_ret vm_invoke(long id, long arg)
{
  return vs_call(VM_FN_INVOKE, (u64)id, (u64)arg, 0);
}

struct vm_ret vm_resume(long id)
{
  return vs_call(VM_FN_RESUME, (u64)id, 0, 0);
}

long vm_yield(long v0, long v1)
{
  /* comes back with a0 = 0, a1 = the next invoke's arg; a0 < 0 when the call was refused */
  struct vm_ret r = vs_call(VM_FN_YIELD, (u64)v0, (u64)v1, 0);
  return r.reason < 0 ? r.reason : r.v0;
}

long vm_exit(long code)
{
  return vs_call(VM_FN_EXIT, (u64)code, 0, 0).reason;
}

long vm_destroy(long id)
{
  return vs_call(VM_FN_DESTROY, (u64)id, 0, 0).reason;
}

long vm_lend(long id, void *parent_gpa, uint64_t child_gpa)
{
  return vs_call(VM_FN_LEND, (u64)id, (u64)(uintptr_t)parent_gpa, child_gpa).reason;
}

long vm_info(struct vm_counters *out)
{
  register u64 a0 __asm__("a0") = 0;
  register u64 a1 __asm__("a1") = 0;
  register u64 a2 __asm__("a2") = 0;
  register u64 a3 __asm__("a3") = 0;
  register u64 a4 __asm__("a4") = 0;
  register u64 a5 __asm__("a5") = 0;
  register u64 a6 __asm__("a6") = VMSTACK_FID(VM_FN_INFO);
  register u64 a7 __asm__("a7") = VMSTACK_EID;
  __asm__ volatile("ecall" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5) : "r"(a6), "r"(a7) : "memory");
  if ((long)a0 == 0) {
    out->invokes = (long)a1;
    out->yields = (long)a2;
    out->exits = (long)a3;
    out->faults = (long)a4;
    out->preemptions = (long)a5;
  }
  return (long)a0;
}
