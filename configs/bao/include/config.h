/*
 * baobab's <config.h>: CROSSCON's config structs, for writing a config as Bao users do and
 * turning it into a baobab JSON config with `baobab config import FILE.c -o FILE.json`.
 *
 * The structs, field names, types and macros are CROSSCON-Hypervisor's (reference §2.1, §2.2:
 * src/core/inc/config.h, platform.h, mem.h, ipc.h, cache.h, src/arch/{armv8,riscv}/inc/arch/
 * platform.h), so a CROSSCON config compiles against this header unchanged, and the linked
 * result has the binary layout baobab's blob parser reads (core/hypervisor/blob-layout.ts). The
 * _Static_asserts at the end hold the two to the same offsets.
 *
 * One difference: VM_IMAGE does not `.incbin` the image. Its bytes in the blob are a record the
 * importer reads back — "baobab-vm-image", the image's name, its path as written, and the file and
 * line of the VM_IMAGE — each a NUL-terminated string. VM_IMAGE_OFFSET/VM_IMAGE_SIZE point at the
 * record exactly as they would at the image, so `image.load_addr`/`image.size` carry it through
 * the compile and the link.
 *
 * VM_IMAGE_BUILTIN(name, base) is newer Bao's shorthand for the `.image` block; CROSSCON's configs
 * write the three fields out (`.base_addr`, `.load_addr = VM_IMAGE_OFFSET(name)`, `.size = ...`).
 */
#ifndef BAOBAB_CONFIG_H
#define BAOBAB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if !((defined(__aarch64__) || (defined(__riscv) && __riscv_xlen == 64)) && defined(__LP64__))
#error "baobab's config.h describes CROSSCON's LP64 layout: compile for aarch64 or riscv64"
#endif

/* src/core/inc/types.h */
typedef uintptr_t paddr_t;
typedef uintptr_t vaddr_t;
typedef unsigned long colormap_t;
typedef unsigned long cpumap_t;
typedef unsigned irqid_t;
typedef unsigned streamid_t;

#define STR(s) #s
#define XSTR(s) STR(s)

/* src/core/inc/mem.h */
struct mem_region {
    paddr_t base;
    size_t size;
    colormap_t colors;
    bool place_phys;
    paddr_t phys;
};

struct dev_region {
    paddr_t pa;
    vaddr_t va;
    size_t size;
    size_t interrupt_num;
    irqid_t *interrupts;
    streamid_t id; /* bus master id for iommu effects */
};

struct shmem {
    size_t size;
    colormap_t colors;
    bool place_phys;
    paddr_t phys;
    cpumap_t cpu_masters;
};

/* src/core/inc/ipc.h */
struct ipc {
    paddr_t base;
    size_t size;
    size_t shmem_id;
    size_t interrupt_num;
    irqid_t *interrupts;
};

/* src/core/inc/cache.h */
#define CACHE_MAX_LVL 8

struct cache {
    size_t lvls;
    size_t min_shared_lvl;
    enum { UNIFIED, SEPARATE, DATA, INSTRUCTION } type[CACHE_MAX_LVL];
    enum { PIPT, VIPT } indexed[CACHE_MAX_LVL][2];
    size_t line_size[CACHE_MAX_LVL][2];
    size_t assoc[CACHE_MAX_LVL][2];
    size_t numset[CACHE_MAX_LVL][2];
};

/* src/arch/{armv8,riscv}/inc/arch/platform.h */
#if defined(__aarch64__)
struct arch_platform {
    struct gic_dscrp {
        paddr_t gicc_addr;
        paddr_t gich_addr;
        paddr_t gicv_addr;
        paddr_t gicd_addr;
        paddr_t gicr_addr;

        irqid_t maintenance_id;

        size_t interrupt_num;
    } gic;

    struct {
        paddr_t base;
        irqid_t interrupt_id;
        streamid_t global_mask;

        size_t group_num;
        struct smmu_group {
            streamid_t group_mask;
            streamid_t group_id;
        } *smmu_groups;
    } smmu;

    struct {
        paddr_t base_addr;
        struct {
            vaddr_t virtual;
            uint64_t hyp;
        } irqs;
    } generic_timer;

    struct clusters {
        size_t num;
        size_t *core_num;
    } clusters;
};
#else
struct arch_platform {
    paddr_t plic_base;
};
#endif

/* src/core/inc/platform.h */
struct platform_desc {
    size_t cpu_num;

    size_t region_num;
    struct mem_region *regions;

    size_t ipc_num;
    struct ipc *ipcs;

    size_t dev_num;
    struct dev_region *devs;

    struct {
        paddr_t base;
    } console;

    struct cache cache;

    struct arch_platform arch;
};

/* src/core/inc/config.h */
extern uint8_t _config_end, _images_end;

#define CONFIG_HEADER_SIZE ((size_t)&_config_end)
#define CONFIG_SIZE ((size_t)&_images_end)

#define VM_IMAGE_OFFSET(vm_name) ((paddr_t)&_##vm_name##_vm_beg)
#define VM_IMAGE_SIZE(vm_name) ((size_t)&_##vm_name##_vm_size)

