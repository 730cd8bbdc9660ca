/**
 * Invite tokens: how a new peer (a lab, a post house, a vault) joins a production without any
 * production secret ever travelling in the token.
 *
 * Text form: `onset-invite-v1.` + base64url(bytes). Bytes (all integers big-endian):
 *
 *   u8   version (1)
 *   32   production key
 *   32   issuer: the admin's peer key
 *   u8   role: 0 admin, 1 dit, 2 lab, 3 post, 4 vault
 *   u64  expires at (ms since the epoch)
 *   u8   name length n (≤ 120), then n bytes of UTF-8: the production's name, for the joiner's eyes
 *   32   invite seed: the one-time secret. Its Ed25519 key pair is the invite's key; the public
 *        half is the invite id
 *   64   signature by the issuer, domain "invite", over the signed layout below
 *
 * Signed layout (domain "invite"): version || production || issuer || role || expires ||
 * invite public key || n || name. The seed itself is never signed or sent to anyone but the joiner.
 *
 * Joining: the joiner connects and sends a join request carrying the token WITHOUT the seed plus
 * a proof: an Ed25519 signature by the invite key pair, domain "join-proof", over
 * production || joiner peer key || the Noise handshake hash of this connection. An admin peer
 * checks the issuer's signature, that the issuer is an admin, that the invite is not expired and
 * not used (the view records each invite id an admission used), and the proof; it then appends
 * `member.admitted` (secrets sealed to the joiner) and sends the joiner its sealed secrets.
 */
import { OnsetError } from '../base/errors.ts'
import { concat, u64be } from '../crypto/bytes.ts'
import { identityFromSeed, randomBytes, type Identity } from '../crypto/identity.ts'
import { PeerKey, ProductionKey } from '../crypto/ids.ts'
import { sign, verify } from '../crypto/sign.ts'

export const INVITE_ROLES = ['admin', 'dit', 'lab', 'post', 'vault'] as const
export type InviteRole = (typeof INVITE_ROLES)[number]
const PREFIX = 'onset-invite-v1.'
const VERSION = 1
const MAX_NAME = 120

export interface InviteToken {
  production: ProductionKey
  issuer: PeerKey
  role: InviteRole
  expiresAt: number
  name: string
  /** the invite's public key = its id */
  inviteKey: Buffer
  signature: Buffer
}

export interface SecretInvite extends InviteToken {
  seed: Buffer
}

function signedLayout(t: Omit<InviteToken, 'signature'>): Buffer {
  const name = Buffer.from(t.name, 'utf8')
  return concat([
    Buffer.from([VERSION]), ProductionKey.toBytes(t.production), PeerKey.toBytes(t.issuer),
    Buffer.from([INVITE_ROLES.indexOf(t.role)]), u64be(t.expiresAt), t.inviteKey, Buffer.from([name.length]), name,
  ])
}

export function createInvite(admin: Identity, o: { production: ProductionKey, role: InviteRole, expiresAt: number, name: string }): { token: string, invite: SecretInvite } {
  const name = truncateUtf8(o.name, MAX_NAME)
  const seed = randomBytes(32)
  const inviteKey = identityFromSeed(seed).publicKey
  const base = { production: o.production, issuer: admin.peerKey, role: o.role, expiresAt: o.expiresAt, name, inviteKey }
  const signature = sign(admin, 'invite', signedLayout(base))
  const invite: SecretInvite = { ...base, signature, seed }
  return { token: formatInvite(invite), invite }
}

function truncateUtf8(s: string, max: number): string {
  let b = Buffer.from(s, 'utf8')
  if (b.length <= max) return s
  b = b.subarray(0, max)
  return b.toString('utf8').replace(/\uFFFD+$/, '')
}

export function formatInvite(i: SecretInvite): string {
  const name = Buffer.from(i.name, 'utf8')
  const bytes = concat([
    Buffer.from([VERSION]), ProductionKey.toBytes(i.production), PeerKey.toBytes(i.issuer),
    Buffer.from([INVITE_ROLES.indexOf(i.role)]), u64be(i.expiresAt), Buffer.from([name.length]), name, i.seed, i.signature,
  ])
  return PREFIX + bytes.toString('base64url')
}

const bad = (why: string) => new OnsetError('TOKEN_INVALID', `invalid invite token: ${why}`, { hint: 'ask the production admin for a new one with `onset invite`' })

