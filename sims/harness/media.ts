/**
 * What peers do with media in a simulation, through the real stores and the real log:
 * offload a card (chunks into the DIT's blobs core, file.recorded, two verified copies on the
 * cart), pull replicas (fetch every chunk over the links, verify it, replica.received), attest
 * (post decrypts and re-hashes, a blind vault checks ciphertext against the Merkle tree; a writer
 * records the signed attestation), verify holdings and repair lost blocks from peers.
 *
 * Every event a peer appended successfully goes into the ledger (invariants.ts checks it).
 */
import { hashBytes } from '../../src/crypto/hashes.ts'
import { CardId } from '../../src/crypto/ids.ts'
import { signAttestation } from '../../src/log/attestation.ts'
import type { NewEvent } from '../../src/log/custody-log.ts'
import type { ChunkEntry } from '../../src/log/events.ts'
import type { CopyRecord, FileRecord } from '../../src/log/view.ts'
import type { ChunkRef } from '../../src/store/chunk-store.ts'
import { SimFailure, type Sim, type SimPeer } from './cluster.ts'

export const CHUNK = 4096

export interface LedgerEntry {
  peer: string
  kind: 'file' | 'copy'
  card: string
  path: string
  /** copies: location key and result */
  loc?: string
  result?: string
  at: number
  /** whether every peer must keep it (false for writes of a revoked member after its revocation) */
  binding: boolean
  marker?: string
}

export class Ledger {
  readonly entries: LedgerEntry[] = []
  /** the content of every file offloaded: card/path → bytes (the ground truth for "no data lost") */
  readonly content = new Map<string, Buffer>()
  add(e: LedgerEntry): void { this.entries.push(e) }
}

export function refsOf(f: FileRecord): ChunkRef[] {
  return f.chunks.list.map(([id, core, block, size]: ChunkEntry) => ({ id, core: f.chunks.cores[core]!, block, size, epoch: f.epoch }))
}

async function appendAll(p: SimPeer, events: NewEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 200) await p.log!.appendMany(events.slice(i, i + 200))
}

/** Offload a card of `files` files of `minChunks..maxChunks` KB-sized chunks onto a writer. */
export async function offload(sim: Sim, ledger: Ledger, p: SimPeer, cardName: string, o: { files: number, minChunks?: number, maxChunks?: number, label?: string, marker?: string, binding?: boolean, sidecar?: Buffer }): Promise<void> {
  const rng = sim.rng.fork(`media:${cardName}`)
  const card = CardId.parse(cardName)
  const chunks = p.chunks!
  const files: { path: string, data: Buffer }[] = []
  for (let i = 0; i < o.files; i++) {
    const n = rng.int(o.minChunks ?? 1, o.maxChunks ?? 3)
    const size = (n - 1) * CHUNK + rng.int(1, CHUNK)
    const ext = i === o.files - 1 ? 'xml' : 'mxf'
    // the sidecar (last file) may be the same on every card of a camera: its chunk is stored once
    const data = ext === 'xml' && o.sidecar ? o.sidecar : rng.bytes(size)
    files.push({ path: `${cardName}/${cardName}C${String(i + 1).padStart(3, '0')}.${ext}`, data })
  }
  const total = files.reduce((s, f) => s + f.data.byteLength, 0)
  const ev: NewEvent[] = [{ type: 'card.registered', card, files: files.length, bytes: total, label: o.label ?? '' }]
  const me = p.identity.peerKey
  const binding = o.binding ?? true
  const at = p.log!.now()
  for (const f of files) {
    const list: ChunkEntry[] = []
    for (let off = 0; off < f.data.byteLength; off += CHUNK) {
      const ref = await chunks.put(f.data.subarray(off, off + CHUNK))
      list.push([ref.id, 0, ref.block, ref.size])
    }
    // the store's contract: a chunk put is on disk and verified; a vault copy recorded ok must be readable
    const refs = list.map(([id, , block, size]) => ({ id, core: chunks.ownCore!, block, size, epoch: chunks.epoch }))
    const problems = await chunks.verifyRefs(refs)
    if (problems.length) throw new SimFailure(`offload ${cardName}`, `${p.name} would record a verified vault copy of ${f.path} but ${problems.length} of its chunks are not readable: ${problems[0]!.detail}`)
    const hashes = await hashBytes(f.data, ['xxh64'])
    ev.push({ type: 'file.recorded', card, path: f.path, size: f.data.byteLength, mtime: 0, hashes, chunks: { cores: [chunks.ownCore!], list }, epoch: chunks.epoch })
    ev.push({ type: 'copy.verified', card, path: f.path, location: { kind: 'vault', peer: me }, result: 'ok', hashes, detail: o.marker ?? '' })
    ev.push({ type: 'copy.verified', card, path: f.path, location: { kind: 'dest', peer: me, path: `/Volumes/SHUTTLE-${p.name}`, volume: `SHUTTLE-${p.name}` }, result: 'ok', hashes, detail: o.marker ?? '' })
  }
  await chunks.flush()
  await appendAll(p, ev)
  for (const f of files) {
    if (binding) ledger.content.set(`${cardName}/${f.path}`, f.data)
    ledger.add({ peer: p.name, kind: 'file', card: cardName, path: f.path, at, binding, marker: o.marker })
    ledger.add({ peer: p.name, kind: 'copy', card: cardName, path: f.path, loc: `vault:${me}`, result: 'ok', at, binding, marker: o.marker })
    ledger.add({ peer: p.name, kind: 'copy', card: cardName, path: f.path, loc: `dest:${me}:/Volumes/SHUTTLE-${p.name}`, result: 'ok', at, binding, marker: o.marker })
  }
  sim.log(`${p.name} offloads ${cardName}: ${files.length} files, ${total} bytes`)
}

