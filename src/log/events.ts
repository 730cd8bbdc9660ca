/**
 * Custody events: the facts writers append to the custody log. Schema version 1.
 * Every event is a JSON object `{ v: 1, type, at, ...fields }` (docs/events.md has the table).
 * `at` is the writer's claimed time (ms since the epoch) and is shown as a claim.
 *
 * Decoding validates everything (types, lengths, formats) and returns a reason instead of
 * throwing, so a malformed or unknown event becomes a rejected record in the view and never
 * crashes a peer or stalls the log.
 */
import { CardId, ChunkId, PeerKey } from '../crypto/ids.ts'
import { HASH_ALGOS, type FileHashes, type HashAlgo } from '../crypto/hashes.ts'

export const EVENT_VERSION = 1
export const ROLES = ['admin', 'dit', 'lab', 'post', 'vault'] as const
export type Role = (typeof ROLES)[number]
/** Roles whose peers are Autobase writers. post and vault never are. */
export const WRITER_ROLES: readonly Role[] = ['admin', 'dit', 'lab']

export interface Policy {
  /** verified copies in total */
  copies: number
  /** distinct peers holding a verified copy */
  peers: number
  /** verified copies on peers other than the one that registered the card ("off the cart") */
  offsite: number
}
export const DEFAULT_POLICY: Policy = { copies: 3, peers: 2, offsite: 1 }

/** Where a copy lives: a peer's encrypted vault, or a plain folder on a named volume. */
export type Location =
  | { kind: 'vault', peer: PeerKey }
  | { kind: 'dest', peer: PeerKey, path: string, volume: string }

export function locationKey(l: Location): string {
  return l.kind === 'vault' ? `vault:${l.peer}` : `dest:${l.peer}:${l.path}`
}

/** A chunk of a file: its id, and where it lives (blobs core key, block, plaintext size). */
export type ChunkEntry = [id: ChunkId, core: number, block: number, size: number]

export interface ChunkList {
  /** hex keys of the blobs cores referenced by index in `list` */
  cores: string[]
  list: ChunkEntry[]
}

/**
 * Binds a member's Autobase writer core to its identity: `sig` is the member's Ed25519 signature,
 * domain "writer-binding", over production key (32) || writer core key (32). apply() verifies it,
 * so nobody can attach a writer core to someone else's identity.
 */
export interface WriterBinding { peer: PeerKey, writer: string, sig: string }

/** Secrets sealed to one member: base64 of crypto/seal sealTo(member, JSON [[epoch, hexSecret]...]). */
export type SealedSecrets = string

export type CustodyEvent =
  | { v: 1, type: 'production.created', at: number, name: string, policy: Policy, creatorName: string, secrets: SealedSecrets, binding: WriterBinding }
  | { v: 1, type: 'member.admitted', at: number, peer: PeerKey, role: Role, name: string, expiresAt: number | null, secrets: SealedSecrets | null, invite: string | null, binding: WriterBinding | null }
  | { v: 1, type: 'member.bound', at: number, binding: WriterBinding }
  | { v: 1, type: 'member.revoked', at: number, peer: PeerKey, reason: string, epoch: number, sealed: Record<string, SealedSecrets> }
  | { v: 1, type: 'card.registered', at: number, card: CardId, files: number, bytes: number, label: string }
  | { v: 1, type: 'file.recorded', at: number, card: CardId, path: string, size: number, mtime: number, hashes: FileHashes, chunks: ChunkList, epoch: number }
  | { v: 1, type: 'copy.made', at: number, card: CardId, path: string, location: Location }
  | { v: 1, type: 'copy.verified', at: number, card: CardId, path: string, location: Location, result: 'ok' | 'failed' | 'missing', hashes: FileHashes, detail: string }
  | { v: 1, type: 'replica.received', at: number, card: CardId, path: string, peer: PeerKey, hashes: FileHashes }
  | { v: 1, type: 'attestation.recorded', at: number, attestation: string }
  | { v: 1, type: 'policy.changed', at: number, policy: Policy }
  | { v: 1, type: 'note.changed', at: number, card: CardId, update: string }
  | { v: 1, type: 'alert.raised', at: number, kind: string, severity: 'info' | 'warning' | 'critical', message: string, subject: string }
  | { v: 1, type: 'alert.acked', at: number, alert: string }
  | { v: 1, type: 'mhl.generation', at: number, card: CardId, peer: PeerKey, dir: string, generation: number, process: string, c4: string }

export type EventType = CustodyEvent['type']
export type EventOf<T extends EventType> = Extract<CustodyEvent, { type: T }>

