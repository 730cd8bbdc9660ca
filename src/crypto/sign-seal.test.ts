import { describe, expect, it } from 'vitest'
import { OnsetError } from '../base/errors.ts'
import { deterministicBytes, generateIdentity, identityFromSeed } from './identity.ts'
import { openSealed, sealTo } from './seal.ts'
import { SIGN_DOMAINS, sign, verify } from './sign.ts'
import { ProductionSecrets, derive } from './secrets.ts'
import { CardId, ChunkId, PeerKey } from './ids.ts'

const seed = (n: number) => deterministicBytes(32, Buffer.alloc(32, n))

describe('signatures', () => {
  const id = identityFromSeed(seed(1))
  const payload = Buffer.from('peer P holds file F')

  it('verify accepts the signature for its own domain and payload', () => {
    expect(verify(id.publicKey, 'attestation', payload, sign(id, 'attestation', payload))).toBe(true)
  })

  it('a signature made for one domain never verifies for another', () => {
    for (const a of SIGN_DOMAINS) {
      const sig = sign(id, a, payload)
      for (const b of SIGN_DOMAINS) expect(verify(id.publicKey, b, payload, sig)).toBe(a === b)
    }
  })

  it('rejects another key, a changed payload and a flipped signature byte', () => {
    const sig = sign(id, 'invite', payload)
    expect(verify(identityFromSeed(seed(2)).publicKey, 'invite', payload, sig)).toBe(false)
    expect(verify(id.publicKey, 'invite', Buffer.from('peer P holds file G'), sig)).toBe(false)
    const bad = Buffer.from(sig); bad[10]! ^= 1
    expect(verify(id.publicKey, 'invite', payload, bad)).toBe(false)
    expect(verify(id.publicKey, 'invite', payload, sig.subarray(0, 63))).toBe(false)
  })

  it('refuses an unknown domain as a bug', () => {
    expect(() => sign(id, 'nope' as never, payload)).toThrow(/unknown signature domain/)
  })
})

describe('sealing secrets to a member', () => {
  const alice = generateIdentity()
  const bob = generateIdentity()
  const secret = deterministicBytes(32, Buffer.alloc(32, 7))

  it('round trips to the recipient', () => {
    expect(openSealed(alice, sealTo(alice.publicKey, secret)).equals(secret)).toBe(true)
  })

  it('the wrong recipient cannot open it', () => {
    const sealed = sealTo(alice.publicKey, secret)
    expect(() => openSealed(bob, sealed)).toThrow(OnsetError)
    try { openSealed(bob, sealed) } catch (e) { expect((e as OnsetError).code).toBe('SEAL_OPEN_FAILED') }
  })

  it('a flipped byte anywhere makes opening fail', () => {
    const sealed = sealTo(alice.publicKey, secret)
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed); bad[i]! ^= 0x01
      expect(() => openSealed(alice, bad)).toThrow(/cannot open sealed secret/)
    }
    expect(() => openSealed(alice, sealed.subarray(0, 20))).toThrow(/truncated/)
  })
})

describe('production secrets', () => {
  it('derives distinct keys per label and epoch', () => {
    const s = new ProductionSecrets(seed(3))
    const keys = [s.logKey, s.chunkIdKey, s.dataKey(0)].map((k) => k.toString('hex'))
    expect(new Set(keys).size).toBe(3)
    s.addEpoch(1, seed(4))
    expect(s.currentEpoch).toBe(1)
    expect(s.dataKey(1).equals(derive(seed(4), 'data-key'))).toBe(true)
    expect(s.dataKey(1).equals(s.dataKey(0))).toBe(false)
    expect(() => s.dataKey(2)).toThrow(/no secret/)
  })
})

describe('branded ids', () => {
  it('parse, format and shorten', () => {
    const k = generateIdentity().peerKey
    expect(PeerKey.parse(k.toUpperCase())).toBe(k)
    expect(PeerKey.short(k)).toHaveLength(8)
    expect(() => PeerKey.parse('abc')).toThrow(/not a peer key/)
    expect(() => ChunkId.parse('zz'.repeat(32))).toThrow(/not a chunk id/)
    expect(CardId.parse('A001')).toBe('A001')
    for (const bad of ['', '.hidden', 'a/b', 'x'.repeat(65), 'A 001']) expect(() => CardId.parse(bad)).toThrow(/not a card name/)
  })
})
