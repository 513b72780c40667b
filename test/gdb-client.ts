/**
 * A small GDB Remote Serial Protocol client for the stub's tests: its own framing (not the
 * stub's codec, so the two check each other), acknowledgements counted, replies checked
 * against their checksums.
 */
import { connect, type Socket } from 'node:net'

export function sum(data: string): string {
  let s = 0
  for (let i = 0; i < data.length; i++) s = (s + data.charCodeAt(i)) & 0xff
  return s.toString(16).padStart(2, '0')
}

export const framed = (data: string): string => `$${data}#${sum(data)}`

export class RspClient {
  private buf = ''
  private waiters: (() => void)[] = []
  /** '+' and '-' the stub sent */
  acks = 0
  nacks = 0
  /** replies whose checksum did not match */
  badReplies = 0
  closed = false
  /** packets received, unescaped but for `}` (binary replies keep their escapes) */
  private packets: string[] = []
  noAck = false

  private constructor(readonly sock: Socket) {
    sock.setNoDelay(true)
    sock.on('data', (d: Buffer) => { this.buf += d.toString('latin1'); this.parse(); this.wake() })
    sock.on('close', () => { this.closed = true; this.wake() })
    sock.on('error', () => { this.closed = true; this.wake() })
  }

  static connect(port: number): Promise<RspClient> {
    return new Promise((res, rej) => {
      const s = connect(port, '127.0.0.1', () => res(new RspClient(s)))
      s.once('error', rej)
    })
  }

  private wake(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  private parse(): void {
    for (;;) {
      const b = this.buf
      if (!b.length) return
      if (b[0] === '+') { this.acks++; this.buf = b.slice(1); continue }
      if (b[0] === '-') { this.nacks++; this.buf = b.slice(1); continue }
      if (b[0] !== '$') { this.buf = b.slice(1); continue }
      const end = b.indexOf('#')
      if (end < 0 || b.length < end + 3) return
      const data = b.slice(1, end)
      if (b.slice(end + 1, end + 3) !== sum(data)) this.badReplies++
      this.buf = b.slice(end + 3)
      this.packets.push(data)
      if (!this.noAck) this.sock.write('+')
    }
  }

  /** bytes as they are (no framing) */
  raw(s: string): void {
    this.sock.write(s, 'latin1')
  }

  send(data: string): void {
    this.raw(framed(data))
  }

  /** the next packet, within `ms` */
  async next(ms = 5000): Promise<string> {
    const end = Date.now() + ms
    while (!this.packets.length) {
      if (this.closed) throw new Error('connection closed')
      const left = end - Date.now()
      if (left <= 0) throw new Error('no reply')
      await new Promise<void>((res) => {
        const t = setTimeout(res, left)
        this.waiters.push(() => { clearTimeout(t); res() })
      })
    }
    return this.packets.shift()!
  }

  /** whether a packet arrives within `ms` (it stays queued) */
  async pending(ms: number): Promise<boolean> {
    if (this.packets.length) return true
    await new Promise((res) => setTimeout(res, ms))
    return this.packets.length > 0
  }

  async request(data: string, ms?: number): Promise<string> {
    this.send(data)
    return this.next(ms)
  }

  close(): Promise<void> {
    return new Promise((res) => {
      if (this.closed) { res(); return }
      this.sock.once('close', () => res())
      this.sock.end()
    })
  }
}

/** little-endian hex of `v` in `n` bytes (register values) */
export function leHex(v: bigint, n: number): string {
  let s = ''
  for (let i = 0; i < n; i++) s += ((v >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0')
  return s
}

/** a little-endian hex register value as a number */
export function fromLeHex(s: string): bigint {
  let v = 0n
  for (let i = s.length - 2; i >= 0; i -= 2) v = (v << 8n) | BigInt(parseInt(s.slice(i, i + 2), 16))
  return v
}
