/**
 * What `baobab repl` is given and the dot-commands it offers: shared by the command (repl.ts) and
 * the REPL it loads lazily (repl-run.ts), so neither imports the other.
 */
export interface ReplArgs {
  config?: string
  bare?: string
  board?: string
  'unsafe-repl': boolean
}

export const DOT_HELP = `.help        this text and the API
.exit        leave (also Ctrl-D, or Ctrl-C twice on an empty line)
.save FILE   write this run's entries to FILE, one per line
.load FILE   evaluate FILE as one entry (top-level await works; what it declares stays)`
