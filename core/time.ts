/**
 * Conversions between virtual cycles (the scheduler's unit) and a timer's ticks (a board's
 * timebase). Exact: when the CPU clock is an integer multiple of the timebase (every board so
 * far) plain division suffices; otherwise BigInt keeps it exact, off the hot path.
 */
export interface Clock {
  /** ticks elapsed after `cycles` cycles (floor) */
  ticks(cycles: number): number
  /** the first cycle at which `ticks(cycle) >= t`; Infinity when beyond 2^53 */
  cycleOf(t: number): number
}

export function makeClock(cpuHz: number, timebaseHz: number): Clock {
  const ratio = cpuHz / timebaseHz
  if (Number.isInteger(ratio)) {
    return {
      ticks: (c) => Math.floor(c / ratio),
      cycleOf: (t) => {
        const c = t * ratio
        return c > Number.MAX_SAFE_INTEGER ? Infinity : c
      },
    }
  }
  const cpu = BigInt(cpuHz), tb = BigInt(timebaseHz)
  return {
    ticks: (c) => Number((BigInt(c) * tb) / cpu),
    cycleOf: (t) => {
      if (t > Number.MAX_SAFE_INTEGER) return Infinity
      const c = Number((BigInt(t) * cpu + tb - 1n) / tb)
      return c > Number.MAX_SAFE_INTEGER ? Infinity : c
    },
  }
}
