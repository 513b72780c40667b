/**
 * Config errors are values (STYLE §8): the field path in the config and the rule it breaks,
 * never a stack trace. A loader collects every error it finds and throws them together as one
 * `ConfigErrors`, whose message is one line per error.
 */

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(
    /** the field, written as in the config: `vms[1].regions[0].size`; '' for the file as a whole */
    readonly path: string,
    /** the rule broken, one line: `overlaps vms[0].regions[0] (0x80200000..0x84200000)` */
    readonly rule: string,
    /** the config file, as the user named it, when there is one */
    readonly file?: string,
  ) {
    super([file, path, rule].filter((s) => s !== undefined && s !== '').join(': '))
  }
}

/** Every error found in one config, in the order the checks met them. */
export class ConfigErrors extends Error {
  override readonly name = 'ConfigErrors'
  constructor(readonly errors: readonly ConfigError[], readonly file?: string) {
    super(errors.map((e) => e.message).join('\n'))
  }
}

/** A path as the config writes it: ['vms', 1, 'regions', 0] → `vms[1].regions[0]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`
  return out
}