/** Read a file from `p`'s chunk store (fetching from linked peers), verified chunk by chunk and as a whole. */
export async function readFile(p: SimPeer, f: FileRecord, timeoutMs: number): Promise<Buffer | null> {
  const parts: Buffer[] = []
  for (const ref of refsOf(f)) {
    const c = await p.chunks!.core(ref.core, ref.epoch ?? 0)
    if (!(await c.has(ref.block)) && c.peers.length === 0) return null // nobody to ask right now
    try { parts.push(await p.chunks!.get(ref, { timeout: timeoutMs })) } catch (err) {
      if ((err as { code?: string }).code === 'TIMEOUT') return null
      throw err
    }
  }
  const data = Buffer.concat(parts)
  const h = await hashBytes(data, ['xxh64'])
  if (h.xxh64 !== f.hashes.xxh64) throw new Error(`${f.card}/${f.path}: whole-file xxh64 ${h.xxh64} differs from the recorded ${f.hashes.xxh64}`)
  return data
}

/** Whether `p` is linked right now to a running peer that holds a verified vault copy. */
function reachableHolder(sim: Sim, p: SimPeer, copies: CopyRecord[]): boolean {
  return copies.some((c) => {
    if (c.location.kind !== 'vault' || c.verified?.result !== 'ok') return false
    const name = sim.peerKeyName(c.location.peer)
    const h = sim.peers.get(name)
    return !!h && h.up && h !== p && sim.isWanted(p.name, name)
  })
}

/**
 * A writer (lab, another DIT) pulls every file it has no ok copy of: fetch, verify, record the
 * chunks as received, append replica.received. Returns how many files it recorded.
 */
