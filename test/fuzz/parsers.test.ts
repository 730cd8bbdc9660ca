// Seeded property-based fuzzing of every parser that reads outside input. Each property says:
// whatever the input, the parser returns a value or throws a coded OnsetError (or returns its
// "rejected" form) — never another exception, never a hang — and a valid input survives.
// Counts scale with ONSET_FULL=1. Colocated fuzz already covers decodeEvent on random values and
// single-field mutants (src/log/codec.test.ts) and invite tokens on random strings/bytes
// (src/replicate/invite.test.ts); this adds the byte/text level and the remaining parsers.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OnsetError } from '../../src/base/errors.ts'
import { generateIdentity } from '../../src/crypto/identity.ts'
import { ProductionKey } from '../../src/crypto/ids.ts'
import { openKeyFileBytes, sealKeyFile } from '../../src/crypto/keyfile.ts'
import { decodeEvent } from '../../src/log/events.ts'
import { c4OfBytes, chainXml } from '../../src/media/mhl/chain.ts'
import { readHistory } from '../../src/media/mhl/history.ts'
import { LineSplitter, MAX_LINE, parseRequest } from '../../src/peer/control/protocol.ts'
import { createInvite, parseInvite } from '../../src/replicate/invite.ts'
import { parseAttest, parseHello, parseJoin } from '../../src/replicate/wire.ts'
import { scale, tmpDir } from '../reliability/helpers.ts'

let dir: string
beforeAll(async () => { dir = await tmpDir('fuzz') })
afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }) })

/** Runs f; a thrown error must be a coded OnsetError. Returns the error code or 'ok'. */
function coded(f: () => unknown): string {
  try { f(); return 'ok' } catch (e) {
    if (!(e instanceof OnsetError)) throw new Error(`not a coded error: ${(e as Error)?.stack ?? String(e)}`)
    expect(e.message.length).toBeGreaterThan(0)
    expect(e.message).not.toMatch(/\n\s+at /)
    return e.code
  }
}
async function codedAsync(f: () => Promise<unknown>): Promise<string> {
  try { await f(); return 'ok' } catch (e) {
    if (!(e instanceof OnsetError)) throw new Error(`not a coded error: ${(e as Error)?.stack ?? String(e)}`)
    expect(e.message.length).toBeGreaterThan(0)
    return e.code
  }
}

