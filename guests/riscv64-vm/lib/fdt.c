/* A small flattened-device-tree reader: one pass over the structure block (Devicetree
 * Specification v0.4, ch. 5: header, FDT_BEGIN_NODE / FDT_END_NODE / FDT_PROP / FDT_NOP / FDT_END
 * tokens, big-endian cells, names and values padded to 4 bytes) that picks out what the guests
 * need (struct dt in vm.h). A node's properties come before its children, so when a node's "reg"
 * is read its parent's #address-cells / #size-cells are already known; the other facts of a node
 * are collected while its properties go by and used at its FDT_END_NODE. UARTs are known by their
 * compatible, one driver each in console.c. */
#include "vm.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9
#define MAX_DEPTH      16

struct node {
  const char *name;
  u32 acells, scells;               /* this node's #address-cells / #size-cells (for children) */
  int is_cpu, disabled, uart, plic, has_reg, has_irq;
  u32 shift, width;                 /* an 8250's reg-shift / reg-io-width */
  u64 reg;                          /* first address of "reg" */
  u32 irq;                          /* first cell of "interrupts" */
};

static u32 be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }

/* n big-endian cells (1 or 2) as one number */
static u64 cells(const u8 *p, u32 n)
{
  u64 v = 0;
  for (u32 i = 0; i < n; i++)
    v = v << 32 | be32(p + 4 * i);
  return v;
}

int str_eq(const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return *a == *b;
}

/* does the string list (len bytes of NUL-terminated strings) contain s? */
static int has_string(const char *list, u32 len, const char *s)
{
  u32 i = 0;
  while (i < len) {
    if (str_eq(list + i, s))
      return 1;
    while (i < len && list[i])
      i++;
    i++;
  }
  return 0;
}

/* the console.c driver a compatible string list names, in one walk over it: an 8250 ("ns16550a")
 * or the SiFive UART ("sifive,uart0"); UART_NONE for anything else */
static int uart_kind_of(const char *list, u32 len)
{
  u32 i = 0;
  while (i < len) {
    if (str_eq(list + i, "ns16550a"))
      return UART_8250;
    if (str_eq(list + i, "sifive,uart0"))
      return UART_SIFIVE;
    while (i < len && list[i])
      i++;
    i++;
  }
  return UART_NONE;
}

static void add_hart(struct dt *dt, u32 id)
{
  int i = dt->nharts;
  if (i == (int)(sizeof dt->harts / sizeof dt->harts[0]))
    return;
  while (i > 0 && dt->harts[i - 1] > id) {   /* keep them ascending */
    dt->harts[i] = dt->harts[i - 1];
    i--;
  }
  dt->harts[i] = id;
  dt->nharts++;
}

