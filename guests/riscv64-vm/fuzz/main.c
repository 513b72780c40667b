/* fuzz: throws 100,000 SBI calls with pseudo-random EID / FID / a0..a5 at the hypervisor and
 * counts what comes back. Every result must be a defined SBI (v2.0 ch. 3) / Bao error code or
 * success, registers other than a0/a1 must come back unchanged (a0 only, for the legacy calls:
 * ch. 5 "all registers except a0 must be preserved"), and the VM must keep running.
 *
 * Calls (xorshift64, fixed seed, so every run makes the same calls):
 *   EID   half from the known set (legacy putchar/getchar, BASE, TIME, IPI, RFENCE, HSM, SRST,
 *         DBCN, Bao), half random (a 32-bit or a full 64-bit value);
 *   FID   for a known EID mostly 0..7, else random 64-bit;
 *   a0-a5 each random 64-bit (half the time), small (-1..3), or a pointer into a scratch buffer
 *         of this guest (so DBCN and HSM see valid addresses too; other addresses are junk).
 * Calls that would stop this guest are drawn again (not made, counted as "skipped"):
 * SRST system_reset with a shutdown/reboot/vendor type, HSM hart_stop and hart_suspend, legacy
 * shutdown (EID 0x08). Run it in a VM with one vCPU: hart_start then only ever names this hart
 * (already started) or a hart that does not exist. Legacy putchar and DBCN write_byte go through
 * with a printable byte, DBCN write prints from the dot-filled scratch buffer: the console gets
 * lines of junk characters, cut every 64 bytes.
 *
 * Output (nothing depends on timing):
 *   fuzz start <calls> seed <hex>
 *   <junk lines>
 *   fuzz eid <hex> calls <n>           for each known EID, then "fuzz eid random calls <n>"
 *   fuzz result <r> count <n>          r = 0, -1 .. -8, getchar-byte, other
 *   fuzz other eid <hex> fid <hex> a0 <hex>   for the first 8 "other" results
 *   fuzz clobbered <n>                 calls that changed a register they must preserve
 *   fuzz skipped <n>
 *   fuzz done <calls>
 * then idles in wfi. */
#include "vm.h"

#define CALLS 100000
#define SEED 0x2545f4914f6cdd1dUL
#define JUNK_LINE 64
#define OTHER_SHOWN 8

static const u64 known[] = {
  SBI_EXT_LEGACY_PUTCHAR, SBI_EXT_LEGACY_GETCHAR, 0x10 /* BASE */, SBI_EXT_TIME, SBI_EXT_IPI,
  0x52464E43 /* RFENCE */, SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN, BAO_HYPERCALL,
};
#define NKNOWN (sizeof known / sizeof known[0])

static u64 state = SEED;
static u8 scratch[512];
static u64 per_eid[NKNOWN + 1];
static u64 results[9];          /* a0 = 0, -1 .. -8 */
static u64 getchar_bytes, other, clobbered, skipped, junk;

/* xorshift64 (Marsaglia 2003, shifts 13, 7, 17) */
static u64 rnd(void)
{
  u64 x = state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return state = x;
}

static u64 arg(void)
{
  u64 mode = rnd() & 3;
  if (mode < 2)
    return rnd();
  if (mode == 2)
    return (u64)((i64)(rnd() % 5) - 1);   /* -1, 0, 1, 2, 3 */
  return (u64)(uintptr_t)scratch + rnd() % 256;
}

/* would this call stop or suspend the caller? */
static int stops_caller(u64 eid, u64 fid, const u64 *a)
{
  u32 e = (u32)eid, f = (u32)fid, type = (u32)a[0];
  if (e == SBI_EXT_SRST && f == 0 && (type <= 2 || type >= 0xf0000000u))
    return 1;                            /* shutdown, cold/warm reboot, vendor types */
  if (e == SBI_EXT_HSM && (f == 1 || f == 3))
    return 1;                            /* hart_stop, hart_suspend */
  if (e == 0x08)
    return 1;                            /* legacy sbi_shutdown */
  return 0;
}

/* one ecall with all eight argument registers in and out */
static void ecall(u64 r[8])
{
  register u64 a0 __asm__("a0") = r[0];
  register u64 a1 __asm__("a1") = r[1];
  register u64 a2 __asm__("a2") = r[2];
  register u64 a3 __asm__("a3") = r[3];
  register u64 a4 __asm__("a4") = r[4];
  register u64 a5 __asm__("a5") = r[5];
  register u64 a6 __asm__("a6") = r[6];
  register u64 a7 __asm__("a7") = r[7];
  __asm__ volatile("ecall"
                   : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6), "+r"(a7)
                   :
                   : "memory");
  r[0] = a0, r[1] = a1, r[2] = a2, r[3] = a3, r[4] = a4, r[5] = a5, r[6] = a6, r[7] = a7;
}

