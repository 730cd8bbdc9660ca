/**
 * `onset verify` as a job both the CLI (standalone) and a running peer (through its control
 * socket) run: re-hash plain copies and their ASC MHL against the custody log, re-check every
 * vault chunk this peer holds, record each result, and — where asked — repair.
 *
 * Repair:
 *  - a vault chunk found corrupt or missing is dropped and fetched again from a connected peer
 *    (Merkle proof, then decrypt + chunk id), then the file's chunks are re-checked;
 *  - a plain copy that fails is rewritten from the vault (local chunks, or fetched from peers)
 *    into a partial file, re-hashed, then renamed over the bad one.
 * The log records the failure first (a `copy.verified` failed, which raises the alert), then
 * the repair (a `copy.verified` ok whose detail says what was repaired), so the custody
 * timeline shows both.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { OnsetError } from '../base/errors.ts'
import type { FileHashes } from '../crypto/hashes.ts'
import { CardId, ChunkId } from '../crypto/ids.ts'
import type { Location } from '../log/events.ts'
import type { FileRecord } from '../log/view.ts'
import { exportCard } from '../media/export.ts'
import { verifyDest } from '../media/verify.ts'
import type { ChunkProblem, ChunkRef } from '../store/chunk-store.ts'
import { LogCustodySink } from './log-sink.ts'
import { Production } from './production.ts'

export interface VerifyRequest {
  /** one card, or every card */
  card?: string
  /** destinations: the card is at <dest>/<card> */
  dests: string[]
  /** re-check every vault chunk this peer holds */
  vault: boolean
  /** repair what fails (vault chunks from peers, plain copies from the vault) */
  repair: boolean
}

/** Check a verify request that came over the control socket (JSON from another process). */
export function parseVerifyRequest(x: unknown): VerifyRequest {
  const r = (x ?? {}) as Record<string, unknown>
  if (r.card !== undefined && typeof r.card !== 'string') throw new OnsetError('MALFORMED', 'verify request: "card" must be a string')
  if (!Array.isArray(r.dests) || !r.dests.every((d) => typeof d === 'string' && path.isAbsolute(d))) throw new OnsetError('MALFORMED', 'verify request: "dests" must be a list of absolute paths')
  if (typeof r.vault !== 'boolean' || typeof r.repair !== 'boolean') throw new OnsetError('MALFORMED', 'verify request: "vault" and "repair" must be true or false')
  return { card: r.card === undefined ? undefined : CardId.parse(r.card), dests: r.dests as string[], vault: r.vault, repair: r.repair }
}

export type VerifyResult = 'ok' | 'failed' | 'missing' | 'repaired'

export interface VerifyRow {
  card: string
  /** 'vault' or the card's folder on a destination */
  place: string
  path: string
  result: VerifyResult
  detail: string
}

export interface VerifyReport {
  ok: boolean
  checked: number
  /** copies that failed and were not repaired */
  failed: VerifyRow[]
  repaired: VerifyRow[]
  /** false for a read-only member: its results are not in the log */
  recorded: boolean
}

export interface VerifyJobOptions {
  tool: { name: string, version: string }
  /** how long a repair waits for a chunk from peers, ms */
  repairTimeoutMs?: number
  /** true when peers may be connected (a running peer): vault chunks can be re-fetched */
  peersAvailable: boolean
  onRow?: (row: VerifyRow) => void
}

function volumeOf(dest: string): string {
  return path.resolve(dest).split(path.sep).filter(Boolean).slice(-2).join('/')
}

/** Which files this peer's vault holds: its own offloads and what it received. */
async function heldFiles(p: Production, card: CardId, files: FileRecord[]): Promise<FileRecord[]> {
  const self = p.home.identity.peerKey
  const copies = await p.log.queries.copiesOfCard(card)
  return files.filter((f) => (copies.get(f.path) ?? []).some((c) => c.location.kind === 'vault' && c.location.peer === self))
}