/** Parse and check the token's own integrity (signature). Expiry and use are checked separately. */
export function parseInvite(text: string): SecretInvite {
  const s = text.trim()
  if (!s.startsWith(PREFIX)) throw bad(s.startsWith('onset-invite-v') ? 'it is from another onset version' : 'it does not start with "onset-invite-v1."')
  const body = s.slice(PREFIX.length)
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw bad('it contains characters that are not base64url (was it cut or wrapped?)')
  const b = Buffer.from(body, 'base64url')
  const fixed = 1 + 32 + 32 + 1 + 8 + 1
  if (b.length < fixed) throw bad('it is truncated')
  if (b[0] !== VERSION) throw bad(`unknown token version ${b[0]}`)
  const roleCode = b[65]!
  const role = INVITE_ROLES[roleCode]
  if (!role) throw bad(`unknown role code ${roleCode}`)
  const nameLen = b[74]!
  if (nameLen > MAX_NAME) throw bad('the production name is too long')
  if (b.length !== fixed + nameLen + 32 + 64) throw bad(b.length < fixed + nameLen + 96 ? 'it is truncated' : 'it has trailing bytes')
  const name = b.subarray(75, 75 + nameLen).toString('utf8')
  const seed = Buffer.from(b.subarray(75 + nameLen, 107 + nameLen))
  const signature = Buffer.from(b.subarray(107 + nameLen))
  const inviteKey = identityFromSeed(seed).publicKey
  const expiresAt = Number(b.readBigUInt64BE(66))
  if (!Number.isSafeInteger(expiresAt)) throw bad('the expiry is out of range')
  const t: SecretInvite = {
    production: ProductionKey.fromBytes(b.subarray(1, 33)),
    issuer: PeerKey.fromBytes(b.subarray(33, 65)),
    role, expiresAt, name, inviteKey, signature, seed,
  }
  if (!verify(PeerKey.toBytes(t.issuer), 'invite', signedLayout(t), signature)) throw bad('its signature does not verify (forged or damaged)')
  return t
}

export function checkInviteFresh(t: InviteToken, now: number): void {
  if (now >= t.expiresAt) {
    throw new OnsetError('TOKEN_EXPIRED', `invite token expired at ${new Date(t.expiresAt).toISOString()}`, { hint: 'ask the production admin for a new one' })
  }
}

export function checkInviteProduction(t: InviteToken, production: ProductionKey): void {
  if (t.production !== production) {
    throw new OnsetError('TOKEN_INVALID', `invite token is for production ${ProductionKey.short(t.production)}, not ${ProductionKey.short(production)}`)
  }
}

/** The signed layout a join proof covers. */
export function joinProofPayload(production: ProductionKey, joiner: PeerKey, handshakeHash: Uint8Array): Buffer {
  return concat([ProductionKey.toBytes(production), PeerKey.toBytes(joiner), handshakeHash])
}

export function makeJoinProof(invite: SecretInvite, joiner: PeerKey, handshakeHash: Uint8Array): Buffer {
  return sign(identityFromSeed(invite.seed), 'join-proof', joinProofPayload(invite.production, joiner, handshakeHash))
}

/** What travels in a join request: the token without its seed, plus the proof. */
export interface JoinRequest {
  token: InviteToken
  proof: Buffer
}

/** Admin side: check the token's signature and the joiner's proof for this connection. */
export function verifyJoinRequest(req: JoinRequest, joiner: PeerKey, handshakeHash: Uint8Array): void {
  if (!verify(PeerKey.toBytes(req.token.issuer), 'invite', signedLayout(req.token), req.token.signature)) throw bad('its signature does not verify (forged or damaged)')
  if (!verify(req.token.inviteKey, 'join-proof', joinProofPayload(req.token.production, joiner, handshakeHash), req.proof)) {
    throw new OnsetError('TOKEN_INVALID', 'the joiner could not prove it holds the invite secret')
  }
}

export function inviteId(t: InviteToken): string {
  return t.inviteKey.toString('hex')
}

/** Parse "48h", "30m", "7d", "90s" into milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(s.trim())
  if (!m) throw new OnsetError('BAD_ARGUMENT', `not a duration: "${s}" (use e.g. 90s, 30m, 48h, 7d)`)
  const n = Number(m[1])
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd']
  if (n <= 0) throw new OnsetError('BAD_ARGUMENT', `duration must be positive: "${s}"`)
  return n * unit
}
