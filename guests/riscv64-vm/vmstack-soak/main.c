/* vmstack-soak: drives the VM-stack in a long loop, for the soak tests (test/soak.test.ts; the
 * memory a hypervisor holds must not grow with the number of children it has made). A static VM
 * linked at 0x80200000 that embeds the same child blob and image as vmstack-host
 * (vmstack-host/images.S), with the mode chosen by the VM's name (device-tree model):
 *
 *   "...-cycles"    N cycles of: copy blob and image to AREA, create, invoke (even cycles with
 *                   1..50: the child yields N*N + 1; odd cycles with 0: it exits with code 7),
 *                   destroy. Every id must be fresh, every result the expected one.
 *                   "soak: cycles 10000" every 10,000 cycles, then "soak: cycles N ok".
 *   "...-blobfuzz"  N rounds of: copy the good blob to AREA, mutate 1 to 4 of its bytes or
 *                   u64 fields (xorshift64, fixed seed: header sizes, counts, pointers, the
 *                   vm_config, the regions; config_size itself), create; a success is destroyed at once (destroy
 *                   must return 0). Every 1,000th round is a control: the good blob and image
 *                   must still create, run (yield) and destroy. At the end
 *                   "soak: blobfuzz N rounds, ok A, failure B, inval-id C, inval-args D, other E".
 *
 * Any unexpected result prints "soak: FAIL ..." and stops (the VM idles). N is CYCLES_DEFAULT
 * (100,000), or "n=<decimal>" in /chosen/bootargs (the VM config's `bootargs`); "progress=<decimal>"
 * there sets the interval of the progress lines (default 10,000; the soak test samples memory
 * at each one). */
#include "vm.h"
#include "vmstack.h"

#define AREA 0x80400000UL        /* where the blob goes: 2 MiB into the VM's RAM, past its image */
#define CYCLES_DEFAULT 100000
#define PROGRESS_DEFAULT 10000   /* a line every this many cycles / rounds */
#define CONTROL_EVERY 1000       /* blobfuzz: every this many rounds the good blob must work */
#define CHILD_EXIT_CODE 7        /* child/main.c: invoked with 0 it exits with 7 */

/* CROSSCON's binary config (reference §2.2, core/hypervisor/blob-layout.ts): byte offsets */
#define CFG_HEADER_SIZE 40       /* struct config.config_header_size */
#define CFG_VMLIST 88            /* struct config.vmlist[0]: offset of vm_config */
#define VMC_IMAGE_BASE 0         /* vm_config.image.base_addr */
#define VMC_PLATFORM 80          /* vm_config.platform (struct platform_desc) */
#define PD_REGION_NUM 8          /* platform_desc.region_num */
#define PD_REGIONS 16            /* platform_desc.regions */
#define REG_BASE 0               /* mem_region.base */
#define SIZEOF_REGION 40
#define SIZEOF_VM_CONFIG 648     /* riscv64 */

/* devicetree spec v0.4 ch. 5.4: structure block tokens */
#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4

extern const u8 child_blob[], child_blob_end[], child_image[], child_image_end[];
extern u8 __stacks_end[];

static struct dt dt;
static const char *name = "soak";
static i64 progress = PROGRESS_DEFAULT;
static u64 blob_len, image_len, header_size, image_off;

/* ---- output ---- */

static void out(const char *a, i64 n, const char *b)
{
  struct line l;
  l_init(&l);
  l_str(&l, a);
  l_dec(&l, n);
  if (b)
    l_str(&l, b);
  l_emit(&l);
}

static void fail(const char *what, i64 round, i64 got)
{
  struct line l;
  l_init(&l);
  l_str(&l, "soak: FAIL ");
  l_str(&l, what);
  l_str(&l, " at ");
  l_dec(&l, round);
  l_str(&l, ": ");
  l_dec(&l, got);
  l_emit(&l);
}

