/**
 * A CPU's line entries (core/cpu/tlb.ts) while a cache model tracks lines (core/bus.ts
 * LineTracking): which load and store TLB entry holds each set's newest line, so that an access
 * touching a set drops the entry of another line there, and the hits translated code counted, to
 * report. Shared by the arch plugins: their slow paths call `keep` after an access the model
 * served, their CPUs register `touched` with the bus and call `report` at the end of a window.
 */
import type { LineTracking, MemoryBus } from '../bus.ts'
import type { Tlb } from './tlb.ts'

export class LineEntries {
  /** per set: the load / store TLB index + 1 of the entry there (0 none), and its line */
  private slotR = new Int32Array(0)
  private slotW = new Int32Array(0)
  private lineR = new Float64Array(0)
  private lineW = new Float64Array(0)

  constructor(private readonly tlb: Tlb, private readonly bus: MemoryBus, private readonly cpu: number) {
    // hits are reported before every flush, while the context that made them is still the current one
    tlb.onFlush = () => this.report()
    bus.onLineTouched(cpu, (set, line) => this.touched(set, line))
  }

  /** Keep a line entry for the access just served at physical `pa` (arena offset `ro`): its line is now the newest of its set. */
  keep(store: boolean, lo: number, hi: number, pa: number, ro: number, lt: LineTracking): void {
    if (this.slotR.length !== lt.sets) {
      this.slotR = new Int32Array(lt.sets); this.slotW = new Int32Array(lt.sets)
      this.lineR = new Float64Array(lt.sets); this.lineW = new Float64Array(lt.sets)
    }
    const line = Math.floor(pa / lt.lineBytes), set = line % lt.sets
    const t = store ? this.tlb.w : this.tlb.r, slots = store ? this.slotW : this.slotR
    const slot = this.tlb.fillLine(t, lo, hi, 31 - Math.clz32(lt.lineBytes), ro - (ro & (lt.lineBytes - 1)))
    // one entry per set and kind (another virtual address of the same line replaces the first),
    // so `touched` finds every entry a touch of the set makes stale
    const old = slots[set]!
    if (old !== 0 && old - 1 !== slot) this.tlb.drop(t, old - 1)
    slots[set] = slot + 1
    ;(store ? this.lineW : this.lineR)[set] = line
  }

  /** An access of this CPU touched `line` of `set`: another line's entry there is no longer the newest of the set. */
  private touched(set: number, line: number): void {
    if (set >= this.slotR.length) return
    const r = this.slotR[set]!, w = this.slotW[set]!
    if (r !== 0 && this.lineR[set] !== line) { this.tlb.drop(this.tlb.r, r - 1); this.slotR[set] = 0 }
    if (w !== 0 && this.lineW[set] !== line) { this.tlb.drop(this.tlb.w, w - 1); this.slotW[set] = 0 }
  }

  /** Tell the model of the hits translated code counted since the last report. */
  report(): void {
    const n = this.tlb.lineHits[0]!
    if (n === 0) return
    this.tlb.lineHits[0] = 0
    this.bus.reportLineHits(this.cpu, n)
  }
}
