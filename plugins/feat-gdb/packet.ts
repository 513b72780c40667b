/**
 * The GDB Remote Serial Protocol's framing (GDB manual, Appendix E "Overview"): packets
 * `$<data>#<two hex digits>`, the checksum being the sum of the data's bytes modulo 256; `+`/`-`
 * acknowledgements; a lone 0x03 byte is an interrupt (Ctrl-C); binary data escapes `#`, `$`, `}`
 * and `*` as `}` followed by the byte XOR 0x20. Strings here are latin1: one char per byte.
 */

/** the most bytes of one packet's data we accept (PacketSize in qSupported, plus slack for an X packet's escapes) */
export const MAX_PACKET = 0x4000
const MAX_BUFFERED = 2 * MAX_PACKET + 16

export function checksum(data: string): number {
  let sum = 0
  for (let i = 0; i < data.length; i++) sum = (sum + data.charCodeAt(i)) & 0xff
  return sum
}

/** `$data#cs`, with the bytes that would end or confuse a packet escaped */
export function frame(data: string): string {
  const body = escape(data)
  return `$${body}#${checksum(body).toString(16).padStart(2, '0')}`
}

/** escape `#`, `$`, `}`, `*` (binary data and any reply that might hold them) */
export function escape(data: string): string {
  return data.replace(/[#$}*]/g, (c) => '}' + String.fromCharCode(c.charCodeAt(0) ^ 0x20))
}

/** undo `escape` (an X packet's binary data) */
export function unescape(data: string): string {
  let out = ''
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!
    if (c === '}' && i + 1 < data.length) out += String.fromCharCode(data.charCodeAt(++i) ^ 0x20)
    else out += c
  }
  return out
}

/** What arrives on the link, one item at a time. */
export type Incoming =
  | { kind: 'packet'; data: string }
  /** a packet whose checksum did not match (the sender is asked again with `-`) */
  | { kind: 'bad'; data: string }
  | { kind: 'ack' }
  | { kind: 'nack' }
  | { kind: 'interrupt' }

/**
 * Turns the byte stream into packets, acknowledgements and interrupts. Bytes outside a packet
 * that are none of those are skipped (line noise); a packet longer than MAX_PACKET is dropped
 * as bad, so a peer cannot make us buffer without bound.
 */
export class PacketReader {
  private buf = ''

  feed(chunk: string): Incoming[] {
    this.buf += chunk
    const out: Incoming[] = []
    for (;;) {
      const b = this.buf
      if (!b.length) break
      const c = b[0]!
      if (c !== '$') {
        if (c === '+') out.push({ kind: 'ack' })
        else if (c === '-') out.push({ kind: 'nack' })
        else if (c === '\x03') out.push({ kind: 'interrupt' })
        this.buf = b.slice(1)
        continue
      }
      const end = b.indexOf('#')
      if (end < 0) {
        // unfinished: keep it unless it has grown past any packet we accept
        if (b.length > MAX_BUFFERED) { out.push({ kind: 'bad', data: '' }); this.buf = '' }
        break
      }
      if (b.length < end + 3) break // the checksum digits are still to come
      const data = b.slice(1, end)
      const sum = b.slice(end + 1, end + 3)
      this.buf = b.slice(end + 3)
      const ok = /^[0-9a-fA-F]{2}$/.test(sum) && parseInt(sum, 16) === checksum(data) && data.length <= MAX_BUFFERED
      out.push(ok ? { kind: 'packet', data } : { kind: 'bad', data })
    }
    return out
  }
}

// ---- hex, as the protocol writes numbers and bytes ----

export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}

/** bytes from an even-length hex string; null when it is not one */
export function fromHex(s: string): Uint8Array | null {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** a hex number of at most 16 digits (a 64-bit address or length); null when it is not one */
export function hexNum(s: string | undefined): bigint | null {
  if (s === undefined || !/^[0-9a-fA-F]{1,16}$/.test(s)) return null
  return BigInt('0x' + s)
}

/** text as hex (qRcmd output, qThreadExtraInfo) */
export function textHex(text: string): string {
  return toHex(new TextEncoder().encode(text))
}