export async function runVerify(p: Production, req: VerifyRequest, o: VerifyJobOptions): Promise<VerifyReport> {
  if (!req.vault && req.dests.length === 0) throw new OnsetError('USAGE', 'say what to verify: --dest DIR and/or --vault')
  const self = p.home.identity.peerKey
  const recorded = p.log.writable
  const sink = new LogCustodySink(p.log, self, p.secrets.currentEpoch)
  const record = async (card: CardId, file: string, location: Location, result: 'ok' | 'failed' | 'missing', hashes: FileHashes, detail: string) => {
    if (recorded) await sink.copyVerified(card, file, location, result, hashes, detail)
  }
  let cards: CardId[]
  if (req.card) {
    const card = req.card as CardId
    await p.requireCard(card)
    cards = [card]
  } else cards = (await p.log.queries.cards()).map((x) => x.card)
  const rows: VerifyRow[] = []
  const push = (r: VerifyRow) => { rows.push(r); o.onRow?.(r) }
  for (const card of cards) {
    const files = await p.log.queries.files(card)
    const expected = files.map((f) => ({ path: f.path, size: f.size, hashes: f.hashes, chunks: Production.chunkRefs(f), mtime: f.mtime }))
    for (const d of req.dests) {
      const root = path.join(path.resolve(d), card)
      if (!(await isDir(root))) {
        // checking every card: a destination holds only some of them. Asked for this card: say so.
        if (req.card) push({ card, place: root, path: '*', result: 'missing', detail: `there is no copy of ${card} at ${root}` })
        continue
      }
      const r = await verifyDest(root, expected)
      const location: Location = { kind: 'dest', peer: self, path: root, volume: volumeOf(d) }
      const bad: typeof expected = []
      for (const f of r.files) {
        await record(card, f.path, location, f.result, f.seen, f.detail)
        if (f.result === 'ok') push({ card, place: root, path: f.path, result: 'ok', detail: '' })
        else bad.push(expected.find((e) => e.path === f.path)!)
      }
      for (const m of r.mhl) {
        push({ card, place: root, path: 'ascmhl', result: 'failed', detail: m })
        if (recorded) await sink.alert('mhl-mismatch', 'critical', m, card)
      }
      await sink.flush() // the failures are in the log before any repair
      for (const e of bad) {
        const first = r.files.find((f) => f.path === e.path)!
        if (!req.repair) { push({ card, place: root, path: e.path, result: first.result, detail: first.detail }); continue }
        const fixed = await rewriteFromVault(p, root, e, o)
        await record(card, e.path, location, fixed.ok ? 'ok' : 'failed', fixed.seen, fixed.ok ? `repaired: ${first.result} (${first.detail}); rewritten from the vault and re-verified` : `repair failed: ${fixed.detail}`)
        push({ card, place: root, path: e.path, result: fixed.ok ? 'repaired' : first.result, detail: fixed.ok ? `was ${first.result}: ${first.detail}` : `${first.detail}; repair failed: ${fixed.detail}` })
      }
    }
    if (req.vault) {
      const location: Location = { kind: 'vault', peer: self }
      for (const f of await heldFiles(p, card, files)) {
        const refs = Production.chunkRefs(f)
        const problems = await p.vault.verifyRefs(refs)
        if (!problems.length) {
          await record(card, f.path, location, 'ok', f.hashes, `every chunk re-read and re-hashed (${refs.length})`)
          push({ card, place: 'vault', path: f.path, result: 'ok', detail: '' })
          continue
        }
        const what = describe(problems, refs)
        const result = problems.every((x) => x.problem === 'missing') ? 'missing' : 'failed'
        await record(card, f.path, location, result, {}, what)
        await sink.flush()
        if (!req.repair || !o.peersAvailable) {
          push({ card, place: 'vault', path: f.path, result, detail: what + (o.peersAvailable ? '' : '; to repair, run `onset peer` with the other members reachable and verify again') })
          continue
        }
        const left = await repairChunks(p, problems, o.repairTimeoutMs ?? 30_000)
        if (left.length === 0) {
          await record(card, f.path, location, 'ok', f.hashes, `repaired: ${what}; ${problems.length} chunk(s) fetched again from peers and re-verified`)
          push({ card, place: 'vault', path: f.path, result: 'repaired', detail: what })
        } else {
          push({ card, place: 'vault', path: f.path, result, detail: `${what}; ${left.length} chunk(s) could not be fetched from any connected peer` })
        }
      }
    }
    await sink.flush()
  }
  await sink.flush()
  const failed = rows.filter((r) => r.result === 'failed' || r.result === 'missing')
  return { ok: failed.length === 0, checked: rows.length, failed, repaired: rows.filter((r) => r.result === 'repaired'), recorded }
}

async function isDir(p: string): Promise<boolean> {
  try { return (await fs.stat(p)).isDirectory() } catch { return false }
}

/** "1 of 2 chunk(s) bad: chunk 1 (bdda1a6d606c, block 2 of core 5f0e…) corrupt" — chunk numbers count from 0 within the file. */
function describe(problems: ChunkProblem[], refs: readonly ChunkRef[]): string {
  const at = (r: ChunkRef) => refs.findIndex((x) => x.core === r.core && x.block === r.block)
  const shown = problems.slice(0, 5).map((x) => `chunk ${at(x.ref)} (${ChunkId.short(x.ref.id)}, block ${x.ref.block} of core ${x.ref.core.slice(0, 8)}) ${x.problem}`).join(', ')
  return `${problems.length} of ${refs.length} chunk(s) bad: ${shown}${problems.length > 5 ? ', …' : ''}`
}

/** Drop and re-fetch each bad chunk, then re-check them all; returns what is still bad. */
async function repairChunks(p: Production, problems: ChunkProblem[], timeout: number): Promise<ChunkProblem[]> {
  await Promise.allSettled(problems.map((x) => p.vault.repair(x.ref, { timeout })))
  return p.vault.verifyRefs(problems.map((x) => x.ref))
}

/** Rewrite one plain file from the vault beside the bad one, re-hash it, and swap it in. */
async function rewriteFromVault(p: Production, root: string, e: { path: string, size: number, hashes: FileRecord['hashes'], chunks: ReturnType<typeof Production.chunkRefs>, mtime: number }, o: VerifyJobOptions): Promise<{ ok: boolean, seen: FileHashes, detail: string }> {
  const tmp = path.join(root, `.onset-repair-${process.pid}`)
  try {
    await fs.rm(tmp, { recursive: true, force: true })
    const ex = await exportCard({ vault: p.vault, files: [e], outDir: tmp, tool: o.tool, timeout: o.peersAvailable ? (o.repairTimeoutMs ?? 30_000) : 2000 })
    const f = ex.files[0]
    if (!ex.ok || !f || f.result !== 'ok') return { ok: false, seen: {}, detail: f?.detail ?? 'the vault could not supply the file' }
    const target = path.join(root, ...e.path.split('/'))
    await fs.mkdir(path.dirname(target), { recursive: true })
    await fs.rename(path.join(tmp, ...e.path.split('/')), target)
    const again = await verifyDest(root, [e], {})
    const g = again.files[0]!
    return g.result === 'ok' ? { ok: true, seen: g.seen, detail: '' } : { ok: false, seen: g.seen, detail: g.detail }
  } catch (err) {
    if (err instanceof OnsetError) return { ok: false, seen: {}, detail: err.message }
    throw err
  } finally {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => {})
  }
}