export async function pullReplicas(sim: Sim, ledger: Ledger, p: SimPeer, o: { cards?: (c: string) => boolean, timeoutMs?: number, marker?: string, binding?: boolean } = {}): Promise<number> {
  if (!p.up || !p.log || !p.log.writable) return 0
  const q = p.log.queries
  const me = p.identity.peerKey
  const out: NewEvent[] = []
  const done: LedgerEntry[] = []
  for (const card of await q.cards()) {
    if (o.cards && !o.cards(card.card)) continue
    const byPath = await q.copiesOfCard(card.card)
    for (const f of await q.files(card.card)) {
      const mine = (byPath.get(f.path) ?? []).find((c) => c.location.kind === 'vault' && c.location.peer === me)
      if (mine?.verified?.result === 'ok') continue
      if (!p.secrets!.hasEpoch(f.epoch)) continue
      // ask only when a peer this one is connected to holds a verified copy (as a peer knows from its view and its connections)
      if (!reachableHolder(sim, p, byPath.get(f.path) ?? [])) continue
      const data = await readFile(p, f, o.timeoutMs ?? 3000)
      if (!data) continue
      for (const ref of refsOf(f)) await p.chunks!.recordReceived(ref)
      out.push({ type: 'replica.received', card: card.card, path: f.path, peer: me, hashes: f.hashes })
      done.push({ peer: p.name, kind: 'copy', card: card.card, path: f.path, loc: `vault:${me}`, result: 'ok', at: p.log.now(), binding: o.binding ?? true, marker: o.marker })
    }
  }
  if (out.length === 0) return 0
  await p.chunks!.flush()
  await appendAll(p, out)
  for (const d of done) ledger.add(d)
  sim.log(`${p.name} received and verified ${out.length} file(s)`)
  return out.length
}

/**
 * A read-only (post) or blind (vault) member proves what it holds with signed attestations; a
 * writer it is linked to records them. `reader` follows `via`'s view for what exists.
 */
export async function attestHoldings(sim: Sim, ledger: Ledger, reader: SimPeer, via: SimPeer, attested: Set<string>, timeoutMs = 3000): Promise<number> {
  if (!reader.up || !via.up || !via.log?.writable || !sim.isWanted(reader.name, via.name)) return 0
  // an attestation applied before the attester's admission is rejected for good (apply() is positional):
  // record only once the admission is in the recording writer's own view
  const m = await via.log.queries.member(reader.identity.peerKey)
  if (m?.state !== 'active') return 0
  const q = (reader.log ?? via.log).queries
  const production = via.log.key
  const out: NewEvent[] = []
  const done: LedgerEntry[] = []
  for (const card of await q.cards()) {
    for (const f of await q.files(card.card)) {
      const id = `${card.card}/${f.path}`
      if (attested.has(id)) continue
      // the reader fetches through `via`: only what `via` holds
      const viaCopy = (await via.log.queries.copies(card.card, f.path)).find((c) => c.location.kind === 'vault' && c.location.peer === via.identity.peerKey)
      if (viaCopy?.verified?.result !== 'ok') continue
      let mode: 'plaintext' | 'ciphertext'
      if (reader.role === 'vault') {
        // blind: mirror the ciphertext blocks and check them against the writer's Merkle tree
        let ok = true
        for (const ref of refsOf(f)) {
          const c = await reader.chunks!.core(ref.core, 'raw')
          if (!(await c.has(ref.block)) && c.peers.length === 0) { ok = false; break }
          try { if (!(await reader.chunks!.getCiphertext(ref.core, ref.block, { timeout: timeoutMs }))) { ok = false; break } } catch { ok = false; break }
        }
        if (!ok) continue
        const cores = [...new Set(refsOf(f).map((r) => r.core))]
        const v = await reader.chunks!.verifyBlocks({ cores })
        if (v.problems.length) throw new Error(`${reader.name}: ciphertext of ${id} fails its Merkle check: ${v.problems[0]!.detail}`)
        mode = 'ciphertext'
      } else {
        if (!reader.secrets!.hasEpoch(f.epoch)) continue
        const data = await readFile(reader, f, timeoutMs)
        if (!data) continue
        mode = 'plaintext'
      }
      const at = reader.log ? reader.log.now() : via.log.now()
      out.push({ type: 'attestation.recorded', attestation: signAttestation(reader.identity, { production, card: card.card, path: f.path, size: f.size, hashes: f.hashes, verifiedAt: at, mode }) })
      done.push({ peer: via.name, kind: 'copy', card: card.card, path: f.path, loc: `vault:${reader.identity.peerKey}`, result: 'ok', at, binding: true })
      attested.add(id)
    }
  }
  if (out.length === 0) return 0
  await appendAll(via, out)
  for (const d of done) ledger.add(d)
  sim.log(`${via.name} records ${out.length} attestation(s) by ${reader.name} (${reader.role === 'vault' ? 'ciphertext' : 'plaintext'})`)
  return out.length
}

