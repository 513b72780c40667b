/* A small flattened-device-tree reader: one pass over the structure block (Devicetree
 * Specification v0.4, ch. 5: header, FDT_BEGIN_NODE / FDT_END_NODE / FDT_PROP / FDT_NOP / FDT_END
 * tokens, big-endian cells, names and values padded to 4 bytes) that picks out what the guests
 * need (struct dt in vm.h). A node's properties come before its children, so when a node's "reg"
 * is read its parent's #address-cells / #size-cells are already known; the other facts of a node
 * are collected while its properties go by and used at its FDT_END_NODE. Interrupt specifiers are
 * the GIC binding's three cells (arm,gic.yaml: type 0 SPI / 1 PPI, number, flags), turned into
 * INTIDs (SPI n = 32 + n, PPI n = 16 + n). UARTs are known by their compatible (uart_kind_of: one
 * driver each in console.c); the console is the UART /chosen/stdout-path names, else the first. */
#include "vm.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9
#define MAX_DEPTH      16
#define MAX_UARTS      4

struct node {
  const char *name;
  u32 acells, scells;               /* this node's #address-cells / #size-cells (for children) */
  int is_cpu, is_mem, disabled, uart, gic, timer, psci, has_reg, reg_n;
  u32 shift, width;                 /* an 8250's reg-shift / reg-io-width (or its compatible's) */
  u64 reg[MAX_MEM], reg_size[MAX_MEM];  /* the first (address, size) pairs of "reg" */
  const u8 *irqs;                   /* "interrupts" */
  u32 irqs_len;
  const char *method;               /* "method" (PSCI) */
};

struct named_uart { const char *name; struct uart u; };

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

