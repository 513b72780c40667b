/* sbi-hammer: the cheapest round trips through the hypervisor, many times, for exits/second
 * benchmarks. By "hammer-kind=<kind>" in /chosen "bootargs" (default sbi):
 *   sbi    SBI BASE get_spec_version (EID 0x10, FID 0; SBI v2.0 ch. 4.1), N calls
 *   mmio   the emulated UART's scratch register (16550 SCR, offset 7): write, read back; N times
 *          (2N exits; the VM needs a UART with "emulate": "ns16550")
 *   vplic  the vPLIC's priority register of source 1 (PLIC spec §4): write i & 7, read back;
 *          N times (2N exits)
 * then SBI SRST system_reset(shutdown, no reason) (ch. 10.1).
 *
 * N: /chosen "baobab,hammer-count" (u32 or u64, big-endian) if the device tree has it, else
 * "hammer-count=<decimal>" in /chosen "bootargs" (the config's `bootargs`), else 1,000,000.
 *
 * Output (console as the device tree says, see ../lib/console.c):
 *   hammer start <N>             (sbi; "hammer start <N> <kind>" for the others)
 *   hammer done <N> errors <calls whose a0 != 0 or whose a1 differed from the first call's;
 *                           reads that did not return what was written>
 *   hammer: no <device>          instead, when the device tree lacks the device the kind needs
 *   srst returned <err>          only if the shutdown came back */
#include "vm.h"

#define DEFAULT_COUNT 1000000UL

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

static u32 be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }

enum kind { KIND_SBI, KIND_MMIO, KIND_VPLIC };

/* where the value of "<key>" (key ends in '=') starts in a bootargs string of len bytes, or -1 */
static i64 arg_at(const char *s, u32 len, const char *key)
{
  u32 klen = 0;
  while (key[klen])
    klen++;
  for (u32 i = 0; i + klen <= len; i++) {
    u32 k = 0;
    while (k < klen && s[i + k] == key[k])
      k++;
    if (k == klen && (i == 0 || s[i - 1] == ' '))
      return (i64)(i + klen);
  }
  return -1;
}

/* "hammer-count=<digits>" in a bootargs string of len bytes, or 0 */
static u64 from_bootargs(const char *s, u32 len)
{
  i64 at = arg_at(s, len, "hammer-count=");
  u64 n = 0;
  if (at < 0)
    return 0;
  for (u32 j = (u32)at; j < len && s[j] >= '0' && s[j] <= '9'; j++)
    n = n * 10 + (u64)(s[j] - '0');
  return n;
}

/* whether the bootargs value at s[at..len) is exactly word (up to a space or the end) */
static int word_is(const char *s, u32 len, i64 at, const char *word)
{
  u32 j = (u32)at;
  for (; *word; word++, j++)
    if (j >= len || s[j] != *word)
      return 0;
  return j >= len || s[j] == ' ' || s[j] == 0;
}

/* "hammer-kind=sbi|mmio|vplic" in a bootargs string of len bytes (default sbi) */
static enum kind kind_from_bootargs(const char *s, u32 len)
{
  i64 at = arg_at(s, len, "hammer-kind=");
  if (at >= 0 && word_is(s, len, at, "mmio"))
    return KIND_MMIO;
  if (at >= 0 && word_is(s, len, at, "vplic"))
    return KIND_VPLIC;
  return KIND_SBI;
}

/* N and the kind from /chosen (a one-pass walk of the FDT structure block, Devicetree
 * Specification v0.4 ch. 5) */
