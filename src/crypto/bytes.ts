/** Small byte helpers shared by the crypto module. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

export function fromHex(s: string): Buffer {
  return Buffer.from(s, 'hex')
}

export function isHex(s: string, bytes: number): boolean {
  return s.length === bytes * 2 && /^[0-9a-f]+$/.test(s)
}

export function toBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
}

export function fromBase64(s: string): Buffer {
  return Buffer.from(s, 'base64')
}

export function concat(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)))
}

/** Big-endian u64 from a bigint or safe integer. */
export function u64be(n: number | bigint): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}

export function u32be(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

/** A length-prefixed (u32 BE) field: the building block of every signed byte layout. */
export function lp(b: Uint8Array | string): Buffer {
  const body = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  return Buffer.concat([u32be(body.length), body])
}