u64 trap_c(u64 cause, u64 epc, u64 tval)
{
  if (cause & CAUSE_INTR) {          /* none is enabled; mask any that comes */
    csr_clear(sie, 1UL << (cause & 63));
    return epc;
  }
  trap_fatal("soak: trap", cause, epc, tval);
  return epc;
}

void secondary_main(u64 h)
{
  (void)h;
}

/* ---- N from /chosen/bootargs ---- */

static u32 be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }

static int prefix(const char *s, const char *p)
{
  while (*p)
    if (*s++ != *p++)
      return 0;
  return 1;
}

/* the /chosen "bootargs" string, or 0 (fdt.c does not keep it: its struct dt is every VM
 * guest's, and the other images must stay as they are) */
static const char *bootargs(const void *fdt)
{
  const u8 *h = fdt;
  if (!h || ((uintptr_t)h & 3) || be32(h) != FDT_MAGIC)
    return 0;
  const u8 *p = h + be32(h + 8), *end = h + be32(h + 4);
  const char *strings = (const char *)h + be32(h + 12);
  int depth = 0, in_chosen = 0;
  while (p + 4 <= end) {
    u32 tok = be32(p);
    p += 4;
    if (tok == FDT_BEGIN_NODE) {
      const char *n = (const char *)p;
      u32 len = 0;
      while (p + len < end && n[len])
        len++;
      p += (len + 1 + 3) & ~3u;
      depth++;
      in_chosen = depth == 2 && str_eq(n, "chosen");
    } else if (tok == FDT_END_NODE) {
      depth--;
      in_chosen = 0;
    } else if (tok == FDT_PROP) {
      u32 len = be32(p);
      const char *pn = strings + be32(p + 4);
      const u8 *v = p + 8;
      p = v + ((len + 3) & ~3u);
      if (in_chosen && str_eq(pn, "bootargs") && len > 0 && !v[len - 1])
        return (const char *)v;
    } else if (tok != FDT_NOP)
      return 0;
  }
  return 0;
}

/* "<key><decimal>" among the space-separated bootargs, or `dflt` */
static i64 arg_from(const char *args, const char *key, i64 dflt)
{
  for (const char *s = args; s && *s; s++) {
    if ((s == args || s[-1] == ' ') && prefix(s, key)) {
      const char *d = s;
      while (*key)
        d++, key++;
      if (*d < '0' || *d > '9')
        return dflt;
      i64 n = 0;
      for (; *d >= '0' && *d <= '9'; d++)
        n = n * 10 + (*d - '0');
      return n;
    }
  }
  return dflt;
}

/* ---- the blob ---- */

static u64 blob_u64(u64 off) { return *(const u64 *)(child_blob + off); }

static void copy(u64 dst, const u8 *src, u64 n)
{
  u64 *d = (u64 *)dst;
  const u64 *s = (const u64 *)src;
  u64 i = 0;
  for (; i + 8 <= n; i += 8)
    *d++ = *s++;
  for (; i < n; i++)
    ((u8 *)dst)[i] = src[i];
}

/* blob and image in place (the donated pages come back zeroed on destroy) */
static void place_child(void)
{
  copy(AREA, child_blob, blob_len);
  copy(AREA + image_off, child_image, image_len);
}

/* invoke, resuming after pre-emptions (none is expected: no interrupt is enabled) */
static struct vm_ret invoke(long id, long arg)
{
  struct vm_ret r = vm_invoke(id, arg);
  while (r.reason == VM_PREEMPTED)
    r = vm_resume(id);
  return r;
}

/* ---- -cycles ---- */