/* the record's first string (core/hypervisor/import/image-record.ts reads it) */
#define BAOBAB_VM_IMAGE_MAGIC "baobab-vm-image"

#define VM_IMAGE(vm_name, image)                                            \
    extern uint8_t _##vm_name##_vm_size;                                   \
    extern uint8_t _##vm_name##_vm_beg;                                    \
    asm(".pushsection .vm_image_" XSTR(vm_name) ", \"a\"\n\t"               \
        ".global _" XSTR(vm_name) "_vm_beg\n\t"                             \
        "_" XSTR(vm_name) "_vm_beg:\n\t"                                    \
        ".asciz \"" BAOBAB_VM_IMAGE_MAGIC "\"\n\t"                          \
        ".asciz \"" XSTR(vm_name) "\"\n\t"                                  \
        ".asciz " XSTR(image) "\n\t"                                        \
        ".asciz " XSTR(__FILE__) "\n\t"                                     \
        ".asciz \"" XSTR(__LINE__) "\"\n\t"                                 \
        "_" XSTR(vm_name) "_vm_end:\n\t"                                    \
        ".global _" XSTR(vm_name) "_vm_size\n\t"                            \
        ".set _" XSTR(vm_name) "_vm_size,  (_" XSTR(vm_name) "_vm_end - _"  \
        #vm_name "_vm_beg)\n\t"                                             \
        ".popsection")

#define VM_IMAGE_BUILTIN(vm_name, image_base_addr)                          \
    {                                                                      \
        .base_addr = image_base_addr,                                      \
        .load_addr = VM_IMAGE_OFFSET(vm_name),                             \
        .size = VM_IMAGE_SIZE(vm_name),                                    \
    }

#define CONFIG_HEADER                              \
    .fdt_header =                                  \
        {                                          \
            .magic = 0xedfe0dd0,                   \
            .totalsize = 0x28000000,               \
            .off_dt_struct = 0x28000000,           \
            .off_dt_strings = 0x28000000,          \
            .version = 0x11000000,                 \
            .last_comp_version = 0x2000000,        \
            .off_mem_rsvmap = 0x28000000,          \
    },                                             \
    .config_header_size = CONFIG_HEADER_SIZE,      \
    .config_size = CONFIG_SIZE,

struct vm_config {
    struct {
        /* Image load address in VM's address space */
        vaddr_t base_addr;
        /* Image load address in hyp address space */
        paddr_t load_addr;
        /* Image size */
        size_t size;
        /* Dont copy the image */
        bool inplace;
    } image;

    /* Entry point address in VM's address space */
    vaddr_t entry;
    /* preferred physical CPUs (bit n = CPU n) */
    cpumap_t cpu_affinity;
    /* LLC colours of the VM's memory */
    colormap_t colors;

    /* CROSSCON: 0 GPOS, 1 TEE parent of its GPOS, 2 TEE child of its GPOS, 3 enclave */
    size_t type;

    /* CROSSCON: VM-stack children, created at boot on this VM's CPUs */
    size_t children_num;
    struct vm_config **children;

    /* the virtual platform the guest sees */
    struct platform_desc platform;
};

struct fdt_header {
    uint32_t magic;
    uint32_t totalsize;
    uint32_t off_dt_struct;
    uint32_t off_dt_strings;
    uint32_t off_mem_rsvmap;
    uint32_t version;
    uint32_t last_comp_version;
    uint32_t boot_cpuid_phys;
    uint32_t size_dt_strings;
    uint32_t size_dt_struct;
};

extern struct config {
    /* a fake DTB header, so U-Boot can pass the config as the dtb */
    struct fdt_header fdt_header;

    /* the size of the struct data, page aligned */
    size_t config_header_size;
    /* the size of the whole blob, images included */
    size_t config_size;

    /* the hypervisor's own colours */
    colormap_t hyp_colors;

    /* shared-memory objects; an IPC names one by its index (shmem_id) */
    size_t shmemlist_size;
    struct shmem *shmemlist;

    /* the root VMs */
    size_t vmlist_size;
    struct vm_config *vmlist[];
} config __attribute__((section(".config")));

/* reference §2.2: the offsets core/hypervisor/blob-layout.ts and the arch's config-blob.ts read */
_Static_assert(offsetof(struct config, vmlist) == 88, "struct config");
_Static_assert(sizeof(struct mem_region) == 40 && sizeof(struct dev_region) == 48, "mem_region, dev_region");
_Static_assert(sizeof(struct ipc) == 40 && sizeof(struct shmem) == 40, "ipc, shmem");
_Static_assert(offsetof(struct vm_config, platform) == 80, "vm_config.platform");
_Static_assert(offsetof(struct platform_desc, arch) == 560, "platform_desc.arch");
#if defined(__aarch64__)
_Static_assert(sizeof(struct vm_config) == 768, "vm_config (Armv8)");
#else
_Static_assert(sizeof(struct vm_config) == 648, "vm_config (RISC-V)");
#endif

#endif /* BAOBAB_CONFIG_H */