static u64 hammer_count(const void *fdt, enum kind *kind)
{
  const u8 *h = fdt;
  if (!h || be32(h) != FDT_MAGIC)
    return 0;
  const u8 *p = h + be32(h + 8);                 /* off_dt_struct */
  const char *strings = (const char *)h + be32(h + 12);
  const u8 *end = p + be32(h + 36);              /* size_dt_struct */
  int depth = 0, chosen = 0;
  u64 from_prop = 0, from_args = 0;
  while (p < end) {
    u32 tok = be32(p);
    p += 4;
    if (tok == FDT_BEGIN_NODE) {
      const char *name = (const char *)p;
      u32 n = 0;
      while (name[n])
        n++;
      depth++;
      if (depth == 2 && str_eq(name, "chosen"))
        chosen = 1;
      p += (n + 4) & ~3u;
    } else if (tok == FDT_END_NODE) {
      if (depth == 2)
        chosen = 0;
      depth--;
    } else if (tok == FDT_PROP) {
      u32 len = be32(p), nameoff = be32(p + 4);
      const u8 *v = p + 8;
      if (chosen && depth == 2) {
        const char *name = strings + nameoff;
        if (str_eq(name, "baobab,hammer-count") && len == 4)
          from_prop = be32(v);
        else if (str_eq(name, "baobab,hammer-count") && len == 8)
          from_prop = (u64)be32(v) << 32 | be32(v + 4);
        else if (str_eq(name, "bootargs")) {
          from_args = from_bootargs((const char *)v, len);
          *kind = kind_from_bootargs((const char *)v, len);
        }
      }
      p = v + ((len + 3) & ~3u);
    } else if (tok == FDT_NOP) {
      continue;
    } else
      break;                                     /* FDT_END or garbage */
  }
  return from_prop ? from_prop : from_args;
}

static void say_n(const char *a, u64 n, const char *b, u64 m)
{
  struct line l;
  l_init(&l);
  l_str(&l, a);
  l_dec(&l, (i64)n);
  if (b) {
    l_str(&l, b);
    l_dec(&l, (i64)m);
  }
  l_emit(&l);
}

u64 trap_c(u64 cause, u64 epc, u64 tval)
{
  if (cause & CAUSE_INTR) {                      /* none are enabled; mask it if one shows up */
    csr_clear(sie, 1UL << (cause & 63));
    return epc;
  }
  trap_fatal("unexpected trap", cause, epc, tval);
  return epc;
}

void secondary_main(u64 h)
{
  (void)h;
}

static u64 hammer_sbi(u64 n)
{
  u64 errors = 0;
  struct sbiret first = sbi_call(0x10, 0, 0, 0, 0);   /* BASE get_spec_version */
  if (first.error)
    errors++;
  for (u64 i = 1; i < n; i++) {
    struct sbiret r = sbi_call(0x10, 0, 0, 0, 0);
    if (r.error || r.value != first.value)
      errors++;
  }
  return errors;
}

/* one 8-bit register: write, read back (two exits to the device's emulation) */
static u64 hammer_reg8(u64 addr, u64 n, u32 mask)
{
  u64 errors = 0;
  for (u64 i = 0; i < n; i++) {
    MMIO8(addr) = (u8)(i & mask);
    if (MMIO8(addr) != (u8)(i & mask))
      errors++;
  }
  return errors;
}

static u64 hammer_reg32(u64 addr, u64 n, u32 mask)
{
  u64 errors = 0;
  for (u64 i = 0; i < n; i++) {
    MMIO32(addr) = (u32)i & mask;
    if (MMIO32(addr) != ((u32)i & mask))
      errors++;
  }
  return errors;
}

void boot_main(u64 hart, const void *fdt)
{
  static struct dt dt;
  static const char *const names[] = { "sbi", "mmio", "vplic" };
  enum kind kind = KIND_SBI;
  (void)hart;
  fdt_parse(fdt, &dt);
  con_init(&dt);
  u64 n = hammer_count(fdt, &kind);
  if (!n)
    n = DEFAULT_COUNT;
  if ((kind == KIND_MMIO && !dt.has_uart) || (kind == KIND_VPLIC && !dt.has_plic)) {
    say(kind == KIND_MMIO ? "hammer: no uart" : "hammer: no plic");
    n = 0;
  } else {
    struct line l;
    l_init(&l);
    l_str(&l, "hammer start ");
    l_dec(&l, (i64)n);
    if (kind != KIND_SBI) {
      l_chr(&l, ' ');
      l_str(&l, names[kind]);
    }
    l_emit(&l);
  }

  u64 errors = 0;
  if (n && kind == KIND_SBI)
    errors = hammer_sbi(n);
  else if (n && kind == KIND_MMIO)
    errors = hammer_reg8(dt.uart + 7, n, 0xff);       /* 16550 SCR */
  else if (n)
    errors = hammer_reg32(dt.plic + 4 * 1, n, 7);     /* priority of source 1 (3 bits on virt) */
  if (n)
    say_n("hammer done ", n, " errors ", errors);

  struct sbiret r = sbi_shutdown();
  struct line l;
  l_init(&l);
  l_str(&l, "srst returned ");
  l_dec(&l, r.error);
  l_emit(&l);
  halt();
}
