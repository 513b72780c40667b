/**
 * What `baobab config import` refuses, as a value (STYLE §8): a short code and one message that
 * names the file and line where there is one. Config rules the imported result breaks are
 * `ConfigErrors` instead, with the field paths of the JSON.
 */

export type ImportErrorCode =
  /** the C file cannot be read */
  | 'unreadable'
  /** no cross compiler for the architecture on PATH (the message names the Debian package) */
  | 'no-compiler'
  /** the compiler or linker failed: its diagnostics, with file:line, are the message */
  | 'compile'
  /** the architecture cannot be told from the file and no --board/--arch names it, or they disagree */
  | 'arch'
  /** the board named cannot be loaded, or its architecture has no binary config layout */
  | 'board'
  /** a VM_IMAGE names a file that is not there */
  | 'missing-image'
  /** the compiled config has something baobab's config cannot say (or is no CROSSCON config at all) */
  | 'unmappable'

export class ImportError extends Error {
  override readonly name = 'ImportError'
  constructor(readonly code: ImportErrorCode, message: string) {
    super(message)
  }
}
