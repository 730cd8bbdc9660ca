/**
 * Invariants checked after every scenario step, on every running peer that holds the log:
 *
 *  durable   every event a peer appended (the ledger) is in its own view, and after healing in
 *            every peer's view: no verified copy, file or failure record is ever lost
 *  sound     no card is PROTECTED unless, recomputed here from the raw copy records (latest
 *            verification of each copy), every file meets the policy; and the view's stored
 *            counters (card.recorded, card.met, file.met) agree with that recomputation
 *  monotone  a card's state never goes back to UNSAFE once PROTECTED or DEGRADED on a peer
 *  ignored   nothing a revoked member appended after its revocation shows in any view
 *  converged after healing, every peer's whole view is identical (canonical dump)
 *  data      every byte offloaded can still be read back, verified, by a reader
 */
import type { CardPolicyState } from '../../src/log/queries.ts'
import type { CopyRecord } from '../../src/log/view.ts'
import type { Policy } from '../../src/log/events.ts'
import type { PeerKey } from '../../src/crypto/ids.ts'
import type { Sim, SimPeer } from './cluster.ts'
import { readFile, type Ledger } from './media.ts'

export interface Observed {
  /** per peer, per card: the last state seen */
  states: Map<string, Map<string, CardPolicyState>>
  /** every transition seen, for reporting: "UNSAFE→PROTECTED" → count */
  transitions: Map<string, number>
  checks: number
}

export function newObserved(): Observed { return { states: new Map(), transitions: new Map(), checks: 0 } }

function locKey(c: CopyRecord): string {
  return c.location.kind === 'vault' ? `vault:${c.location.peer}` : `dest:${c.location.peer}:${c.location.path}`
}

/** The policy recomputed here, independently of src/log/policy.ts, from the copies' histories. */
function meets(copies: CopyRecord[], policy: Policy, owner: PeerKey): boolean {
  const ok = copies.filter((c) => c.history.length > 0 && c.history[c.history.length - 1]!.result === 'ok')
  const peers = new Set(ok.map((c) => c.location.peer)).size
  const offsite = ok.filter((c) => c.location.peer !== owner).length
  return ok.length >= policy.copies && peers >= policy.peers && offsite >= policy.offsite
}

/** Checks on one peer's view; returns the violations. */
async function checkPeer(sim: Sim, ledger: Ledger, p: SimPeer, obs: Observed, markers: string[]): Promise<string[]> {
  const bad: string[] = []
  const q = p.log!.queries
  const production = await q.production()
  if (!production) return bad // not replicated yet
  const policy = production.policy

  // durable (own writes)
  const ownEntries = ledger.entries.filter((e) => e.peer === p.name && (e.binding || !p.revoked))
  const files = new Map<string, boolean>()
  const copies = new Map<string, CopyRecord[]>()
  for (const card of await q.cards()) {
    const byPath = await q.copiesOfCard(card.card)
    for (const f of await q.files(card.card)) files.set(`${card.card}/${f.path}`, true)
    for (const [path, cs] of byPath) copies.set(`${card.card}/${path}`, cs)
  }
  const before = bad.length
  for (const e of ownEntries) bad.push(...missingEntry(p, e, files, copies))
  if (bad.length > before) {
    const rej = await q.rejected()
    bad.splice(before, 0, `${p.name}: view at seq ${JSON.stringify((await p.log!.base.view.get('meta/seq'))?.value)}, ${rej.length} rejected; last: ${rej.slice(-2).map((r) => JSON.stringify(r).slice(0, 300)).join(' | ')}`)
    if (rej.length < 0) bad.push(`${p.name}: its view rejected ${rej.length} event(s), last: ${rej.slice(-2).map((r) => JSON.stringify(r).slice(0, 300)).join(' | ')}`)
  }

  // sound + monotone
  let seen = obs.states.get(p.name)
  if (!seen) obs.states.set(p.name, (seen = new Map()))
  for (const card of await q.cards()) {
    const st = await q.cardStatus(card.card)
    if (!st) { bad.push(`${p.name}: card ${card.card} listed but has no status`); continue }
    let metCount = 0
    for (const fs of st.files) {
      const m = meets(fs.copies, policy, card.registeredBy)
      if (m) metCount++
      if (fs.file.met !== m) bad.push(`${p.name}: ${card.card}/${fs.file.path} stored met=${fs.file.met}, recomputed ${m}`)
    }
    const allMet = st.files.length >= card.files && metCount === st.files.length
    if (st.state === 'PROTECTED' && !allMet) bad.push(`${p.name}: ${card.card} shown PROTECTED but only ${metCount}/${card.files} files meet the policy (recorded ${st.files.length})`)
    if (st.state !== 'PROTECTED' && allMet) bad.push(`${p.name}: ${card.card} shown ${st.state} though every file meets the policy`)
    if (card.recorded !== st.files.length) bad.push(`${p.name}: ${card.card} counter recorded=${card.recorded}, files in view ${st.files.length}`)
    if (card.met !== metCount) bad.push(`${p.name}: ${card.card} counter met=${card.met}, recomputed ${metCount}`)
    if (st.state === 'DEGRADED' && !card.everProtected) bad.push(`${p.name}: ${card.card} DEGRADED without ever being PROTECTED`)
    const prev = seen.get(card.card)
    if (prev !== st.state) {
      const t = `${prev ?? 'new'}→${st.state}`
      obs.transitions.set(t, (obs.transitions.get(t) ?? 0) + 1)
      if (!p.revoked && prev && prev !== 'UNSAFE' && st.state === 'UNSAFE') bad.push(`${p.name}: ${card.card} went ${prev} → UNSAFE`)
      seen.set(card.card, st.state)
    }
  }

  // ignored
  if (markers.length && !p.revoked) {
    const dump = JSON.stringify(await q.dump())
    for (const m of markers) if (dump.includes(m)) bad.push(`${p.name}: the view holds "${m}", written by a revoked member after its revocation`)
  }
  return bad
}

