/* vmstack: a small driver for baobab's dynamic VMs (CROSSCON's VM-stack, reference §2.5 and §4;
 * plugins/feat-dynamic-vm/dynamic-vm.ts). A running VM (the parent) creates a child VM from a
 * config blob in its own memory, invokes it on its own physical CPU, gets values back when the
 * child yields or exits, and destroys it, every resource given back.
 *
 * ABI: Bao's hypercall extension, a7 = 0x08000BA0, a6 = (class << 16) | function with class 3
 * (the VM-stack); arguments in a0..a2. Results: a0 = 0 or a negative Bao error code
 * (VM_E_*), then a1 (and a2) = values. When a call switches VMs (invoke, resume, yield, exit),
 * the results are written by the hypervisor into the registers of the vCPU that runs next: an
 * invoke "returns" in the parent only when the child gives its CPU back, with a0 = the reason
 * (VM_EXITED, VM_PREEMPTED, VM_YIELDED, VM_FAULTED), a1 and a2 = values.
 *
 * Blob layout (what vm_create takes, §2.5): at a page-aligned guest-physical address G of the
 * parent's RAM, CROSSCON's binary config (`baobab config pack child.json -o child.blob
 * --no-images`), config_header_size bytes; right after it, at G + config_header_size, the
 * child's regions[0]: the parent has already placed the child's image there at offset
 * image.base_addr - regions[0].base (no copy is made). Those pages leave the parent while the
 * child lives and come back zeroed on destroy. Further regions are fresh host memory.
 *
 * Memory is identity-mapped in these guests, so a pointer is the guest-physical address. */
#ifndef VMSTACK_H
#define VMSTACK_H
#include <stdint.h>

#define VMSTACK_EID 0x08000BA0UL                        /* Bao/CROSSCON hypercall extension */
#define VMSTACK_CLASS 3UL                               /* a6 = class << 16 | function */
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

/* errors (Bao's hypercall codes, negated), in a0 / vm_ret.reason */
#define VM_E_FAILURE    (-1)  /* no host memory left for the child's extra regions */
#define VM_E_INVAL_ID   (-2)  /* no such child of the caller (or not a child calling yield/exit), or a stopped one */
#define VM_E_INVAL_ARGS (-3)  /* bad blob or address, a resource the caller does not own, child not idle */

struct vm_ret {
  long reason;   /* VM_EXITED / VM_PREEMPTED / VM_YIELDED / VM_FAULTED, or a negative VM_E_* */
  long v0;
  long v1;
};

struct vm_counters {   /* vm_info: hypervisor-wide counters */
  long invokes, yields, exits, faults, preemptions;
};

/* create: the child described by the blob at `blob` (page aligned, image already in place, see
 * above). Returns its VM id (> 0, never reused), or VM_E_INVAL_ARGS (malformed blob, region 0
 * not inside one RAM window of the caller, more vCPUs than the caller has, a device or interrupt
 * the caller does not own), VM_E_FAILURE (no memory for regions 1..). The child is created, not
 * run. On an error nothing of the caller changed. */
long vm_create(void *blob);

/* invoke: run child `id` on this CPU; its first entry gets a0 = arg, later invokes (after a
 * yield) return arg from its vm_yield. Comes back when the child yields (VM_YIELDED, v0, v1),
 * exits (VM_EXITED, v0 = code), faults (VM_FAULTED, v0 = id, v1 = address) or is pre-empted by
 * an interrupt for the caller (VM_PREEMPTED, v0 = id: take the interrupt, then vm_resume).
 * Errors: VM_E_INVAL_ID (not a live child of the caller), VM_E_INVAL_ARGS (already running). */
struct vm_ret vm_invoke(long id, long arg);

/* resume: continue child `id` where it stopped (after VM_PREEMPTED; after VM_YIELDED its
 * vm_yield returns v1 unchanged). Same results as vm_invoke. */
struct vm_ret vm_resume(long id);

/* yield (child side): back to the parent, whose invoke returns VM_YIELDED with v0, v1. Returns
 * the arg of the parent's next vm_invoke (or, after a vm_resume, v1). Called by a VM that is not
 * a running child: returns VM_E_INVAL_ID at once. */
long vm_yield(long v0, long v1);

/* exit (child side): back to the parent, whose invoke returns VM_EXITED with v0 = code. Does
 * not return: the parent's next invoke starts the child again from its entry. Returns
 * VM_E_INVAL_ID only when the caller is not a running child. */
long vm_exit(long code);

/* destroy: child `id` (not running) goes away; its region 0 and config header pages are zeroed
 * and mapped back into the caller at their old addresses, its other regions freed, its devices
 * and interrupts given back. Returns 0, VM_E_INVAL_ID (no such child), VM_E_INVAL_ARGS (it is
 * running or stacked). */
long vm_destroy(long id);

/* lend: map one page of the caller (page-aligned `parent_gpa`, RAM) into child `id` at the free
 * page-aligned `child_gpa` as well (shared, until the child is destroyed). Returns 0,
 * VM_E_INVAL_ID, VM_E_INVAL_ARGS. */
long vm_lend(long id, void *parent_gpa, uint64_t child_gpa);

/* info: the hypervisor's VM-stack counters into *out. Returns 0. */
long vm_info(struct vm_counters *out);

#endif