/** A byte-level mutation: flip, insert, delete, truncate, or splice a random run. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
)
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never
function mutate(b: Buffer, ms: Mutation[]): Buffer {
  let x = Buffer.from(b)
  for (const m of ms) {
    const at = x.length ? m.at % x.length : 0
    if (m.op === 'flip') { if (x.length) x[at] = x[at]! ^ (1 << m.bit) }
    else if (m.op === 'set') { if (x.length) x[at] = m.byte }
    else if (m.op === 'insert') x = Buffer.concat([x.subarray(0, at), Buffer.from(m.bytes), x.subarray(at)])
    else if (m.op === 'delete') x = Buffer.concat([x.subarray(0, at), x.subarray(at + m.n)])
    else x = x.subarray(0, at)
  }
  return x
}
const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 })

describe('custody events at the byte level (decodeEvent after JSON.parse of stored bytes)', () => {
  const valid = { v: 1, type: 'file.recorded', at: 5, card: 'A001', path: 'Clips/A001C001.mxf', size: 3, mtime: 1, hashes: { xxh64: '584b2ea1974f2b7c', xxh128: '61a67c014f703a456ee7a776fd8c06bd' }, chunks: { cores: ['ab'.repeat(32)], list: [['cd'.repeat(32), 0, 7, 3]] }, epoch: 0 }
  it('mutated encodings are rejected with a reason or decode to a well-typed event (seeded)', () => {
    const bytes = Buffer.from(JSON.stringify(valid))
    fc.assert(fc.property(mutations, (ms) => {
      let v: unknown
      try { v = JSON.parse(mutate(bytes, ms).toString('utf8')) } catch { return }
      const d = decodeEvent(v)
      if (d.ok) { expect(d.event.type).toBeTypeOf('string'); expect(Number.isFinite(d.event.at)).toBe(true) } else expect(d.reason).toMatch(/\w/)
    }), { seed: 11, numRuns: scale(2000, 30_000) })
  })
  it('prototype keys and deep nesting neither crash nor pollute', () => {
    for (const text of ['{"__proto__":{"polluted":1},"v":1,"type":"alert.raised","at":1}', '{"constructor":{"prototype":{"polluted":1}},"v":1,"type":"note.changed","at":1}', '['.repeat(5000) + ']'.repeat(5000), '{"v":1,"type":"file.recorded","at":1e308,"size":-0}']) {
      const d = decodeEvent(JSON.parse(text))
      expect(d.ok).toBe(false)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('invite tokens: mutated valid tokens', () => {
  it('any mutation of a valid token is refused as TOKEN_INVALID or parses to the very same token (seeded)', () => {
    const admin = generateIdentity()
    const { token, invite } = createInvite(admin, { production: ProductionKey.parse('ab'.repeat(32)), role: 'lab', expiresAt: 4_000_000_000_000, name: 'lab' })
    const bytes = Buffer.from(token)
    fc.assert(fc.property(mutations, (ms) => {
      const t = mutate(bytes, ms).toString('latin1')
      let got
      const code = coded(() => { got = parseInvite(t) })
      if (code === 'ok') expect(got).toEqual(invite) // only benign changes (e.g. trailing whitespace) may pass
      else expect(code).toMatch(/^TOKEN_/)
    }), { seed: 12, numRuns: scale(2000, 30_000) })
  })
})

describe('key files', () => {
  it('random bytes and mutated key files (unprotected and sealed) are refused with a key-material error, never accepted altered (seeded)', async () => {
    const identity = generateIdentity()
    const plain = await sealKeyFile({ identity, productions: [] }, null)
    const sealed = await sealKeyFile({ identity, productions: [] }, 'pass', { kdf: 'interactive' })
    const file = path.join(dir, 'x.key')
    const allowed = /^(KEYFILE_CORRUPT|KEYFILE_VERSION|WRONG_PASSPHRASE|NO_PASSPHRASE_SOURCE|MALFORMED)$/
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (u) => {
      const code = await codedAsync(() => openKeyFileBytes(file, Buffer.from(u), 'pass'))
      expect(code).toMatch(allowed)
    }), { seed: 21, numRuns: scale(500, 5000) })
    await fc.assert(fc.asyncProperty(mutations, async (ms) => {
      const m = mutate(plain, ms)
      let got
      const code = await codedAsync(async () => { got = await openKeyFileBytes(file, m, undefined) })
      if (code === 'ok') expect(got!.identity.peerKey).toBe(identity.peerKey)
      else expect(code).toMatch(allowed)
    }), { seed: 22, numRuns: scale(1000, 10_000) })
    // sealed: each try runs Argon2id (interactive cost) when the envelope parses, so fewer runs
    await fc.assert(fc.asyncProperty(mutations, async (ms) => {
      const m = mutate(sealed, ms)
      let got
      const code = await codedAsync(async () => { got = await openKeyFileBytes(file, m, 'pass') })
      if (code === 'ok') expect(got!.identity.peerKey).toBe(identity.peerKey)
      else expect(code).toMatch(allowed)
    }), { seed: 23, numRuns: scale(30, 400) })
  }, 300_000)
})

describe('ASC MHL histories', () => {
  const sample = path.resolve('test/fixtures/ascmhl/samples/scenario_03/file_server/A002R2EC/ascmhl')
  it('mutated generation files (re-chained, so the parser sees them) and mutated chains give MHL_INVALID / TAMPERED, never a crash (seeded)', async () => {
    const names = (await fs.readdir(sample)).filter((n) => n.endsWith('.mhl')).sort()
    const gens = await Promise.all(names.map((n) => fs.readFile(path.join(sample, n))))
    const chainBytes = await fs.readFile(path.join(sample, 'ascmhl_chain.xml'))
    let i = 0
    const codes = new Map<string, number>()
    await fc.assert(fc.asyncProperty(fc.nat(), mutations, fc.boolean(), async (which, ms, rechain) => {
      const root = path.join(dir, 'mhl', String(i++))
      await fs.mkdir(path.join(root, 'ascmhl'), { recursive: true })
      const g = which % (gens.length + 1)
      const files = gens.map((b, j) => (j === g ? mutate(b, ms) : b))
      for (const [j, n] of names.entries()) await fs.writeFile(path.join(root, 'ascmhl', n), files[j]!)
      const chain = g === gens.length ? mutate(chainBytes, ms) : rechain ? Buffer.from(chainXml(names.map((n, j) => ({ sequencenr: j + 1, path: n, c4: c4OfBytes(files[j]!) })))) : chainBytes
      await fs.writeFile(path.join(root, 'ascmhl', 'ascmhl_chain.xml'), chain)
      const code = await codedAsync(() => readHistory(root))
      codes.set(code, (codes.get(code) ?? 0) + 1)
      expect(code).toMatch(/^(ok|MHL_INVALID|TAMPERED|UNREADABLE)$/)
      await fs.rm(root, { recursive: true, force: true })
    }), { seed: 31, numRuns: scale(60, 1500) })
    expect(codes.get('MHL_INVALID')).toBeGreaterThan(0)
    expect(codes.get('TAMPERED')).toBeGreaterThan(0)
  }, 300_000)
})

describe('ASC MHL: the case the fuzzer found', () => {
  it('a chain whose XML declaration has a flipped bit (version="1.0# …) is MHL_INVALID, not a parser exception', async () => {
    const root = path.join(dir, 'pi')
    await fs.mkdir(path.join(root, 'ascmhl'), { recursive: true })
    const chain = await fs.readFile(path.resolve('test/fixtures/ascmhl/samples/scenario_03/file_server/A002R2EC/ascmhl/ascmhl_chain.xml'))
    chain[18] = chain[18]! ^ 1 // seed 31's counterexample: '"' becomes '#'
    await fs.writeFile(path.join(root, 'ascmhl', 'ascmhl_chain.xml'), chain)
    expect(await codedAsync(() => readHistory(root))).toBe('MHL_INVALID')
  })
})

describe('control API messages', () => {
  it('random lines give MALFORMED or a well-formed request (seeded)', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.json({ maxDepth: 4 }), fc.anything().map((x) => { try { return JSON.stringify(x) ?? '' } catch { return '' } })), (line) => {
      let r
      const code = coded(() => { r = parseRequest(line) })
      if (code === 'ok') { expect(Number.isSafeInteger(r!.id)).toBe(true); expect(r!.method.length).toBeGreaterThan(0) } else expect(code).toBe('MALFORMED')
    }), { seed: 41, numRuns: scale(3000, 30_000) })
  })
  it('the line splitter reassembles any chunking and refuses an endless line with bounded memory (seeded)', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 40 }).map((s) => s.replace(/\n/g, '')), { maxLength: 20 }), fc.array(fc.nat({ max: 50 }), { maxLength: 30 }), (lines, cuts) => {
      const text = lines.map((l) => l + '\n').join('')
      const got: string[] = []
      const sp = new LineSplitter((l) => got.push(l))
      let at = 0
      for (const c of cuts) { sp.push(text.slice(at, at + c)); at += c }
      sp.push(text.slice(at))
      expect(got).toEqual(lines.filter((l) => l.trim().length > 0))
    }), { seed: 42, numRuns: scale(1000, 10_000) })
    const sp = new LineSplitter(() => {})
    const piece = 'x'.repeat(1 << 20)
    let code = 'ok'
    for (let i = 0; i < 8 && code === 'ok'; i++) code = coded(() => sp.push(piece))
    expect(code).toBe('MALFORMED')
    expect(MAX_LINE).toBeLessThanOrEqual(8 << 20)
  })
})

describe('replication wire messages', () => {
  const hello = { v: 1, role: 'lab', binding: { peer: 'ab'.repeat(32), writer: 'cd'.repeat(32), sig: 'ef'.repeat(64) }, cores: ['01'.repeat(32), '02'.repeat(32)] }
  const join = { token: { production: 'ab'.repeat(32), issuer: 'cd'.repeat(32), role: 'lab', expiresAt: 5, name: 'x', inviteKey: 'ef'.repeat(32), signature: '12'.repeat(64) }, proof: '34'.repeat(64) }
  it('accept the valid forms', () => {
    expect(parseHello(hello)).toEqual(hello)
    expect(parseJoin(join)).toEqual(join)
    expect(parseAttest({ attestation: 'x' })).toEqual({ attestation: 'x' })
  })
  it('random values, mutated JSON and oversized fields give null (refused), never a throw (seeded)', () => {
    fc.assert(fc.property(fc.anything(), (v) => {
      expect(() => { parseHello(v); parseJoin(v); parseAttest(v) }).not.toThrow()
    }), { seed: 51, numRuns: scale(3000, 30_000) })
    for (const [valid, parse] of [[hello, parseHello], [join, parseJoin]] as const) {
      const bytes = Buffer.from(JSON.stringify(valid))
      fc.assert(fc.property(mutations, (ms) => {
        let v: unknown
        try { v = JSON.parse(mutate(bytes, ms).toString('utf8')) } catch { return }
        const r = (parse as (x: unknown) => unknown)(v)
        if (r !== null) expect(r).toEqual(v) // accepted only if still of the exact form
      }), { seed: 52, numRuns: scale(2000, 20_000) })
    }
    expect(parseHello({ ...hello, cores: Array.from({ length: 4097 }, () => '01'.repeat(32)) })).toBeNull()
    expect(parseJoin({ ...join, token: { ...join.token, name: 'n'.repeat(201) } })).toBeNull()
    expect(parseAttest({ attestation: 'a'.repeat(8192) })).toBeNull()
  })
})