static void cycles(i64 n)
{
  long last = 0;
  for (i64 i = 0; i < n; i++) {
    place_child();
    long id = vm_create((void *)AREA);
    if (id <= last) {   /* an error, or an id used before */
      fail("create", i, id);
      return;
    }
    last = id;
    if (i & 1) {
      struct vm_ret r = invoke(id, 0);
      if (r.reason != VM_EXITED || r.v0 != CHILD_EXIT_CODE) {
        fail("invoke 0 (exit) reason", i, r.reason);
        return;
      }
    } else {
      long k = 1 + (long)((i / 2) % 50);
      struct vm_ret r = invoke(id, k);
      if (r.reason != VM_YIELDED || r.v0 != k * k + 1) {
        fail("invoke (yield) reason", i, r.reason);
        return;
      }
    }
    long d = vm_destroy(id);
    if (d != 0) {
      fail("destroy", i, d);
      return;
    }
    if ((i + 1) % progress == 0)
      out("soak: cycles ", i + 1, 0);
  }
  out("soak: cycles ", n, " ok");
}

/* ---- -blobfuzz ---- */

static u64 rng = 0x9e3779b97f4a7c15UL;   /* fixed seed: the same rounds every run */

static u64 xorshift64(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static u64 below(u64 n) { return xorshift64() % n; }

/* the blob's u64 fields worth hitting: the header's sizes, counts and pointers, vm_config,
 * platform_desc, the regions */
static u64 fields[64];
static int nfields;

/* end of what the header holds (vm_config, its region array): the bytes a mutation may hit; the
 * rest of the header page is padding the parser never reads */
static u64 config_end;

static void add_field(u64 off)
{
  if (nfields < (int)(sizeof fields / sizeof fields[0]) && off + 8 <= config_end)
    fields[nfields++] = off;
}

static void find_fields(void)
{
  u64 vm0 = blob_u64(CFG_VMLIST);
  u64 regs = blob_u64(vm0 + VMC_PLATFORM + PD_REGIONS);
  config_end = regs + blob_u64(vm0 + VMC_PLATFORM + PD_REGION_NUM) * SIZEOF_REGION;
  if (config_end < vm0 + SIZEOF_VM_CONFIG)
    config_end = vm0 + SIZEOF_VM_CONFIG;
  if (config_end > header_size)
    config_end = header_size;
  for (u64 f = CFG_HEADER_SIZE; f <= CFG_VMLIST; f += 8)   /* config_header_size .. vmlist[0] */
    add_field(f);
  u64 vm = blob_u64(CFG_VMLIST);
  for (u64 f = 0; f <= VMC_PLATFORM + 56; f += 8)           /* image .. platform.console_base */
    add_field(vm + f);
  u64 regions = blob_u64(vm + VMC_PLATFORM + PD_REGIONS), nreg = blob_u64(vm + VMC_PLATFORM + PD_REGION_NUM);
  for (u64 r = 0; r < nreg && r < 4; r++)
    for (u64 f = 0; f < SIZEOF_REGION; f += 8)
      add_field(regions + r * SIZEOF_REGION + f);
}

static const u64 interesting[] = {
  0, 1, 2, 3, 4, 8, 0xfff, 0x1000, 0x1001, 0x2000, 0x10000, 0x40000, 0x100000, 0x800000,
  0x1000000, 0x40000000, 0x80000000UL, 0x80400000UL, 0x90000000UL, 0x100000000UL,
  1UL << 40, 1UL << 52, 1UL << 53, 0x7fffffffffffffffUL, 0x8000000000000000UL, ~0UL, ~0UL - 0xfff,
};

static void mutate(u8 *b)
{
  u64 kind = below(4);
  /* three times in four a known field, else any aligned u64 of the config */
  u64 at = below(4) ? fields[below((u64)nfields)] : below(config_end / 8) * 8;
  u64 *w = (u64 *)(b + at);
  switch (kind) {
  case 0:   /* a bit anywhere in the config */
    b[below(config_end)] ^= (u8)(1u << below(8));
    break;
  case 1:   /* a byte anywhere in the config */
    b[below(config_end)] = (u8)xorshift64();
    break;
  case 2:   /* a field set to an edge value */
    *w = interesting[below(sizeof interesting / sizeof interesting[0])];
    break;
  default: { /* a field moved a little: sizes, counts, offsets one off, a page off */
    u64 d = below(2) ? 1 + below(16) : 0x1000;
    *w = below(2) ? *w + d : *w - d;
  }
  }
}

static void blobfuzz(i64 n)
{
  i64 ok = 0, failure = 0, inval_id = 0, inval_args = 0, other = 0;
  for (i64 i = 0; i < n; i++) {
    if (i % CONTROL_EVERY == CONTROL_EVERY - 1) {   /* nothing a bad blob did may stick */
      place_child();
      long id = vm_create((void *)AREA);
      if (id <= 0) {
        fail("control create", i, id);
        return;
      }
      struct vm_ret r = invoke(id, 2);
      if (r.reason != VM_YIELDED || r.v0 != 5) {
        fail("control invoke reason", i, r.reason);
        return;
      }
      long d = vm_destroy(id);
      if (d != 0) {
        fail("control destroy", i, d);
        return;
      }
      ok++;
    } else {
      copy(AREA, child_blob, blob_len);
      for (u64 m = 1 + below(4); m; m--)
        mutate((u8 *)AREA);
      long id = vm_create((void *)AREA);
      if (id > 0) {
        ok++;
        long d = vm_destroy(id);
        if (d != 0) {
          fail("destroy of a mutated blob's child", i, d);
          return;
        }
      } else if (id == VM_E_FAILURE)
        failure++;
      else if (id == VM_E_INVAL_ID)
        inval_id++;
      else if (id == VM_E_INVAL_ARGS)
        inval_args++;
      else
        other++;
    }
    if ((i + 1) % progress == 0)
      out("soak: blobfuzz ", i + 1, " rounds");
  }
  struct line l;
  l_init(&l);
  l_str(&l, "soak: blobfuzz ");
  l_dec(&l, n);
  l_str(&l, " rounds, ok ");
  l_dec(&l, ok);
  l_str(&l, ", failure ");
  l_dec(&l, failure);
  l_str(&l, ", inval-id ");
  l_dec(&l, inval_id);
  l_str(&l, ", inval-args ");
  l_dec(&l, inval_args);
  l_str(&l, ", other ");
  l_dec(&l, other);
  l_emit(&l);
}

void boot_main(u64 hart, const void *fdt)
{
  fdt_parse(fdt, &dt);
  con_init(&dt);
  if (dt.model)
    name = dt.model;
  const char *args = bootargs(fdt);
  i64 n = arg_from(args, "n=", CYCLES_DEFAULT);
  progress = arg_from(args, "progress=", PROGRESS_DEFAULT);
  if (progress <= 0)
    progress = PROGRESS_DEFAULT;
  blob_len = (u64)(child_blob_end - child_blob);
  image_len = (u64)(child_image_end - child_image);
  header_size = blob_u64(CFG_HEADER_SIZE);
  u64 vm = blob_u64(CFG_VMLIST);
  u64 regions = blob_u64(vm + VMC_PLATFORM + PD_REGIONS);
  image_off = header_size + (blob_u64(vm + VMC_IMAGE_BASE) - blob_u64(regions + REG_BASE));

  struct line l;
  l_init(&l);
  l_str(&l, "soak: ");
  l_str(&l, name);
  l_str(&l, " on hart ");
  l_dec(&l, (i64)hart);
  l_str(&l, ", n ");
  l_dec(&l, n);
  l_str(&l, ", progress every ");
  l_dec(&l, progress);
  l_emit(&l);
  if ((u64)__stacks_end > AREA) {
    say("soak: FAIL the image reaches into AREA: move AREA up");
    return;
  }
  if (ends_with(name, "-cycles"))
    cycles(n);
  else if (ends_with(name, "-blobfuzz")) {
    find_fields();
    blobfuzz(n);
  } else
    say("soak: no mode (the VM's name must end in -cycles or -blobfuzz)");
}