int has_word(const char *s, const char *w)
{
  while (s && *s) {
    while (*s == ' ')
      s++;
    const char *a = s, *b = w;
    while (*a && *a != ' ' && *a == *b)
      a++, b++;
    if (!*b && (!*a || *a == ' '))
      return 1;
    while (*s && *s != ' ')
      s++;
  }
  return 0;
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

/* the UART driver for a "compatible" string list; a compatible that fixes the register layout sets
 * *shift and *width (an 8250's come from its reg-shift / reg-io-width, defaults 0 and 1) */
static int uart_kind_of(const char *c, u32 len, u32 *shift, u32 *width)
{
  if (has_string(c, len, "arm,pl011"))
    return UART_PL011;
  if (has_string(c, len, "ns16550a"))
    return UART_8250;
  if (has_string(c, len, "brcm,bcm2835-aux-uart")) {
    *shift = 2;                     /* BCM2711 peripherals §2.2.2: AUX_MU_*_REG 4 bytes apart */
    *width = 4;
    return UART_8250;
  }
  if (has_string(c, len, "xlnx,xuartps") || has_string(c, len, "cdns,uart-r1p8"))
    return UART_CDNS;
  if (has_string(c, len, "fsl,imx8qm-lpuart") || has_string(c, len, "fsl,imx7ulp-lpuart"))
    return UART_LPUART;
  if (has_string(c, len, "fsl,imx8mq-uart") || has_string(c, len, "fsl,imx6q-uart") ||
      has_string(c, len, "fsl,imx21-uart"))
    return UART_IMX;
  if (has_string(c, len, "sifive,uart0"))
    return UART_SIFIVE;
  return UART_NONE;
}

/* the INTID of the k-th three-cell GIC specifier of a node's "interrupts", or 0 */
static u32 intid(const struct node *n, u32 k)
{
  if (n->irqs_len < 12 * (k + 1))
    return 0;
  const u8 *s = n->irqs + 12 * k;
  u32 type = be32(s), num = be32(s + 4);
  return type == 0 ? 32 + num : type == 1 ? 16 + num : 0;
}

static void add_cpu(struct dt *dt, u32 id)
{
  int i = dt->ncpus;
  if (i == (int)(sizeof dt->cpus / sizeof dt->cpus[0]))
    return;
  while (i > 0 && dt->cpus[i - 1] > id) {   /* keep them ascending */
    dt->cpus[i] = dt->cpus[i - 1];
    i--;
  }
  dt->cpus[i] = id;
  dt->ncpus++;
}

/* property of node st[d] (st[d-1] is its parent; d == 1 is the root) */
static void prop(struct dt *dt, const char **stdout_path, struct node *st, int d, const char *name,
                 const u8 *v, u32 len)
{
  struct node *n = &st[d];
  struct node *parent = &st[d - 1];
  int in_root = d == 1;
  int in_chosen = d == 2 && str_eq(n->name, "chosen");
  int string = len > 0 && !v[len - 1];

  if (str_eq(name, "#address-cells") && len == 4)
    n->acells = be32(v);
  else if (str_eq(name, "#size-cells") && len == 4)
    n->scells = be32(v);
  else if (str_eq(name, "compatible")) {
    const char *c = (const char *)v;
    n->uart = uart_kind_of(c, len, &n->shift, &n->width);
    n->gic = has_string(c, len, "arm,cortex-a15-gic") || has_string(c, len, "arm,gic-400") ||
             has_string(c, len, "arm,arm-gic") ? 2 : has_string(c, len, "arm,gic-v3") ? 3 : 0;
    n->timer = has_string(c, len, "arm,armv8-timer");
    n->psci = has_string(c, len, "arm,psci") || has_string(c, len, "arm,psci-0.2") ||
              has_string(c, len, "arm,psci-1.0");
  } else if (str_eq(name, "reg") && d > 1 && parent->acells >= 1 && parent->acells <= 2 &&
             parent->scells <= 2) {
    u32 entry = 4 * (parent->acells + parent->scells);
    for (u32 i = 0; i < MAX_MEM && len >= entry * i + 4 * parent->acells; i++) {
      n->reg[i] = cells(v + entry * i, parent->acells);
      n->reg_size[i] = len >= entry * (i + 1) ? cells(v + entry * i + 4 * parent->acells, parent->scells) : 0;
      n->reg_n = (int)i + 1;
    }
    n->has_reg = n->reg_n > 0;
  } else if (str_eq(name, "reg-shift") && len == 4) {
    n->shift = be32(v);
  } else if (str_eq(name, "reg-io-width") && len == 4) {
    n->width = be32(v);
  } else if (str_eq(name, "interrupts")) {
    n->irqs = v;
    n->irqs_len = len;
  } else if (str_eq(name, "device_type"))
    n->is_cpu = string && str_eq((const char *)v, "cpu");
  else if (str_eq(name, "status"))
    n->disabled = string && str_eq((const char *)v, "disabled");
  else if (str_eq(name, "method") && string)
    n->method = (const char *)v;
  else if (in_root && str_eq(name, "model") && string)
    dt->model = (const char *)v;
  else if (in_chosen && str_eq(name, "bootargs") && string)
    dt->bootargs = (const char *)v;
  else if (in_chosen && str_eq(name, "stdout-path") && string)
    *stdout_path = (const char *)v;
  else if (in_chosen && str_eq(name, "baobab,ipc") && len == 24) {
    dt->shm_base = cells(v, 2);
    dt->shm_size = cells(v + 8, 2);
    dt->ipc_id = be32(v + 16);
    dt->ipc_irq = be32(v + 20);
    dt->has_ipc = 1;
  } else if (in_chosen && str_eq(name, "baobab,ipc-role") && string)
    dt->ipc_role = (const char *)v;
  else if (in_chosen && str_eq(name, "baobab,poweroff-after") && len == 4) {
    dt->poweroff_after = be32(v);
    dt->has_poweroff = 1;
  }
}

static void end_node(struct dt *dt, struct named_uart *uarts, int *nuarts, struct node *st, int d)
{
  struct node *n = &st[d];
  if (d == 3 && str_eq(st[2].name, "cpus") && n->is_cpu && n->has_reg && !n->disabled)
    add_cpu(dt, (u32)n->reg[0]);
  for (int i = 0; n->is_mem && !n->disabled && i < n->reg_n && dt->nmem < MAX_MEM; i++)
    if (n->reg_size[i]) {
      dt->mem_base[dt->nmem] = n->reg[i];
      dt->mem_size[dt->nmem++] = n->reg_size[i];
    }
  if (n->uart && n->has_reg && !n->disabled && *nuarts < MAX_UARTS) {
    struct named_uart *u = &uarts[(*nuarts)++];
    u->name = d == 2 ? n->name : 0;   /* stdout-path names root children only */
    u->u.kind = n->uart;
    u->u.base = n->reg[0];
    u->u.shift = n->shift;
    u->u.width = n->width ? n->width : 1;
    u->u.irq = intid(n, 0);
    u->u.has_irq = u->u.irq != 0;
  }
  if (n->gic && n->reg_n >= 2 && !dt->has_gic) {
    dt->has_gic = 1;
    dt->gic_version = n->gic;
    dt->gicd = n->reg[0];
    dt->gicc = n->reg[1];
  }
  /* arm,armv8-timer: secure physical, non-secure physical, virtual, hypervisor */
  if (n->timer && !dt->has_timer && intid(n, 2)) {
    dt->has_timer = 1;
    dt->timer_phys_irq = intid(n, 1);
    dt->timer_virt_irq = intid(n, 2);
  }
  if (n->psci && n->method)
    dt->psci_hvc = str_eq(n->method, "hvc");
}

/* does stdout-path ("/name" or "/name:options") name the root child `name`? */
static int is_stdout(const char *path, const char *name)
{
  if (!path || !name || *path++ != '/')
    return 0;
  while (*name && *path == *name)
    path++, name++;
  return !*name && (!*path || *path == ':');
}

int fdt_parse(const void *fdt, struct dt *dt)
{
  static struct node st[MAX_DEPTH];
  struct named_uart uarts[MAX_UARTS];
  int nuarts = 0;
  const char *stdout_path = 0;
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
      end_node(dt, uarts, &nuarts, st, d);
      d--;
    } else if (tok == FDT_PROP) {
      u32 len = be32(p), nameoff = be32(p + 4);
      const u8 *v = p + 8;
      p = v + ((len + 3) & ~3u);
      if (d < 1 || p > end)
        return -1;
      prop(dt, &stdout_path, st, d, strings + nameoff, v, len);
    } else if (tok == FDT_NOP) {
      continue;
    } else if (tok == FDT_END) {
      break;
    } else
      return -1;
  }
  if (d != 0)
    return -1;
  for (int i = 0; i < nuarts; i++)
    if (i == 0 || is_stdout(stdout_path, uarts[i].name)) {
      dt->has_uart = 1;
      dt->uart = uarts[i].u;
    }
  return 0;
}

/* The boot CPU's identity map, before its MMU is on (start.S): reading the tree is byte by byte,
 * which Device memory allows. */
void mmu_build_fdt(const void *fdt)
{
  static struct dt m;
  mmu_build(fdt_parse(fdt, &m) == 0 ? &m : 0);
}