/**
 * A writer checks the chunks of every file it claims to hold in its vault; a missing or damaged
 * one is recorded (copy.verified missing/failed) and repaired from a linked peer when possible,
 * then recorded ok again. Returns [found, repaired].
 */
export async function verifyAndRepair(sim: Sim, ledger: Ledger, p: SimPeer, o: { repair: boolean, timeoutMs?: number }): Promise<[number, number]> {
  if (!p.up || !p.log?.writable) return [0, 0]
  const q = p.log.queries
  const me = p.identity.peerKey
  let found = 0, repaired = 0
  for (const card of await q.cards()) {
    const byPath = await q.copiesOfCard(card.card)
    for (const f of await q.files(card.card)) {
      const mine = (byPath.get(f.path) ?? []).find((c) => c.location.kind === 'vault' && c.location.peer === me)
      if (!mine?.verified) continue
      const refs = refsOf(f)
      const problems = await p.chunks!.verifyRefs(refs)
      const loc = { kind: 'vault' as const, peer: me }
      if (problems.length > 0 && mine.verified.result === 'ok') {
        found++
        await p.log.append({ type: 'copy.verified', card: card.card, path: f.path, location: loc, result: 'missing', hashes: f.hashes, detail: problems[0]!.detail })
        ledger.add({ peer: p.name, kind: 'copy', card: card.card, path: f.path, loc: `vault:${me}`, result: 'missing', at: p.log.now(), binding: true })
        sim.log(`${p.name} finds ${card.card}/${f.path} damaged in its vault: ${problems.length} chunk(s) ${problems[0]!.problem}`)
      }
      if (problems.length > 0 || mine.verified.result !== 'ok') {
        if (!o.repair) continue
        let ok = true
        for (const pr of problems) {
          try { await p.chunks!.repair(pr.ref, { timeout: o.timeoutMs ?? 3000 }) } catch { ok = false; break }
        }
        if (!ok) continue
        const data = await readFile(p, f, o.timeoutMs ?? 3000)
        if (!data) continue
        await p.chunks!.flush()
        await p.log.append({ type: 'copy.verified', card: card.card, path: f.path, location: loc, result: 'ok', hashes: f.hashes, detail: 'repaired from a peer' })
        ledger.add({ peer: p.name, kind: 'copy', card: card.card, path: f.path, loc: `vault:${me}`, result: 'ok', at: p.log.now(), binding: true })
        repaired++
      }
    }
  }
  if (repaired) sim.log(`${p.name} repaired ${repaired} file(s) from peers and re-verified them`)
  return [found, repaired]
}

/** A plain destination (a RAID or shuttle drive) is lost: record every copy on it as missing. */
export async function loseDestination(sim: Sim, ledger: Ledger, p: SimPeer, volumePath: string): Promise<number> {
  const q = p.log!.queries
  const me = p.identity.peerKey
  const ev: NewEvent[] = []
  for (const card of await q.cards()) {
    for (const [fpath, copies] of await q.copiesOfCard(card.card)) {
      for (const c of copies) {
        if (c.location.kind !== 'dest' || c.location.peer !== me || c.location.path !== volumePath || c.verified?.result !== 'ok') continue
        const f = await q.file(card.card, fpath)
        ev.push({ type: 'copy.verified', card: card.card, path: fpath, location: c.location, result: 'missing', hashes: f!.hashes, detail: 'drive lost' })
        ledger.add({ peer: p.name, kind: 'copy', card: card.card, path: fpath, loc: `dest:${me}:${volumePath}`, result: 'missing', at: p.log!.now(), binding: true })
      }
    }
  }
  await appendAll(p, ev)
  sim.log(`${p.name} loses drive ${volumePath}: ${ev.length} copies recorded missing`)
  return ev.length
}