export const EVENT_TYPES: readonly EventType[] = [
  'production.created', 'member.admitted', 'member.bound', 'member.revoked', 'card.registered', 'file.recorded',
  'copy.made', 'copy.verified', 'replica.received', 'attestation.recorded', 'policy.changed',
  'note.changed', 'alert.raised', 'alert.acked', 'mhl.generation',
]

/** Which roles may append each event type (apply() enforces it at that point of the log). */
export const ALLOWED: Record<EventType, readonly Role[]> = {
  'production.created': ['admin'],
  'member.admitted': ['admin'],
  'member.bound': ['admin', 'dit', 'lab'],
  'member.revoked': ['admin'],
  'policy.changed': ['admin'],
  'card.registered': ['admin', 'dit', 'lab'],
  'file.recorded': ['admin', 'dit', 'lab'],
  'copy.made': ['admin', 'dit', 'lab'],
  'copy.verified': ['admin', 'dit', 'lab'],
  'replica.received': ['admin', 'dit', 'lab'],
  'attestation.recorded': ['admin', 'dit', 'lab'],
  'note.changed': ['admin', 'dit', 'lab'],
  'alert.raised': ['admin', 'dit', 'lab'],
  'alert.acked': ['admin', 'dit', 'lab'],
  'mhl.generation': ['admin', 'dit', 'lab'],
}

export const LIMITS = {
  name: 200,
  path: 4096,
  label: 200,
  message: 2000,
  /** 120k chunks of 1 MiB = 120 GiB in one file */
  chunks: 120_000,
  noteUpdate: 256 * 1024,
  attestation: 4096,
  sealed: 8192,
  members: 1000,
} as const

export type Decoded = { ok: true, event: CustodyEvent } | { ok: false, reason: string }