function missingEntry(p: SimPeer, e: Ledger['entries'][number], files: Map<string, boolean>, copies: Map<string, CopyRecord[]>): string[] {
  const id = `${e.card}/${e.path}`
  if (e.kind === 'file') return files.has(id) ? [] : [`${p.name}: lost file ${id} (recorded by ${e.peer})`]
  const c = (copies.get(id) ?? []).find((x) => locKey(x) === e.loc)
  if (!c) return [`${p.name}: lost the copy record ${id} @ ${e.loc} (appended by ${e.peer})`]
  if (!c.history.some((h) => h.result === e.result)) return [`${p.name}: the copy ${id} @ ${e.loc} lost its ${e.result} verification (appended by ${e.peer})`]
  return []
}

/** The per-step check over every running peer with a log. */
export async function checkStep(sim: Sim, ledger: Ledger, obs: Observed, markers: string[] = []): Promise<string[]> {
  obs.checks++
  const bad: string[] = []
  for (const p of sim.logPeers()) bad.push(...(await checkPeer(sim, ledger, p, obs, markers)))
  return bad
}

/** After healing: every binding ledger entry is in every (non-revoked) peer's view. */
export async function checkGlobalDurability(sim: Sim, ledger: Ledger): Promise<string[]> {
  const bad: string[] = []
  for (const p of sim.viewPeers()) {
    const q = p.log!.queries
    const files = new Map<string, boolean>()
    const copies = new Map<string, CopyRecord[]>()
    for (const card of await q.cards()) {
      for (const f of await q.files(card.card)) files.set(`${card.card}/${f.path}`, true)
      for (const [path, cs] of await q.copiesOfCard(card.card)) copies.set(`${card.card}/${path}`, cs)
    }
    for (const e of ledger.entries) if (e.binding) bad.push(...missingEntry(p, e, files, copies))
  }
  return bad
}

/** Canonical dumps of every view peer; null when they agree, else a description of the difference. */
export async function viewDifference(sim: Sim, peers: SimPeer[] = sim.viewPeers()): Promise<string | null> {
  const dumps = await Promise.all(peers.map(async (p) => (await p.log!.queries.dump()).map(([k, v]) => `${k}=${JSON.stringify(v)}`)))
  const first = dumps[0]
  if (!first) return null
  for (let i = 1; i < dumps.length; i++) {
    const d = dumps[i]!
    if (d.length === first.length && d.every((x, j) => x === first[j])) continue
    const a = new Set(first), b = new Set(d)
    const onlyA = first.filter((x) => !b.has(x)).map((x) => x.split('=')[0])
    const onlyB = d.filter((x) => !a.has(x)).map((x) => x.split('=')[0])
    return `${peers[0]!.name} (${first.length} keys) vs ${peers[i]!.name} (${d.length} keys): ${onlyA.length} differ on the first (${onlyA.slice(0, 3).join(', ')}), ${onlyB.length} on the second (${onlyB.slice(0, 3).join(', ')})`
  }
  return null
}

/** Every offloaded byte reads back intact through `reader`'s store (fetching from peers as needed). */
export async function checkData(sim: Sim, ledger: Ledger, reader: SimPeer): Promise<string[]> {
  const bad: string[] = []
  const q = reader.log!.queries
  for (const [id, want] of ledger.content) {
    const slash = id.indexOf('/')
    const f = await q.file(id.slice(0, slash) as never, id.slice(slash + 1))
    if (!f) { bad.push(`${reader.name}: no record of ${id}`); continue }
    let got: Buffer | null = null
    try { got = await readFile(reader, f, 10_000) } catch (err) { bad.push(`${reader.name}: ${id}: ${(err as Error).message}`); continue }
    if (!got) bad.push(`${reader.name}: ${id} cannot be read from any peer`)
    else if (!got.equals(want)) bad.push(`${reader.name}: ${id} reads back different bytes`)
  }
  return bad
}
