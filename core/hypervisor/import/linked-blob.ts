/**
 * The linked config ELF (compile.ts) as CROSSCON's blob: what `objcopy -O binary` makes of it
 * (reference §2.1), padded to `config_size`; and what only the ELF knows — the C names of the
 * `vm_config`s and how many pointers `.vmlist` really holds.
 */
import { hex } from '../../bus.ts'
import { parseElf, type ElfSymbol } from '../../loader/elf.ts'
import { CONFIG, FDT_MAGIC, SIZEOF, VM_CONFIG } from '../blob-layout.ts'
import { imageBytes } from '../blob-pack.ts'
import { ImportError } from './import-error.ts'

export interface LinkedBlob {
  /** the blob: `config_size` bytes from offset 0 */
  bytes: Uint8Array
  /** the ELF's defined object symbols */
  symbols: ElfSymbol[]
}

/** Flatten the linked ELF (every section at its blob offset) into the blob. */
export function linkedBlob(elf: Uint8Array, file: string): LinkedBlob {
  const flat = imageBytes('config.elf', 0, () => elf, file)
  const symbols = parseElf(elf).symbols.filter((s) => s.type === 'object')
  if (flat.length < SIZEOF.config || new DataView(flat.buffer, flat.byteOffset).getUint32(0, false) !== FDT_MAGIC) {
    throw new ImportError('unmappable', `${file}: \`config\` does not start with CONFIG_HEADER (its first word is not the fake FDT magic ${hex(FDT_MAGIC)})`)
  }
  // `_images_end` is only a symbol: objcopy's output ends at the last byte of data (blob.ts)
  const size = Number(new DataView(flat.buffer, flat.byteOffset).getBigUint64(CONFIG.config_size, true))
  if (size <= flat.length || size > flat.length + (1 << 20)) return { bytes: flat, symbols }
  const bytes = new Uint8Array(size)
  bytes.set(flat)
  return { bytes, symbols }
}

/**
 * The `.vmlist` entries the C initialiser wrote: struct config's symbol is 88 bytes plus the
 * flexible array's initialised pointers (a GCC extension CROSSCON's configs use). Undefined when
 * the symbol does not say.
 */
export function vmlistEntries(symbols: readonly ElfSymbol[]): number | undefined {
  const config = symbols.find((s) => s.name === 'config' && s.value === 0n)
  if (!config || config.size < BigInt(CONFIG.vmlist)) return undefined
  return Number((config.size - BigInt(CONFIG.vmlist)) / BigInt(SIZEOF.ptr))
}

/**
 * The blob offset of every vm_config in pre-order (root 0, its children, root 1, ...), the order
 * `parseBlob` names and indexes VMs in. Call after `parseBlob` accepted the blob: every pointer
 * followed here was checked there.
 */
export function vmConfigOffsets(bytes: Uint8Array): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const u64 = (at: number): number => Number(dv.getBigUint64(at, true))
  const out: number[] = []
  const visit = (v: number): void => {
    out.push(v)
    const n = u64(v + VM_CONFIG.children_num)
    const arr = n > 0 ? u64(v + VM_CONFIG.children) : 0
    for (let k = 0; k < n; k++) visit(u64(arr + SIZEOF.ptr * k))
  }
  const roots = u64(CONFIG.vmlist_size)
  for (let k = 0; k < roots; k++) visit(u64(CONFIG.vmlist + SIZEOF.ptr * k))
  return out
}

/** The C name of the object at `offset` that is exactly `size` bytes (a named `struct vm_config`), if there is one. */
export function objectNameAt(symbols: readonly ElfSymbol[], offset: number, size: number): string | undefined {
  return symbols.find((s) => s.value === BigInt(offset) && s.size === BigInt(size))?.name
}
