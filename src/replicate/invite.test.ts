import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OnsetError } from '../base/errors.ts'
import { generateIdentity, randomBytes } from '../crypto/identity.ts'
import { ProductionKey } from '../crypto/ids.ts'
import { checkInviteFresh, checkInviteProduction, createInvite, makeJoinProof, parseDuration, parseInvite, verifyJoinRequest } from './invite.ts'

const admin = generateIdentity()
const production = ProductionKey.fromBytes(randomBytes(32))
const now = 1_790_000_000_000

function code(fn: () => unknown): string {
  try { fn() } catch (e) { expect(e).toBeInstanceOf(OnsetError); return (e as OnsetError).code }
  return 'NO_ERROR'
}

describe('invite tokens', () => {
  it('round trip with every field, and carry no production secret', () => {
    const { token, invite } = createInvite(admin, { production, role: 'post', expiresAt: now + 3_600_000, name: 'Nachtschicht — Ep. 3' })
    const t = parseInvite(token)
    expect(t.production).toBe(production)
    expect(t.issuer).toBe(admin.peerKey)
    expect(t.role).toBe('post')
    expect(t.expiresAt).toBe(now + 3_600_000)
    expect(t.name).toBe('Nachtschicht — Ep. 3')
    expect(t.seed.equals(invite.seed)).toBe(true)
    expect(token.length).toBeLessThan(300)
  })

  it('expired and wrong-production tokens are refused with clear errors', () => {
    const { token } = createInvite(admin, { production, role: 'lab', expiresAt: now, name: 'x' })
    const t = parseInvite(token)
    expect(code(() => checkInviteFresh(t, now))).toBe('TOKEN_EXPIRED')
    expect(code(() => checkInviteFresh(t, now - 1))).toBe('NO_ERROR')
    expect(code(() => checkInviteProduction(t, ProductionKey.fromBytes(randomBytes(32))))).toBe('TOKEN_INVALID')
  })

  it('a forged token (any changed byte, or signed by a non-issuer) is refused', () => {
    const { token } = createInvite(admin, { production, role: 'post', expiresAt: now + 1000, name: 'prod' })
    const raw = Buffer.from(token.slice('onset-invite-v1.'.length), 'base64url')
    // every byte except the seed (which changes the invite key, so the signature fails too)
    for (let i = 0; i < raw.length; i++) {
      const b = Buffer.from(raw); b[i]! ^= 0x04
      expect(code(() => parseInvite('onset-invite-v1.' + b.toString('base64url')))).toBe('TOKEN_INVALID')
    }
    // role escalation: post → admin, re-encoded
    const esc = Buffer.from(raw); esc[65] = 0
    expect(() => parseInvite('onset-invite-v1.' + esc.toString('base64url'))).toThrow(/signature does not verify/)
  })

  it('truncated, garbage and other-version tokens give TOKEN_INVALID, never a crash (seeded fuzz)', () => {
    const { token } = createInvite(admin, { production, role: 'vault', expiresAt: now + 1000, name: 'p' })
    for (const cut of [0, 10, 17, 40, token.length - 1]) expect(code(() => parseInvite(token.slice(0, cut)))).toBe('TOKEN_INVALID')
    expect(parseInvite.bind(null, 'onset-invite-v2.AAAA')).toThrow(/another onset version/)
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => {
      expect(code(() => parseInvite(s))).toBe('TOKEN_INVALID')
    }), { seed: 42, numRuns: 500 })
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (u) => {
      expect(code(() => parseInvite('onset-invite-v1.' + Buffer.from(u).toString('base64url')))).toBe('TOKEN_INVALID')
    }), { seed: 43, numRuns: 500 })
  })

  it('join proofs bind the invite secret to the joiner and this connection', () => {
    const { invite } = createInvite(admin, { production, role: 'post', expiresAt: now + 1000, name: 'p' })
    const joiner = generateIdentity()
    const hs = randomBytes(64)
    const { seed: _seed, ...token } = invite
    const proof = makeJoinProof(invite, joiner.peerKey, hs)
    expect(code(() => verifyJoinRequest({ token, proof }, joiner.peerKey, hs))).toBe('NO_ERROR')
    expect(code(() => verifyJoinRequest({ token, proof }, generateIdentity().peerKey, hs))).toBe('TOKEN_INVALID') // replayed by another peer
    expect(code(() => verifyJoinRequest({ token, proof }, joiner.peerKey, randomBytes(64)))).toBe('TOKEN_INVALID') // replayed on another connection
    const other = createInvite(admin, { production, role: 'post', expiresAt: now + 1000, name: 'p' }).invite
    expect(code(() => verifyJoinRequest({ token, proof: makeJoinProof(other, joiner.peerKey, hs) }, joiner.peerKey, hs))).toBe('TOKEN_INVALID')
  })

  it('durations', () => {
    expect(parseDuration('48h')).toBe(48 * 3_600_000)
    expect(parseDuration('7d')).toBe(7 * 86_400_000)
    expect(code(() => parseDuration('soon'))).toBe('BAD_ARGUMENT')
    expect(code(() => parseDuration('0h'))).toBe('BAD_ARGUMENT')
  })
})
