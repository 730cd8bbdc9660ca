/**
 * Snapshot fixtures and an in-memory DashboardSource, for the dashboard's tests and for trying
 * the dashboard without a peer. Times are fixed around NOW so rendered ages are deterministic.
 */
import type { AlertSnapshot, CardSnapshot, PeerSnapshot, Snapshot, TimelineEntry } from '../peer/snapshot.ts'
import type { DashboardSource } from './source.ts'

/** 2024-11-23 14:30:00 local time */
export const NOW = new Date(2024, 10, 23, 14, 30, 0).getTime()
const MIN = 60_000
const GiB = 1024 ** 3

export const KEYS = {
  dit: 'd1'.repeat(32),
  lab: 'aa'.repeat(32),
  post: 'b0'.repeat(32),
  vault: 'c4'.repeat(32),
  old: 'ee'.repeat(32),
} as const

export function peer(p: Partial<PeerSnapshot> & { peer: string, name: string }): PeerSnapshot {
  return { role: 'lab', connected: false, transport: null, lastSeen: null, bytesOwedTo: 0, bytesOwedFrom: 0, state: 'active', self: false, ...p }
}

export function card(c: Partial<CardSnapshot> & { card: string }): CardSnapshot {
  return {
    state: 'PROTECTED', files: 12, bytes: 256 * GiB, copies: 3, copiesWanted: 3, where: ['DIT cart vault', 'Lab vault', 'DIT cart:SHUTTLE-1'],
    bytesPending: 0, rate: 0, eta: null, oldestUnprotectedAt: null, registeredBy: 'DIT cart', registeredAt: NOW - 90 * MIN, ...c,
  }
}

export function alert(a: Partial<AlertSnapshot> & { id: string, message: string }): AlertSnapshot {
  return { at: NOW - 5 * MIN, severity: 'warning', kind: 'copy.failed', acked: false, ...a }
}

const PEERS: PeerSnapshot[] = [
  peer({ peer: KEYS.dit, name: 'DIT cart', role: 'dit', connected: true, transport: null, lastSeen: NOW, self: true }),
  peer({ peer: KEYS.lab, name: 'Lab', role: 'lab', connected: true, transport: 'lan', lastSeen: NOW - 2_000, bytesOwedTo: 40 * GiB, bytesOwedFrom: 0 }),
  peer({ peer: KEYS.post, name: 'Post London', role: 'post', connected: false, transport: 'internet', lastSeen: NOW - 3 * 3600_000, bytesOwedTo: 120 * GiB }),
  peer({ peer: KEYS.vault, name: 'Vault', role: 'vault', connected: true, transport: 'direct', lastSeen: NOW - 10_000 }),
  peer({ peer: KEYS.old, name: 'Old laptop', role: 'lab', connected: false, lastSeen: NOW - 2 * 86400_000, state: 'revoked' }),
]

function base(): Snapshot {
  return {
    version: 1,
    production: { key: 'f0'.repeat(32), name: 'Night Train', policy: { copies: 3, peers: 2, offsite: 1 } },
    self: { peer: KEYS.dit, name: 'DIT cart', role: 'dit' },
    cards: [], peers: PEERS.map((p) => ({ ...p })), alerts: [], at: NOW,
  }
}

/** A peer that has not created or joined a production yet. */
export function emptySnapshot(): Snapshot {
  return { version: 1, production: null, self: { peer: KEYS.dit, name: 'DIT cart', role: null }, cards: [], peers: [], alerts: [], at: NOW }
}

/** Every card protected, no alerts. */
export function healthySnapshot(): Snapshot {
  const s = base()
  s.cards = [card({ card: 'A001' }), card({ card: 'A002' }), card({ card: 'B001', files: 40, bytes: 80 * GiB })]
  return s
}