static void show_other(u64 eid, u64 fid, u64 a0)
{
  struct line l;
  l_init(&l);
  l_str(&l, "fuzz other eid ");
  l_hex(&l, eid);
  l_str(&l, " fid ");
  l_hex(&l, fid);
  l_str(&l, " a0 ");
  l_hex(&l, a0);
  l_emit(&l);
}

static void one_call(void)
{
  u64 in[8], out[8];
  int which;
  for (;;) {
    u64 pick = rnd();
    which = NKNOWN;                                   /* random EID */
    if (pick & 1) {
      which = (int)((pick >> 1) % NKNOWN);
      in[7] = known[which];
      in[6] = rnd() & 3 ? rnd() % 8 : rnd();
    } else {
      in[7] = pick & 2 ? rnd() : rnd() & 0xffffffffUL;
      in[6] = rnd();
    }
    for (int i = 0; i < 6; i++)
      in[i] = arg();
    u32 e = (u32)in[7], f = (u32)in[6];
    if (e == SBI_EXT_LEGACY_PUTCHAR || (e == SBI_EXT_DBCN && f == 2))
      in[0] = (in[0] & ~0xffUL) | (0x21 + in[0] % 94);   /* a printable byte */
    if (!stops_caller(in[7], in[6], in))
      break;
    skipped++;
  }
  for (int i = 0; i < 8; i++)
    out[i] = in[i];
  ecall(out);
  per_eid[which]++;

  u32 e = (u32)in[7], f = (u32)in[6];
  int legacy = e == SBI_EXT_LEGACY_PUTCHAR || e == SBI_EXT_LEGACY_GETCHAR;
  for (int i = legacy ? 1 : 2; i < 8; i++)
    if (out[i] != in[i]) {
      clobbered++;
      break;
    }

  i64 r = (i64)out[0];
  if (r <= 0 && r >= -8)
    results[-r]++;
  else if (e == SBI_EXT_LEGACY_GETCHAR && r > 0 && r <= 255)
    getchar_bytes++;                                  /* a byte typed for this VM */
  else if (other++ < OTHER_SHOWN)
    show_other(in[7], in[6], out[0]);

  /* what reached the console, to cut the junk into lines */
  if (e == SBI_EXT_LEGACY_PUTCHAR || (e == SBI_EXT_DBCN && f == 2 && r == 0))
    junk++;
  else if (e == SBI_EXT_DBCN && f == 0 && r == 0 && out[1] < 4096)
    junk += out[1];
  if (junk >= JUNK_LINE) {
    say("");
    junk = 0;
  }
}

static void show_count(const char *a, i64 n, const char *b, u64 c)
{
  struct line l;
  l_init(&l);
  l_str(&l, a);
  if (b) {
    l_dec(&l, n);
    l_str(&l, b);
  }
  l_dec(&l, (i64)c);
  l_emit(&l);
}

u64 trap_c(u64 cause, u64 epc, u64 tval)
{
  if (cause & CAUSE_INTR) {            /* none are enabled; mask it if one shows up */
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

void boot_main(u64 hart, const void *fdt)
{
  static struct dt dt;
  (void)hart;
  fdt_parse(fdt, &dt);
  con_init(&dt);
  for (unsigned i = 0; i < sizeof scratch; i++)
    scratch[i] = '.';

  struct line l;
  l_init(&l);
  l_str(&l, "fuzz start ");
  l_dec(&l, CALLS);
  l_str(&l, " seed ");
  l_hex(&l, SEED);
  l_emit(&l);

  for (int i = 0; i < CALLS; i++)
    one_call();
  if (junk)
    say("");

  for (unsigned i = 0; i < NKNOWN; i++) {
    l_init(&l);
    l_str(&l, "fuzz eid ");
    l_hex(&l, known[i]);
    l_str(&l, " calls ");
    l_dec(&l, (i64)per_eid[i]);
    l_emit(&l);
  }
  show_count("fuzz eid random calls ", 0, 0, per_eid[NKNOWN]);
  for (int i = 0; i <= 8; i++)
    show_count("fuzz result ", -i, " count ", results[i]);
  show_count("fuzz result getchar-byte count ", 0, 0, getchar_bytes);
  show_count("fuzz result other count ", 0, 0, other);
  show_count("fuzz clobbered ", 0, 0, clobbered);
  show_count("fuzz skipped ", 0, 0, skipped);
  show_count("fuzz done ", 0, 0, CALLS);
  halt();
}
