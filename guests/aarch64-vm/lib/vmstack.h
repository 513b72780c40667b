/* vmstack: a small driver for baobab's dynamic VMs on Arm (CROSSCON's VM-stack, reference §3.2 and
 * §4; plugins/feat-dynamic-vm/dynamic-vm.ts, plugins/arch-aarch64/hyp/conduits.ts). A running VM
 * (the parent) creates a child VM from a config blob in its own memory, invokes it on its own
 * physical CPU, gets values back when the child yields or exits, and destroys it, every resource
 * given back. The same interface as guests/riscv64-vm/lib/vmstack.h, over HVC.
 *
 * ABI: `HVC #0` with x0 = (class << 16) | function, class 3 (CROSSCON's enclave interface, whose
 * numbering the VM-stack calls keep: the hypervisor reads x0's low 24 bits, reference §3.2);
 * arguments in x1..x3. Results: x0 = 0 or a negative Bao error code (VM_E_*), then x1 (and x2) =
 * values. When a call switches VMs (invoke, resume, yield, exit), the results are written by the
 * hypervisor into the registers of the vCPU that runs next: an invoke "returns" in the parent only
 * when the child gives its CPU back, with x0 = the reason (VM_EXITED, VM_PREEMPTED, VM_YIELDED,
 * VM_FAULTED), x1 and x2 = values.
 *
 * Blob layout (what vm_create takes, §2.5): at a page-aligned guest-physical address G of the
 * parent's RAM, CROSSCON's binary config (`baobab config pack child.json -o child.blob
 * --no-images`), config_header_size bytes; right after it, at G + config_header_size, the
 * child's regions[0]: the parent has already placed the child's image there at offset
 * image.base_addr - regions[0].base (no copy is made). Those pages leave the parent while the
 * child lives and come back zeroed on destroy. Further regions are fresh host memory; devices in
 * the blob are windows of the parent's, moved to the child until it is destroyed.
 *
 * Memory is identity-mapped in these guests, so a pointer is the guest-physical address. */
#ifndef VMSTACK_H
#define VMSTACK_H
#include <stdint.h>

#define VMSTACK_CLASS 3UL                               /* x0 = class << 16 | function */
#define VMSTACK_FID(fn) ((VMSTACK_CLASS << 16) | (unsigned long)(fn))

/* functions (CROSSCON's enclave numbering) */
#define VM_FN_CREATE  0
#define VM_FN_INVOKE  1
#define VM_FN_YIELD   2
#define VM_FN_RESUME  3
#define VM_FN_EXIT    5
#define VM_FN_DESTROY 6
#define VM_FN_LEND    7
#define VM_FN_INFO    8

/* why an invoke/resume came back (vm_ret.reason >= 0) */
#define VM_EXITED    0   /* the child called vm_exit: v0 = its exit code; the next invoke restarts it */
#define VM_PREEMPTED 1   /* an interrupt for the parent arrived while the child ran: v0 = child id; vm_resume() continues it */
#define VM_YIELDED   2   /* the child called vm_yield(v0, v1): v0, v1 = its values; invoke again (or resume) to continue */
#define VM_FAULTED   9   /* the child touched memory outside its map: v0 = child id, v1 = faulting guest-physical address; it is stopped, destroy it */

/* errors (Bao's hypercall codes, negated), in x0 / vm_ret.reason */
#define VM_E_FAILURE    (-1)  /* no host memory left for the child's extra regions */
#define VM_E_INVAL_ID   (-2)  /* no such child of the caller (or not a child calling yield/exit), or a stopped one */
#define VM_E_INVAL_ARGS (-3)  /* bad blob or address, a resource the caller does not own, child not idle */

struct vm_ret {
  long reason;   /* VM_EXITED / VM_PREEMPTED / VM_YIELDED / VM_FAULTED, or a negative VM_E_* */
  long v0;
  long v1;
};

struct vm_counters {   /* vm_info: counters of the caller's own children */
  long invokes, yields, exits, faults, preemptions;
};

/* create: the child described by the blob at `blob` (page aligned, image already in place, see
 * above). Returns its VM id (> 0, never reused), or VM_E_INVAL_ARGS, VM_E_FAILURE. The child is
 * created, not run. On an error nothing of the caller changed. */
long vm_create(void *blob);
/* invoke: run child `id` on this CPU; its first entry gets x0 = arg, later invokes (after a yield)
 * return arg from its vm_yield. See vmstack.h of riscv64-vm for every outcome. */
struct vm_ret vm_invoke(long id, long arg);
/* resume: continue child `id` where it stopped (after VM_PREEMPTED or VM_YIELDED) */
struct vm_ret vm_resume(long id);
/* yield (child side): back to the parent (VM_YIELDED, v0, v1); returns the next invoke's arg */
long vm_yield(long v0, long v1);
/* exit (child side): back to the parent (VM_EXITED, code); does not return */
long vm_exit(long code);
/* destroy: child `id` goes away, every resource back to the caller. 0 or VM_E_* */
long vm_destroy(long id);
/* lend: one page of the caller mapped into child `id` at child_gpa too. 0 or VM_E_* */
long vm_lend(long id, void *parent_gpa, uint64_t child_gpa);
/* info: the caller's VM-stack counters into *out. Returns 0. */
long vm_info(struct vm_counters *out);

#endif
