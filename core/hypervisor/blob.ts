/**
 * CROSSCON's binary config layout, both ways (reference §2.1, §2.2, §2.5; DESIGN "The config
 * format": `baobab config pack`).
 *
 * A CROSSCON config is a C file defining `struct config config`; `configs/configs.mk` compiles it
 * and links it **at address 0** with `configs/linker.ld`, then `objcopy -O binary` gives the blob
 * (§2.1). So:
 *
 *   [0, config_header_size)            `struct config` + everything it points to (section `.config`);
 *                                      `config_header_size` = `_config_end` = page-aligned end
 *   [config_header_size, config_size)  the VM images (`.vm_images`), each page-aligned;
 *                                      `config_size` = `_images_end` = page-aligned end
 *
 * Every pointer in the blob is an offset from the blob's start (the hypervisor relocates it by
 * adding the blob's VA; `image.load_addr` by adding its PA). A null pointer is 0 — never a valid
 * offset, since `struct config` itself sits at 0. Everything is little-endian LP64 with natural
 * alignment, except the fake FDT header, which is big-endian.
 *
 * `packConfig` writes that layout from a normalised `HvConfig`. Its own order inside `.config`
 * (a C compiler picks one of its own; nothing depends on it) is:
 *   struct config (with the vmlist pointer array) · every vm_config (depth-first pre-order) ·
 *   children pointer arrays · shmemlist · per VM: mem_region[], dev_region[], ipc[] ·
 *   all u32 interrupt arrays.
 *
 * `parseBlob` reads any blob with that meaning (whatever the order inside `.config`) and is what
 * the VM-create hypercall uses (§2.5, §4.4). It rejects every malformed input with a `BlobError`
 * and throws nothing else: every count and pointer is checked, in bigint arithmetic, against the
 * header before anything is read through it.
 *
 * Two details follow CROSSCON's code (`src/core/inc/config.h`, `CONFIG_HEADER`) where the
 * description is loose: the fake FDT `totalsize` is 40 like the three offsets (the macro stores
 * 0x28000000 in a little-endian u32, i.e. big-endian 40), not the blob's size; and
 * `boot_cpuid_phys`, `size_dt_strings`, `size_dt_struct` are 0.
 *
 * Where the blob and baobab's config differ:
 * - names, `board`, `features`, `dtb`, `bootargs`, `sstc`, a device's `shared` flag: not in
 *   CROSSCON's structs; not packed, and `parseBlob` names VMs `vm<i>` (pre-order index).
 * - `emulate` devices (a baobab-only emulated instance): not representable, left out when
 *   packing (the `warn` callback is told).
 * - ELF images are packed as `objcopy -O binary` would: the bytes from `image.baseAddr` to the end
 *   of the last PT_LOAD segment's file data, gaps zero-filled (a trailing .bss is not stored).
 * - With `images: false` no image is stored: `image.load_addr` and `image.size` are 0 (the
 *   VM-create case, where the parent has already placed the image in `regions[0]`, §2.5).
 * - A real `objcopy -O binary` file can stop short of `config_size` (the linker script only
 *   aligns the symbol); `packConfig` pads to `config_size`, and `parseBlob` wants the whole
 *   `config_size` bytes (a hypervisor maps whole pages anyway).
 */
export * from './blob-layout.ts'
export * from './blob-pack.ts'
export * from './blob-parse.ts'
