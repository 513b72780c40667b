/**
 * `defineConfig` for configs written in TypeScript: it returns its argument unchanged and only
 * lends it the config's type, so an editor completes field names and flags unknown ones.
 *
 *   import { defineConfig } from '../core/hypervisor/define-config.ts'
 *   export default defineConfig({ board: 'qemu-virt-riscv64', vms: [ ... ] })
 */
import type { ConfigInput } from './config-schema.ts'

export type { ConfigInput, DevInput, ImageInput, IpcInput, NumLike, RegionInput, ShmemInput, VmInput } from './config-schema.ts'

export function defineConfig(config: ConfigInput): ConfigInput {
  return config
}