/* property of node st[d] (st[d-1] is its parent; d == 1 is the root) */
static void prop(struct dt *dt, struct node *st, int d, const char *name, const u8 *v, u32 len)
{
  struct node *n = &st[d];
  struct node *parent = &st[d - 1];
  int in_root = d == 1;
  int in_cpus = d == 2 && str_eq(n->name, "cpus");
  int in_chosen = d == 2 && str_eq(n->name, "chosen");

  if (str_eq(name, "#address-cells") && len == 4)
    n->acells = be32(v);
  else if (str_eq(name, "#size-cells") && len == 4)
    n->scells = be32(v);
  else if (str_eq(name, "compatible")) {
    n->uart = uart_kind_of((const char *)v, len);
    n->plic = has_string((const char *)v, len, "riscv,plic0") ||
              has_string((const char *)v, len, "sifive,plic-1.0.0");
  } else if (str_eq(name, "reg") && d > 1 && parent->acells >= 1 && parent->acells <= 2 &&
             len >= 4 * parent->acells) {
    n->reg = cells(v, parent->acells);
    n->has_reg = 1;
  } else if (str_eq(name, "interrupts") && len >= 4) {
    n->irq = be32(v);
    n->has_irq = 1;
  } else if (str_eq(name, "device_type"))
    n->is_cpu = str_eq((const char *)v, "cpu");
  else if (str_eq(name, "status"))
    n->disabled = str_eq((const char *)v, "disabled");
  else if (in_root && str_eq(name, "model"))
    dt->model = (const char *)v;
  else if (str_eq(name, "timebase-frequency") && (len == 4 || len == 8) &&
           (in_cpus || !dt->timebase))
    dt->timebase = cells(v, len / 4);
  else if (in_chosen && str_eq(name, "baobab,sstc"))
    dt->sstc = 1;
  else if (in_chosen && str_eq(name, "baobab,ipc") && len == 24) {
    dt->shm_base = cells(v, 2);
    dt->shm_size = cells(v + 8, 2);
    dt->ipc_id = be32(v + 16);
    dt->ipc_irq = be32(v + 20);
    dt->has_ipc = 1;
  } else if (in_chosen && str_eq(name, "baobab,ipc-role") && len > 0 && !v[len - 1])
    dt->ipc_role = (const char *)v;
  else if (in_chosen && str_eq(name, "bootargs") && len > 0 && !v[len - 1])
    dt->bootargs = (const char *)v;
  else if (in_chosen && str_eq(name, "baobab,poweroff-after") && len == 4) {
    dt->poweroff_after = be32(v);
    dt->has_poweroff = 1;
  } else if (n->uart && str_eq(name, "reg-shift") && len == 4)   /* an 8250's (8250.yaml), after its compatible */
    n->shift = be32(v);
  else if (n->uart && str_eq(name, "reg-io-width") && len == 4)
    n->width = be32(v);
}

static void end_node(struct dt *dt, struct node *st, int d)
{
  struct node *n = &st[d];
  if (d == 3 && str_eq(st[2].name, "cpus") && n->is_cpu && n->has_reg && !n->disabled)
    add_hart(dt, (u32)n->reg);
  if (n->uart && n->has_reg && !dt->has_uart) {
    dt->has_uart = 1;
    dt->uart = n->reg;
    dt->has_uart_irq = n->has_irq;
    dt->uart_irq = n->irq;
    dt->uart_kind = n->uart;
    dt->uart_shift = n->shift;
    dt->uart_width = n->width ? n->width : 1;
  }
  if (n->plic && n->has_reg && !dt->has_plic) {
    dt->has_plic = 1;
    dt->plic = n->reg;
  }
}

int fdt_parse(const void *fdt, struct dt *dt)
{
  static struct node st[MAX_DEPTH];
  const u8 *h = fdt;
  *dt = (struct dt){ 0 };
  if (!h || ((uintptr_t)h & 3) || be32(h) != FDT_MAGIC)
    return -1;
  u32 total = be32(h + 4);
  const u8 *p = h + be32(h + 8);              /* off_dt_struct */
  const char *strings = (const char *)h + be32(h + 12);  /* off_dt_strings */
  const u8 *end = h + total;
  int d = 0;                                  /* st[1] = root, st[0] = its dummy parent */
  st[0] = (struct node){ .acells = 2, .scells = 1 };

  while (p + 4 <= end) {
    u32 tok = be32(p);
    p += 4;
    if (tok == FDT_BEGIN_NODE) {
      const char *name = (const char *)p;
      u32 l = 0;
      while (p + l < end && name[l])
        l++;
      p += (l + 1 + 3) & ~3u;
      if (++d >= MAX_DEPTH)
        return -1;
      st[d] = (struct node){ .name = name, .acells = 2, .scells = 1 };
    } else if (tok == FDT_END_NODE) {
      if (d < 1)
        return -1;
      end_node(dt, st, d);
      d--;
    } else if (tok == FDT_PROP) {
      u32 len = be32(p), nameoff = be32(p + 4);
      const u8 *v = p + 8;
      p = v + ((len + 3) & ~3u);
      if (d < 1 || p > end)
        return -1;
      prop(dt, st, d, strings + nameoff, v, len);
    } else if (tok == FDT_NOP) {
      continue;
    } else if (tok == FDT_END) {
      return 0;
    } else
      return -1;
  }
  return -1;
}
