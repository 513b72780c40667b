/** An interrupt wire. Level-triggered: the source drives it, the sink sees every change. */
export interface IrqLine {
  set(level: boolean): void
}

/** A line that goes nowhere (an unwired output). */
export const NO_IRQ: IrqLine = { set() {} }

/** A line that calls `fn` on every change of level (edges only). */
export function irqLine(fn: (level: boolean) => void): IrqLine {
  let cur = false
  return {
    set(level: boolean) {
      if (level === cur) return
      cur = level
      fn(level)
    },
  }
}
