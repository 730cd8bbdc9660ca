/**
 * The control protocol: how `onset dash`, `onset status`, `onset offload` … talk to a running
 * peer over its local socket (`<data>/control.sock`, owner-only). Documented in docs/control.md.
 *
 * Framing: newline-delimited JSON, UTF-8, at most MAX_LINE bytes a line.
 *
 *   client → server  {"v":1,"id":<n>,"method":"<name>","params":{…}}
 *   server → client  {"v":1,"id":<n>,"result":…}
 *                    {"v":1,"id":<n>,"error":{"code":"<ErrorCode>","message":"…","hint":"…"}}
 *                    {"v":1,"event":{"seq":n,"type":"…","payload":…}}   after "subscribe"
 *
 * The first request of every connection must be `hello` with `{"protocol":1}`; a server that
 * speaks another version answers with error PROTOCOL_MISMATCH naming both versions, and closes.
 */
import { OnsetError, type ErrorCode } from '../../base/errors.ts'

export const CONTROL_PROTOCOL = 1
export const MAX_LINE = 4 * 1024 * 1024

export interface Request {
  v: number
  id: number
  method: string
  params?: unknown
}

export interface ErrorBody {
  code: ErrorCode | 'INTERNAL'
  message: string
  hint?: string
}

export type Response =
  | { v: number, id: number, result: unknown }
  | { v: number, id: number, error: ErrorBody }
  | { v: number, event: { seq: number, type: string, payload: unknown } }

/** Parse one request line; anything malformed is a MALFORMED OnsetError, never a crash. */
export function parseRequest(line: string): Request {
  let v: unknown
  try { v = JSON.parse(line) } catch { throw new OnsetError('MALFORMED', 'control request is not JSON') }
  const r = v as Partial<Request>
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new OnsetError('MALFORMED', 'control request is not an object')
  if (typeof r.v !== 'number') throw new OnsetError('MALFORMED', 'control request has no protocol version "v"')
  if (typeof r.id !== 'number' || !Number.isSafeInteger(r.id)) throw new OnsetError('MALFORMED', 'control request has no numeric "id"')
  if (typeof r.method !== 'string' || r.method.length === 0 || r.method.length > 64) throw new OnsetError('MALFORMED', 'control request has no "method"')
  return { v: r.v, id: r.id, method: r.method, params: r.params }
}

export function parseResponse(line: string): Response {
  let v: unknown
  try { v = JSON.parse(line) } catch { throw new OnsetError('MALFORMED', 'control response is not JSON') }
  if (typeof v !== 'object' || v === null) throw new OnsetError('MALFORMED', 'control response is not an object')
  return v as Response
}

/** Split a byte stream into lines, refusing any line longer than MAX_LINE. */
export class LineSplitter {
  private buf = ''
  private readonly onLine: (line: string) => void

  constructor(onLine: (line: string) => void) {
    this.onLine = onLine
  }

  push(chunk: string): void {
    this.buf += chunk
    let i: number
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i)
      this.buf = this.buf.slice(i + 1)
      if (line.trim().length > 0) this.onLine(line)
    }
    if (this.buf.length > MAX_LINE) {
      this.buf = ''
      throw new OnsetError('MALFORMED', `control line longer than ${MAX_LINE} bytes`)
    }
  }
}