/** A busy day: one card copying, one unsafe, one degraded, one protected, and open alerts. */
export function degradedSnapshot(): Snapshot {
  const s = base()
  s.cards = [
    card({ card: 'A001' }),
    card({ card: 'A002', state: 'DEGRADED', copies: 2, where: ['DIT cart vault', 'Lab vault'], oldestUnprotectedAt: NOW - 12 * MIN }),
    card({ card: 'A003', state: 'COPYING', copies: 1, where: ['DIT cart vault'], bytesPending: 40 * GiB, rate: 200 * 1024 ** 2, eta: 205, oldestUnprotectedAt: NOW - 25 * MIN }),
    card({ card: 'B001', state: 'UNSAFE', copies: 0, where: [], oldestUnprotectedAt: NOW - 3 * 3600_000 }),
  ]
  s.alerts = [
    alert({ id: '000000000041', at: NOW - 12 * MIN, severity: 'critical', kind: 'copy.failed', message: 'A002/A002C004.mxf on SHUTTLE-2 failed verification: xxh64 mismatch', subject: 'A002/A002C004.mxf' }),
    alert({ id: '000000000037', at: NOW - 40 * MIN, severity: 'warning', kind: 'access.refused', message: 'unknown key 9f3c2a11 refused', subject: '9f3c2a11' }),
    alert({ id: '000000000012', at: NOW - 80 * MIN, severity: 'info', kind: 'peer.joined', message: 'Post London joined by invite', acked: true }),
  ]
  return s
}

/** Many cards and alerts: more rows than any terminal shows, and long, wide file names. */
export function crowdedSnapshot(): Snapshot {
  const s = degradedSnapshot()
  for (let i = 0; i < 60; i++) {
    s.cards.push(card({ card: `C${String(i + 1).padStart(3, '0')}_夜行列車_📼_very_long_reel_name_${i}`, state: i % 7 === 0 ? 'COPYING' : 'PROTECTED', where: ['DIT cart vault', 'Lab vault', 'Vault', 'Post London vault', 'DIT cart:SHUTTLE-1-WITH-A-LONG-LABEL'], bytesPending: i % 7 === 0 ? 3 * GiB : 0, rate: i % 7 === 0 ? 150 * 1024 ** 2 : 0, eta: i % 7 === 0 ? 21 : null }))
  }
  for (let i = 0; i < 40; i++) {
    s.alerts.push(alert({ id: `1${String(i).padStart(11, '0')}`, at: NOW - (100 + i) * MIN, message: `copy of C${i}/夜行列車_clip_${i}.mxf on a drive with a long name failed verification because the bytes differ`, subject: `C${i}/clip.mxf` }))
  }
  return s
}

export function timelineFixture(): TimelineEntry[] {
  const at = (m: number): number => NOW - m * MIN
  return [
    { at: at(28), who: KEYS.dit, whoName: 'DIT cart', what: 'card.registered', detail: 'registered card A001 (12 files, 274877906944 bytes)' },
    { at: at(28), who: KEYS.dit, whoName: 'DIT cart', what: 'copy.made', detail: 'copied A001/A001C001.mxf to SHUTTLE-1 on d1d1d1d1' },
    { at: at(27), who: KEYS.dit, whoName: 'DIT cart', what: 'copy.verified', detail: 'verified A001/A001C001.mxf at SHUTTLE-1 on d1d1d1d1: ok' },
    { at: at(20), who: KEYS.lab, whoName: 'Lab', what: 'copy.verified', detail: 'verified A001/A001C002.mxf at the vault of aaaaaaaa: failed (xxh64 mismatch)' },
    { at: at(19), who: KEYS.lab, whoName: '', what: 'replica.received', detail: '' },
  ]
}

/** An in-memory DashboardSource: set() replaces the snapshot and notifies subscribers. */
export class MemorySource implements DashboardSource {
  current: Snapshot
  timelines: Map<string, TimelineEntry[]>
  acked: string[] = []
  listeners = new Set<() => void>()
  failAck: Error | null = null

  constructor(snapshot: Snapshot, timelines: Record<string, TimelineEntry[]> = {}) {
    this.current = snapshot
    this.timelines = new Map(Object.entries(timelines))
  }

  snapshot(): Snapshot { return this.current }

  subscribe(onChange: () => void): () => void {
    this.listeners.add(onChange)
    return () => { this.listeners.delete(onChange) }
  }

  set(snapshot: Snapshot): void {
    this.current = snapshot
    for (const l of [...this.listeners]) l()
  }

  async timeline(card: string): Promise<TimelineEntry[]> {
    const t = this.timelines.get(card)
    if (!t) throw new Error(`no timeline for ${card}`)
    return t
  }

  async ackAlert(id: string): Promise<void> {
    if (this.failAck) throw this.failAck
    this.acked.push(id)
    this.set({ ...this.current, alerts: this.current.alerts.map((a) => a.id === id ? { ...a, acked: true } : a) })
  }
}
