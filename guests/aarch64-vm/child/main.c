/* vmstack child: the dynamic VM that vmstack-host creates from child.json (packed into a
 * CROSSCON config blob). The Arm version of guests/riscv64-vm/child. Linked at 0x58000000 = its
 * regions[0].base = image.base_addr; one vCPU, no device tree. Arm has no hypervisor console
 * call, so the child prints on a PL011 of its own: the board's second UART (uart1, 0x090c0000),
 * which its parent owns and its blob moves to it at 0x09000000 for its lifetime — its lines show
 * as its own VM's console, `[<parent>.<id>]`. It talks to its parent through the VM-stack
 * hypercalls (lib/vmstack.h). Every invocation with argument N prints
 *   child: invoked with arg N
 * and then, by N:
 *   0                   prints "child: exiting with code 7" and exits with code 7 (the next
 *                       invoke starts it again from its entry, count back to 0)
 *   CHILD_ARG_FAULT     prints "child: reading parent memory at 0x50000000" and loads from
 *                       there: outside its stage-2 map, so the hypervisor stops it and reports
 *                       the fault to the parent (reason 9, address 0x50000000)
 *   CHILD_ARG_LENT      yields the u64 at LENT_GPA (a page its parent lent it, vm_lend)
 *   CHILD_ARG_SPIN      runs CHILD_SPIN_STEPS steps of a 64-bit LCG (several ms of virtual
 *                       time) and yields the top 20 bits
 *   anything else       yields value = N * N + count (count = invocations since it started)
 * Every yield passes (value, count); the yield returns the next invoke's argument. */
#include "vm.h"
#include "vmstack.h"

#define CHILD_UART 0x09000000UL   /* the guest address child.json maps uart1 at */
#define CHILD_ARG_FAULT 99
#define CHILD_ARG_LENT 77
#define CHILD_ARG_SPIN 1000
#define LENT_GPA 0x58200000UL
#define CHILD_SPIN_STEPS 1000000
#define PARENT_RAM 0x50000000UL   /* the host's image: never in the child's map */

static i64 count;

static void say_arg(const char *s, i64 v)
{
  struct line l;
  l_init(&l);
  l_str(&l, s);
  l_dec(&l, v);
  l_emit(&l);
}

static i64 spin(void)
{
  u64 x = 1;
  for (u64 i = 0; i < CHILD_SPIN_STEPS; i++)
    x = x * 6364136223846793005UL + 1442695040888963407UL;   /* Knuth's MMIX LCG */
  return (i64)(x >> 44);
}

static void __attribute__((noreturn)) park(void)
{
  for (;;)
    __asm__ volatile("wfi");
}

/* an exception the child took itself (start.S): report it and exit with code -1 */
void child_trap(u64 kind, u64 esr, u64 elr, u64 far)
{
  struct line l;
  l_init(&l);
  l_str(&l, "child: exception ");
  l_dec(&l, (i64)kind);
  l_str(&l, " esr ");
  l_hex(&l, esr);
  l_str(&l, " at ");
  l_hex(&l, elr);
  l_str(&l, " far ");
  l_hex(&l, far);
  l_emit(&l);
  for (;;)
    vm_exit(-1);
}

void child_main(i64 arg)
{
  static const struct uart uart = { .kind = UART_PL011, .base = CHILD_UART };
  con_init(&uart);
  for (;;) {
    count++;
    say_arg("child: invoked with arg ", arg);
    i64 value;
    if (arg == 0) {
      say("child: exiting with code 7");
      vm_exit(7);
      say("child: exit refused");
      park();
    }
    if (arg == CHILD_ARG_FAULT) {
      struct line l;
      l_init(&l);
      l_str(&l, "child: reading parent memory at ");
      l_hex(&l, PARENT_RAM);
      l_emit(&l);
      value = (i64)*(volatile u64 *)PARENT_RAM;
      say_arg("child: read parent memory: ", value);   /* never printed: the hypervisor stops the child */
      park();
    }
    if (arg == CHILD_ARG_SPIN)
      value = spin();
    else if (arg == CHILD_ARG_LENT)
      value = (i64)*(volatile u64 *)LENT_GPA;
    else
      value = arg * arg + count;
    arg = vm_yield(value, count);
  }
}
