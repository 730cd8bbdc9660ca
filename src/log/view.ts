/**
 * The Autobase view: a Hyperbee (utf-8 keys, JSON values) that apply() builds. Key layout
 * (documented in src/log/README.md; `<seq>` is the apply sequence, 12-digit zero-padded):
 *
 *   meta/seq                          last applied sequence number
 *   meta/epoch                        current data-key epoch
 *   production                        ProductionRecord
 *   member/<peer>                     MemberRecord
 *   writer/<writer core key>          peer key the writer core is bound to
 *   clock/<peer>                      an expiring member's highest claimed `at` so far (expiry is checked against it)
 *   epoch/<n:6>                       EpochRecord (sealed epoch secrets)
 *   invite/<invite id>                who used the invite
 *   card/<card>                       CardRecord (with counters for policy state)
 *   file/<card>/<path>                FileRecord
 *   copy/<card>/<path>\0<location>    CopyRecord
 *   attest/<card>/<path>\0<peer>      AttestationRecord
 *   tl/<card>/<seq>                   TimelineRecord of events about the card or its files
 *   tlx/<seq>                         TimelineRecord of production-wide events
 *   alert/<seq>                       AlertRecord
 *   rejected/<seq>                    RejectedRecord
 *   note/<card>/<seq>                 NoteRecord (a Yjs update)
 */
import type { FileHashes } from '../crypto/hashes.ts'
import type { CardId, PeerKey } from '../crypto/ids.ts'
import type { ChunkList, Location, Policy, Role, SealedSecrets } from './events.ts'

export const pad = (n: number, w = 12): string => String(n).padStart(w, '0')

export const K = {
  seq: 'meta/seq',
  epoch: 'meta/epoch',
  production: 'production',
  member: (p: string) => `member/${p}`,
  writer: (w: string) => `writer/${w}`,
  clock: (p: string) => `clock/${p}`,
  epochRec: (n: number) => `epoch/${pad(n, 6)}`,
  invite: (id: string) => `invite/${id}`,
  card: (c: string) => `card/${c}`,
  file: (c: string, p: string) => `file/${c}/${p}`,
  filePrefix: (c: string) => `file/${c}/`,
  copy: (c: string, p: string, loc: string) => `copy/${c}/${p}\0${loc}`,
  copyPrefix: (c: string, p: string) => `copy/${c}/${p}\0`,
  attest: (c: string, p: string, peer: string) => `attest/${c}/${p}\0${peer}`,
  attestPrefix: (c: string, p: string) => `attest/${c}/${p}\0`,
  tl: (c: string, seq: number) => `tl/${c}/${pad(seq)}`,
  tlPrefix: (c: string) => `tl/${c}/`,
  tlx: (seq: number) => `tlx/${pad(seq)}`,
  alert: (seq: number) => `alert/${pad(seq)}`,
  rejected: (seq: number) => `rejected/${pad(seq)}`,
  note: (c: string, seq: number) => `note/${c}/${pad(seq)}`,
  notePrefix: (c: string) => `note/${c}/`,
}

/** The end of a prefix range: every key starting with `prefix` sorts below it. */
export const prefixEnd = (prefix: string): string => prefix + '\uffff'

export interface ProductionRecord {
  name: string
  policy: Policy
  createdBy: PeerKey
  createdAt: number
}

export interface MemberRecord {
  peer: PeerKey
  role: Role
  name: string
  expiresAt: number | null
  state: 'active' | 'revoked'
  writer: string | null
  admittedBy: PeerKey
  admittedAt: number
  revokedAt: number | null
  revokeReason: string | null
  /** secrets sealed to this member at admission (base64), if any */
  secrets: SealedSecrets | null
  invite: string | null
}

export interface EpochRecord {
  epoch: number
  at: number
  by: PeerKey
  revoked: PeerKey
  sealed: Record<string, SealedSecrets>
}

export interface CardRecord {
  card: CardId
  files: number
  bytes: number
  label: string
  registeredBy: PeerKey
  registeredAt: number
  /** files recorded so far */
  recorded: number
  /** recorded files that meet the policy now */
  met: number
  /** the card has met the policy at some point (so losing a copy makes it DEGRADED) */
  everProtected: boolean
  /** claimed time of the oldest file record not meeting the policy (approximate recovery point) */
  firstRecordedAt: number
}

export interface FileRecord {
  card: CardId
  path: string
  size: number
  mtime: number
  hashes: FileHashes
  chunks: ChunkList
  epoch: number
  recordedBy: PeerKey
  at: number
  met: boolean
}

export interface Verification {
  result: 'ok' | 'failed' | 'missing'
  at: number
  by: PeerKey
  hashes: FileHashes
  detail: string
}

export interface CopyRecord {
  location: Location
  madeBy: PeerKey
  madeAt: number
  verified: Verification | null
  /** every verification, oldest first (bounded to the last 20) */
  history: Verification[]
}

export interface AttestationRecord {
  attestation: string
  peer: PeerKey
  recordedBy: PeerKey
  at: number
  verifiedAt: number
  mode: 'plaintext' | 'ciphertext'
  hashes: FileHashes
}

export interface TimelineRecord {
  seq: number
  at: number
  by: PeerKey | null
  type: string
  path: string | null
  text: string
}

export interface AlertRecord {
  id: string
  seq: number
  at: number
  severity: 'info' | 'warning' | 'critical'
  kind: string
  message: string
  subject: string
  raisedBy: PeerKey | null
  acked: boolean
  ackedBy: PeerKey | null
}

export interface RejectedRecord {
  seq: number
  writer: string
  peer: PeerKey | null
  type: string
  reason: string
  at: number | null
}

export interface NoteRecord {
  update: string
  by: PeerKey
  at: number
}
