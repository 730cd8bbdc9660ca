/**
 * The replica-health picture a running peer exposes (DESIGN.md §4): what the dashboard, `onset
 * status` and `--json` render. Plain JSON-serialisable data; times are ms since the epoch.
 * It travels over the control socket as is (docs/control.md), so changes are versioned with it.
 */

export type Role = 'admin' | 'dit' | 'lab' | 'post' | 'vault'
export type CardState = 'UNSAFE' | 'COPYING' | 'PROTECTED' | 'DEGRADED'
export type TransportKind = 'lan' | 'internet' | 'direct'
export type Severity = 'info' | 'warning' | 'critical'

export interface PolicySnapshot {
  copies: number
  peers: number
  offsite: number
}

export interface CopySnapshot {
  /** 'vault' = inside a peer's encrypted vault; 'dest' = a plain folder on a named drive */
  kind: 'vault' | 'dest'
  peer: string
  peerName: string
  path?: string
  verifiedAt: number | null
  ok: boolean
}

export interface FileSnapshot {
  path: string
  size: number
  xxh64?: string
  copies: CopySnapshot[]
  policyMet: boolean
}

export interface CardSnapshot {
  card: string
  state: CardState
  files: number
  bytes: number
  /** verified copies of the least-protected file, and what the policy asks */
  copies: number
  copiesWanted: number
  /** where verified copies are (peer names / destination labels) */
  where: string[]
  bytesPending: number
  /** bytes per second of transfers for this card, 0 when idle */
  rate: number
  /** seconds, or null when unknown / nothing pending */
  eta: number | null
  /** when the oldest byte not yet protected by the policy was recorded (the recovery point), or null */
  oldestUnprotectedAt: number | null
  registeredBy: string
  registeredAt: number
}

export interface PeerSnapshot {
  peer: string
  name: string
  role: Role
  connected: boolean
  transport: TransportKind | null
  lastSeen: number | null
  /** bytes this peer still has to receive from us, and we from it */
  bytesOwedTo: number
  bytesOwedFrom: number
  state: 'active' | 'revoked' | 'expired'
  self: boolean
}

export interface AlertSnapshot {
  id: string
  at: number
  severity: Severity
  kind: string
  message: string
  subject?: string
  acked: boolean
}

export interface TimelineEntry {
  at: number
  who: string
  whoName: string
  what: string
  detail: string
}

export interface Snapshot {
  version: 1
  production: { key: string, name: string, policy: PolicySnapshot } | null
  self: { peer: string, name: string, role: Role | null }
  cards: CardSnapshot[]
  peers: PeerSnapshot[]
  alerts: AlertSnapshot[]
  /** when this snapshot was taken */
  at: number
}
