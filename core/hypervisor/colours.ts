/**
 * Cache colouring maths (reference §5; Bao/CROSSCON `src/core/cache.c`): the cache geometry gives
 * COLOR_SIZE (pages per colour chunk) and COLOR_NUM; a page's colour is its chunk number modulo
 * COLOR_NUM. Colour bitmaps are bigint because configs carry them as u64.
 */

export const PAGE_SIZE = 4096

export interface CacheLevel {
  sizeBytes: number
  ways: number
  lineBytes: number
  /** absent = PIPT (§5.1.1: data and unified caches are taken as PIPT) */
  indexing?: 'PIPT' | 'VIPT'
}

export interface CacheDesc {
  llc?: CacheLevel
  l1d?: CacheLevel
  l1i?: CacheLevel
}

export interface ColourGeometry {
  /** COLOR_SIZE: pages per colour chunk */
  colorSize: number
  /** COLOR_NUM */
  colorNum: number
  /** COLOR_SIZE × COLOR_NUM: the colour pattern repeats every this many pages */
  pagesPerPeriod: number
}

/** sets × line = size / ways */
function waySize(c: CacheLevel): number {
  return Math.floor(c.sizeBytes / c.ways)
}

export function colourGeometry(c: CacheDesc | undefined): ColourGeometry {
  const llc = c?.llc
  // §5.1.2: colouring only when the LLC is unified and PIPT; otherwise one colour
  if (!llc || llc.indexing === 'VIPT' || !(llc.ways > 0)) return geometry(1, 1)
  const llcWay = waySize(llc)
  let l1Way = c.l1d && c.l1d.ways > 0 ? waySize(c.l1d) : 0
  // §5.1.3: a PIPT I-cache's way replaces the D way when D is PIPT (always, §5.1.1) or I-way < D-way,
  // so with D taken as PIPT any PIPT I-cache decides
  if (c.l1i && c.l1i.ways > 0 && (c.l1i.indexing ?? 'PIPT') === 'PIPT') l1Way = waySize(c.l1i)
  const colorSize = Math.max(1, Math.floor(l1Way / PAGE_SIZE))
  const colorNum = Math.max(1, Math.floor(Math.floor(llcWay / PAGE_SIZE) / colorSize))
  return geometry(colorSize, colorNum)
}

function geometry(colorSize: number, colorNum: number): ColourGeometry {
  return { colorSize, colorNum, pagesPerPeriod: colorSize * colorNum }
}

/** §5.1.5: (p / COLOR_SIZE) mod COLOR_NUM with p = PA >> 12 — by division, PAs pass 2^32 */
export function pageColour(pa: number, g: ColourGeometry): number {
  return Math.floor(Math.floor(pa / PAGE_SIZE) / g.colorSize) % g.colorNum
}

function colourMask(g: ColourGeometry): bigint {
  return (1n << BigInt(g.colorNum)) - 1n
}

/** §5.2 `all_clrs`: 0 or every one of the COLOR_NUM low bits set means uncoloured */
export function allColours(colors: bigint, g: ColourGeometry): boolean {
  const mask = colourMask(g)
  // bits at or above COLOR_NUM are truncated (§2.2 vm_config.colors) before the test
  const c = colors & mask
  return c === 0n || c === mask
}

/** the colours set in `colors`, ascending, truncated to COLOR_NUM */
export function colourList(colors: bigint, g: ColourGeometry): number[] {
  const out: number[] = []
  for (let i = 0; i < g.colorNum; i++) if ((colors >> BigInt(i)) & 1n) out.push(i)
  return out
}
