/** Exit codes of `baobab run` besides the guest's own poweroff code. */
export const EXIT_BAD_INPUT = 2
export const EXIT_TIMEOUT = 3
export const EXIT_LIMIT = 4
export const EXIT_FAULT = 5