class Invalid extends Error {}
const fail = (why: string): never => { throw new Invalid(why) }

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} must be an object`)
  return v as Record<string, unknown>
}
function str(o: Record<string, unknown>, k: string, max: number, min = 0): string {
  const v = o[k]
  if (typeof v !== 'string') return fail(`${k} must be a string`)
  if (v.length < min) fail(`${k} is empty`)
  if (v.length > max) fail(`${k} is longer than ${max}`)
  return v
}
function int(o: Record<string, unknown>, k: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[k]
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) return fail(`${k} must be an integer in [${min}, ${max}]`)
  return v
}
function peer(o: Record<string, unknown>, k: string): PeerKey {
  const v = o[k]
  if (!PeerKey.is(v)) return fail(`${k} must be a peer key (64 lowercase hex)`)
  return v
}
function card(o: Record<string, unknown>, k = 'card'): CardId {
  const v = o[k]
  if (!CardId.is(v)) return fail(`${k} must be a card name`)
  return v
}
function relPath(o: Record<string, unknown>, k = 'path'): string {
  const p = str(o, k, LIMITS.path, 1)
  if (p.startsWith('/') || p.split('/').some((s) => s === '' || s === '.' || s === '..') || p.includes('\0') || p.includes('\\')) fail(`${k} must be a relative POSIX path without . or .. segments`)
  return p
}
function oneOf<T extends string>(o: Record<string, unknown>, k: string, values: readonly T[]): T {
  const v = o[k]
  if (typeof v !== 'string' || !values.includes(v as T)) return fail(`${k} must be one of ${values.join(', ')}`)
  return v as T
}
function hashes(o: Record<string, unknown>, k = 'hashes'): FileHashes {
  const h = obj(o[k], k)
  const out: FileHashes = {}
  for (const [a, v] of Object.entries(h)) {
    if (!(HASH_ALGOS as readonly string[]).includes(a)) fail(`unknown hash algorithm ${a.slice(0, 20)}`)
    if (typeof v !== 'string' || v.length > 100 || !/^[0-9A-Za-z]+$/.test(v)) fail(`hash ${a} is malformed`)
    out[a as HashAlgo] = v as string
  }
  return out
}
function policy(o: Record<string, unknown>): Policy {
  const p = obj(o.policy, 'policy')
  const r = { copies: int(p, 'copies', 1, 100), peers: int(p, 'peers', 1, 100), offsite: int(p, 'offsite', 0, 100) }
  if (r.peers > r.copies) fail('policy.peers cannot exceed policy.copies')
  if (r.offsite > r.copies) fail('policy.offsite cannot exceed policy.copies')
  return r
}
function location(o: Record<string, unknown>): Location {
  const l = obj(o.location, 'location')
  const kind = oneOf(l, 'kind', ['vault', 'dest'] as const)
  if (kind === 'vault') return { kind, peer: peer(l, 'peer') }
  return { kind, peer: peer(l, 'peer'), path: str(l, 'path', LIMITS.path, 1), volume: str(l, 'volume', LIMITS.label) }
}
function chunkList(o: Record<string, unknown>): ChunkList {
  const c = obj(o.chunks, 'chunks')
  const cores = c.cores
  const list = c.list
  if (!Array.isArray(cores) || cores.length > 64 || !cores.every((k) => typeof k === 'string' && /^[0-9a-f]{64}$/.test(k))) fail('chunks.cores must be a list of core keys')
  if (!Array.isArray(list) || list.length > LIMITS.chunks) fail(`chunks.list must be a list of at most ${LIMITS.chunks}`)
  for (const e of list as unknown[]) {
    if (!Array.isArray(e) || e.length !== 4 || !ChunkId.is(e[0]) || !Number.isSafeInteger(e[1]) || (e[1] as number) < 0 || (e[1] as number) >= (cores as string[]).length ||
      !Number.isSafeInteger(e[2]) || (e[2] as number) < 0 || !Number.isSafeInteger(e[3]) || (e[3] as number) < 1) fail('chunks.list has a malformed entry')
  }
  return { cores: cores as string[], list: list as ChunkEntry[] }
}
function binding(o: Record<string, unknown>, k = 'binding'): WriterBinding {
  const b = obj(o[k], k)
  const writer = str(b, 'writer', 64, 64)
  if (!/^[0-9a-f]{64}$/.test(writer)) fail('binding.writer must be a core key')
  const sig = str(b, 'sig', 128, 128)
  if (!/^[0-9a-f]{128}$/.test(sig)) fail('binding.sig must be a signature')
  return { peer: peer(b, 'peer'), writer, sig }
}
function b64(o: Record<string, unknown>, k: string, max: number): string {
  const v = str(o, k, max, 1)
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(v)) fail(`${k} must be base64`)
  return v
}

/** Validate a decoded value; never throws. */
export function decodeEvent(raw: unknown): Decoded {
  try {
    const o = obj(raw, 'event')
    if (o.v !== EVENT_VERSION) return { ok: false, reason: `unsupported event version ${JSON.stringify(o.v)?.slice(0, 20)}` }
    const type = o.type
    if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) return { ok: false, reason: `unknown event type ${JSON.stringify(type)?.slice(0, 60)}` }
    const at = int(o, 'at')
    const t = type as EventType
    let e: CustodyEvent
    switch (t) {
      case 'production.created': e = { v: 1, type: t, at, name: str(o, 'name', LIMITS.name, 1), policy: policy(o), creatorName: str(o, 'creatorName', LIMITS.name), secrets: b64(o, 'secrets', LIMITS.sealed), binding: binding(o) }; break
      case 'member.admitted': e = {
        v: 1, type: t, at, peer: peer(o, 'peer'), role: oneOf(o, 'role', ROLES), name: str(o, 'name', LIMITS.name),
        expiresAt: o.expiresAt === null ? null : int(o, 'expiresAt'),
        secrets: o.secrets === null ? null : b64(o, 'secrets', LIMITS.sealed),
        invite: o.invite === null ? null : (/^[0-9a-f]{64}$/.test(String(o.invite)) ? String(o.invite) : fail('invite must be an invite id')),
        binding: o.binding === null ? null : binding(o),
      }; break
      case 'member.bound': e = { v: 1, type: t, at, binding: binding(o) }; break
      case 'member.revoked': {
        const sealed = obj(o.sealed, 'sealed')
        const out: Record<string, SealedSecrets> = {}
        const entries = Object.entries(sealed)
        if (entries.length > LIMITS.members) fail('too many sealed secrets')
        for (const [k, v] of entries) {
          if (!PeerKey.is(k)) fail('sealed must be keyed by peer keys')
          out[k] = b64({ v }, 'v', LIMITS.sealed)
        }
        e = { v: 1, type: t, at, peer: peer(o, 'peer'), reason: str(o, 'reason', LIMITS.message), epoch: int(o, 'epoch', 1, 1_000_000), sealed: out }
        break
      }
      case 'card.registered': e = { v: 1, type: t, at, card: card(o), files: int(o, 'files', 0, 10_000_000), bytes: int(o, 'bytes'), label: str(o, 'label', LIMITS.label) }; break
      case 'file.recorded': e = { v: 1, type: t, at, card: card(o), path: relPath(o), size: int(o, 'size'), mtime: int(o, 'mtime'), hashes: hashes(o), chunks: chunkList(o), epoch: int(o, 'epoch', 0, 1_000_000) }; break
      case 'copy.made': e = { v: 1, type: t, at, card: card(o), path: relPath(o), location: location(o) }; break
      case 'copy.verified': e = { v: 1, type: t, at, card: card(o), path: relPath(o), location: location(o), result: oneOf(o, 'result', ['ok', 'failed', 'missing'] as const), hashes: hashes(o), detail: str(o, 'detail', LIMITS.message) }; break
      case 'replica.received': e = { v: 1, type: t, at, card: card(o), path: relPath(o), peer: peer(o, 'peer'), hashes: hashes(o) }; break
      case 'attestation.recorded': e = { v: 1, type: t, at, attestation: b64(o, 'attestation', LIMITS.attestation) }; break
      case 'policy.changed': e = { v: 1, type: t, at, policy: policy(o) }; break
      case 'note.changed': e = { v: 1, type: t, at, card: card(o), update: b64(o, 'update', LIMITS.noteUpdate) }; break
      case 'alert.raised': e = { v: 1, type: t, at, kind: str(o, 'kind', 64, 1), severity: oneOf(o, 'severity', ['info', 'warning', 'critical'] as const), message: str(o, 'message', LIMITS.message, 1), subject: str(o, 'subject', LIMITS.path) }; break
      case 'alert.acked': e = { v: 1, type: t, at, alert: str(o, 'alert', 64, 1) }; break
      case 'mhl.generation': e = { v: 1, type: t, at, card: card(o), peer: peer(o, 'peer'), dir: str(o, 'dir', LIMITS.path, 1), generation: int(o, 'generation', 1, 9999), process: oneOf(o, 'process', ['in-place', 'transfer', 'flatten'] as const), c4: str(o, 'c4', 90, 90) }; break
    }
    return { ok: true, event: e }
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, reason: err.message }
    return { ok: false, reason: `undecodable event: ${(err as Error)?.message ?? String(err)}`.slice(0, 300) }
  }
}

/** One line a person can read, for the timeline and `onset log`. */
export function describeEvent(e: CustodyEvent): string {
  switch (e.type) {
    case 'production.created': return `created production "${e.name}" (policy ${e.policy.copies} copies, ${e.policy.peers} peers, ${e.policy.offsite} off the cart)`
    case 'member.admitted': return `admitted ${e.name || PeerKey.short(e.peer)} (${PeerKey.short(e.peer)}) as ${e.role}${e.expiresAt ? ` until ${new Date(e.expiresAt).toISOString()}` : ''}${e.invite ? ' by invite' : ''}`
    case 'member.bound': return `bound writer ${e.binding.writer.slice(0, 8)} to ${PeerKey.short(e.binding.peer)}`
    case 'member.revoked': return `revoked ${PeerKey.short(e.peer)}${e.reason ? `: ${e.reason}` : ''} (data key rotated to epoch ${e.epoch})`
    case 'card.registered': return `registered card ${e.card} (${e.files} files, ${e.bytes} bytes)`
    case 'file.recorded': return `recorded ${e.card}/${e.path} (${e.size} bytes, xxh64 ${e.hashes.xxh64 ?? '?'})`
    case 'copy.made': return `copied ${e.card}/${e.path} to ${e.location.kind === 'vault' ? `the vault of ${PeerKey.short(e.location.peer)}` : `${e.location.volume || e.location.path} on ${PeerKey.short(e.location.peer)}`}`
    case 'copy.verified': return `verified ${e.card}/${e.path} at ${e.location.kind === 'vault' ? `the vault of ${PeerKey.short(e.location.peer)}` : `${e.location.volume || e.location.path} on ${PeerKey.short(e.location.peer)}`}: ${e.result}${e.detail ? ` (${e.detail})` : ''}`
    case 'replica.received': return `${PeerKey.short(e.peer)} received and verified ${e.card}/${e.path}`
    case 'attestation.recorded': return 'recorded an attestation'
    case 'policy.changed': return `set policy: ${e.policy.copies} copies, ${e.policy.peers} peers, ${e.policy.offsite} off the cart`
    case 'note.changed': return `edited notes of ${e.card}`
    case 'alert.raised': return `alert (${e.severity}) ${e.kind}: ${e.message}`
    case 'alert.acked': return `acknowledged alert ${e.alert}`
    case 'mhl.generation': return `wrote ASC MHL generation ${e.generation} (${e.process}) for ${e.card} in ${e.dir}`
  }
}

/** The card and path an event is about, for timelines. */
export function subjectOf(e: CustodyEvent): { card?: CardId, path?: string } {
  switch (e.type) {
    case 'card.registered': case 'note.changed': case 'mhl.generation': return { card: e.card }
    case 'file.recorded': case 'copy.made': case 'copy.verified': case 'replica.received': return { card: e.card, path: e.path }
    default: return {}
  }
}
