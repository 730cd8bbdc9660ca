/**
 * The custody report of one card: what a producer or an insurer reads to know what was shot,
 * where every copy is, who verified it when, and whether the policy is met. Built from the
 * custody log only (every fact in it is signed by the member who recorded it); rendered as
 * Markdown or HTML by the CLI (`onset report`), or printed as this JSON with --json.
 */
import { PeerKey, type CardId } from '../crypto/ids.ts'
import type { FileHashes } from '../crypto/hashes.ts'
import type { Policy } from '../log/events.ts'
import { buildNotes, notesOf, type ClipNotes } from '../log/notes.ts'
import type { Production } from './production.ts'

export interface ReportVerification { at: number, by: string, byName: string, result: string, detail: string }

export interface ReportCopy {
  kind: 'vault' | 'dest'
  /** who holds it and where: "DIT cart vault", "DIT cart:Volumes/SHUTTLE_1" */
  where: string
  peer: string
  peerName: string
  path: string | null
  madeAt: number
  /** the latest result first, then earlier ones */
  verifications: ReportVerification[]
}

export interface ReportFile {
  path: string
  size: number
  mtime: number
  hashes: FileHashes
  recordedBy: string
  policyMet: boolean
  missing: string
  copies: ReportCopy[]
  attestations: { peer: string, name: string, verifiedAt: number, mode: string, recordedByName: string }[]
}

export interface CustodyReport {
  version: 1
  generatedAt: number
  generatedBy: { peer: string, name: string }
  production: { key: string, name: string, policy: Policy }
  card: { card: string, label: string, files: number, bytes: number, registeredBy: string, registeredAt: number, state: string, everProtected: boolean, unrecorded: number }
  files: ReportFile[]
  mhl: { at: number, byName: string, text: string }[]
  /** clip notes, circled takes and tags (merged from every writer's edits) */
  notes: Record<string, ClipNotes>
  alerts: { at: number, severity: string, kind: string, message: string, acked: boolean }[]
  timeline: { at: number, byName: string, text: string }[]
}

export async function buildReport(p: Production, card: CardId, now = Date.now()): Promise<CustodyReport> {
  await p.requireCard(card)
  const q = p.log.queries
  const prod = (await q.production())!
  const members = await q.members(now)
  const names = new Map(members.map((m) => [m.peer as string, m.name || PeerKey.short(m.peer)]))
  const name = (k: string | null) => (k ? names.get(k) ?? PeerKey.short(k as PeerKey) : 'unknown')
  const st = (await q.cardStatus(card))!
  const files: ReportFile[] = []
  const attested = await q.attestationsOfCard(card)
  for (const f of st.files) {
    const copies: ReportCopy[] = f.copies.map((c) => ({
      kind: c.location.kind, peer: c.location.peer, peerName: name(c.location.peer),
      where: c.location.kind === 'vault' ? `${name(c.location.peer)} vault` : `${name(c.location.peer)}:${c.location.volume || c.location.path}`,
      path: c.location.kind === 'dest' ? c.location.path : null,
      madeAt: c.madeAt,
      verifications: [...c.history].reverse().map((v) => ({ at: v.at, by: v.by, byName: name(v.by), result: v.result, detail: v.detail })),
    }))
    const attestations = (attested.get(f.file.path) ?? []).map((a) => ({ peer: a.peer, name: name(a.peer), verifiedAt: a.verifiedAt, mode: a.mode, recordedByName: name(a.recordedBy) }))
    files.push({ path: f.file.path, size: f.file.size, mtime: f.file.mtime, hashes: f.file.hashes, recordedBy: name(f.file.recordedBy), policyMet: f.count.met, missing: f.missing, copies, attestations })
  }
  const timeline = await q.timeline(card)
  const alerts = (await q.alerts()).filter((a) => a.subject === card || a.subject.startsWith(`${card}/`))
  const me = p.home.identity.peerKey
  return {
    version: 1,
    generatedAt: now,
    generatedBy: { peer: me, name: name(me) },
    production: { key: p.key, name: prod.name, policy: prod.policy },
    card: { card, label: st.card.label, files: st.card.files, bytes: st.card.bytes, registeredBy: name(st.card.registeredBy), registeredAt: st.card.registeredAt, state: st.state, everProtected: Boolean(st.card.everProtected), unrecorded: st.unrecorded },
    files,
    mhl: timeline.filter((t) => t.type === 'mhl.generation').map((t) => ({ at: t.at, byName: name(t.by), text: t.text })),
    notes: notesOf(buildNotes((await q.noteUpdates(card)).map((n) => n.update))),
    alerts: alerts.map((a) => ({ at: a.at, severity: a.severity, kind: a.kind, message: a.message, acked: a.acked })),
    timeline: timeline.map((t) => ({ at: t.at, byName: name(t.by), text: t.text })),
  }
}
