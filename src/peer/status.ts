/**
 * The replica-health picture (DESIGN.md §4) built from the custody log's view, plus live
 * transfer state when a peer runs: per card its state, verified copies vs policy, where,
 * pending bytes and the oldest unprotected byte; per peer its role and last contact; alerts.
 */
import { PeerKey, type CardId } from '../crypto/ids.ts'
import type { CardStatus } from '../log/queries.ts'
import type { Production } from './production.ts'
import type { AlertSnapshot, CardSnapshot, CardState, PeerSnapshot, Snapshot, TransportKind } from './snapshot.ts'

export interface LiveState {
  /** per card: bytes still moving, and the rate */
  transfers: Map<string, { pending: number, rate: number }>
  /** per peer key: connection */
  peers: Map<string, { transport: TransportKind, since: number }>
  lastSeen: Map<string, number>
  /** cards an offload is currently copying */
  copying: Set<string>
  /** which cards this peer fetches (the running peer's --want) */
  want: 'all' | 'own' | 'none'
}

export function emptyLive(): LiveState {
  return { transfers: new Map(), peers: new Map(), lastSeen: new Map(), copying: new Set(), want: 'all' }
}

function placeName(c: CardStatus['files'][number]['copies'][number], names: Map<string, string>): string {
  const who = names.get(c.location.peer) || PeerKey.short(c.location.peer)
  return c.location.kind === 'vault' ? `${who} vault` : `${who}:${c.location.volume || c.location.path}`
}

export function cardSnapshot(st: CardStatus, live: LiveState, names: Map<string, string>): CardSnapshot {
  const card = st.card.card
  let minCopies = Infinity
  const where = new Set<string>()
  let oldest: number | null = null
  for (const f of st.files) {
    minCopies = Math.min(minCopies, f.count.copies)
    for (const c of f.copies) if (c.verified?.result === 'ok') where.add(placeName(c, names))
    if (!f.count.met) oldest = oldest === null ? f.file.at : Math.min(oldest, f.file.at)
  }
  if (st.unrecorded > 0) { minCopies = 0; oldest = oldest ?? st.card.registeredAt }
  const t = live.transfers.get(card)
  let state: CardState = st.state
  if (state !== 'PROTECTED' && (live.copying.has(card) || (t && t.pending > 0))) state = 'COPYING'
  return {
    card, state, files: st.card.files, bytes: st.card.bytes,
    copies: minCopies === Infinity ? 0 : minCopies, copiesWanted: st.policy.copies,
    where: [...where].sort(),
    bytesPending: t?.pending ?? 0, rate: t?.rate ?? 0, eta: t && t.rate > 0 ? t.pending / t.rate : null,
    oldestUnprotectedAt: state === 'PROTECTED' ? null : oldest,
    registeredBy: names.get(st.card.registeredBy) || PeerKey.short(st.card.registeredBy), registeredAt: st.card.registeredAt,
  }
}

/**
 * Bytes owed between this peer and each member, from the log: a member "holds" a file when a
 * verified copy is in its vault (its own offload or a received replica) or it has attested it.
 * Every member but a vault (which mirrors ciphertext, outside this count) wants every card;
 * this peer wants what `live.want` says. owedTo = what we hold and they lack; owedFrom = what
 * they hold and we lack (and want).
 */
export async function owedBytes(p: Production, cards: readonly CardStatus[], members: readonly { peer: PeerKey, role: string }[], want: 'all' | 'own' | 'none' = 'all'): Promise<Map<string, { to: number, from: number }>> {
  const self = p.home.identity.peerKey
  const out = new Map<string, { to: number, from: number }>(members.map((m) => [m.peer, { to: 0, from: 0 }]))
  const me = members.find((m) => m.peer === self)
  const iWant = (registeredBy: string) => me?.role !== 'vault' && (want === 'all' || (want === 'own' && registeredBy === self))
  for (const { card: c, files } of cards) {
    const attested = await p.log.queries.attestationsOfCard(c.card)
    for (const { file: f, copies } of files) {
      const holders = new Set<string>()
      for (const x of copies) if (x.location.kind === 'vault' && x.verified?.result === 'ok') holders.add(x.location.peer)
      for (const a of attested.get(f.path) ?? []) holders.add(a.peer)
      const mine = holders.has(self)
      for (const m of members) {
        if (m.peer === self) continue
        const o = out.get(m.peer)!
        const theirs = holders.has(m.peer)
        if (mine && !theirs && m.role !== 'vault') o.to += f.size
        if (theirs && !mine && iWant(c.registeredBy)) o.from += f.size
      }
    }
  }
  return out
}

export async function buildSnapshot(p: Production, live: LiveState = emptyLive(), now = Date.now()): Promise<Snapshot> {
  const q = p.log.queries
  const prod = await q.production()
  const members = await q.members(now)
  const names = new Map(members.map((m) => [m.peer as string, m.name]))
  const me = members.find((m) => m.peer === p.home.identity.peerKey)
  // one status per card (its files and copies, one scan each), shared by the cards and the bytes owed
  const statuses: CardStatus[] = []
  for (const c of await q.cards()) {
    const st = await q.cardStatus(c.card)
    if (st) statuses.push(st)
  }
  const cards: CardSnapshot[] = statuses.map((st) => cardSnapshot(st, live, names))
  const owed = await owedBytes(p, statuses, members.filter((m) => m.effective === 'active'), live.want)
  const peers: PeerSnapshot[] = members.map((m) => {
    const conn = live.peers.get(m.peer)
    const o = owed.get(m.peer)
    return {
      peer: m.peer, name: m.name || PeerKey.short(m.peer), role: m.role, connected: Boolean(conn), transport: conn?.transport ?? null,
      lastSeen: conn ? now : live.lastSeen.get(m.peer) ?? null, bytesOwedTo: o?.to ?? 0, bytesOwedFrom: o?.from ?? 0,
      state: m.effective, self: m.peer === p.home.identity.peerKey,
    }
  })
  const alerts: AlertSnapshot[] = (await q.alerts({ limit: 200 })).map((a) => ({ id: a.id, at: a.at, severity: a.severity, kind: a.kind, message: a.message, subject: a.subject, acked: a.acked }))
  return {
    version: 1,
    production: prod ? { key: p.key, name: prod.name, policy: prod.policy } : null,
    self: { peer: p.home.identity.peerKey, name: me?.name ?? '', role: me?.role ?? null },
    cards, peers, alerts, at: now,
  }
}

export interface SafeToFormat {
  card: string
  safe: boolean
  state: string
  policy: { copies: number, peers: number, offsite: number }
  files: { path: string, size: number, xxh64: string | undefined, copies: { where: string, verifiedAt: number | null, by: string }[], met: boolean, missing: string }[]
  unrecorded: number
}

export async function safeToFormat(p: Production, card: CardId): Promise<SafeToFormat> {
  await p.requireCard(card)
  const st = (await p.log.queries.cardStatus(card))!
  const names = new Map((await p.log.queries.members()).map((m) => [m.peer as string, m.name]))
  return {
    card, safe: st.state === 'PROTECTED', state: st.state, policy: st.policy, unrecorded: st.unrecorded,
    files: st.files.map((f) => ({
      path: f.file.path, size: f.file.size, xxh64: f.file.hashes.xxh64, met: f.count.met, missing: f.missing,
      copies: f.copies.filter((c) => c.verified?.result === 'ok').map((c) => ({ where: placeName(c, names), verifiedAt: c.verified!.at, by: names.get(c.verified!.by) || PeerKey.short(c.verified!.by) })),
    })),
  }
}
