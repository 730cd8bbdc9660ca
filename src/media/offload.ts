/**
 * Offload: copy a camera card to several destinations and into the encrypted vault in ONE read
 * pass, prove every copy bit-identical to the card, write ASC MHL into every destination, and
 * record every fact in the custody log.
 *
 * Per file: read 1 MiB pieces (the next read is already under way while the current piece is
 * hashed, put into the vault and written to every destination in parallel) into
 * `<dest>/<card>/<path>.onset-partial`; re-read the SOURCE and compare its hashes (the card did
 * not change during the copy); read every destination back and compare. Small files (at most one
 * chunk) are latency-bound, so up to SMALL_FILE_WINDOW of them are copied at once; what is recorded
 * about them still happens one by one in card order. At checkpoints (every 256 files or 512 MiB,
 * and at the end) the verified partial copies are fsynced (in parallel),
 * renamed to their final names, their directories fsynced, then the custody events are appended,
 * then the journal records it all; so nothing is ever recorded as verified that is not durable
 * and verified, and no final name ever holds a partial or unverified copy.
 *
 * Failures are per destination and per file: a full disk stops that destination only; a
 * conflicting file at a destination is left untouched and reported; an unreadable source file is
 * reported and skipped. The result says exactly what happened to every file at every place.
 */
import { spawn } from 'node:child_process'
import { createReadStream, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { OnsetError, ioError } from '../base/errors.ts'
import type { TypedEmitter } from '../base/events.ts'
import { DEFAULT_HASHES, FileHasher, hashStream, type FileHashes, type HashAlgo } from '../crypto/hashes.ts'
import type { CardId, PeerKey } from '../crypto/ids.ts'
import type { Location } from '../log/events.ts'
import { DEFAULT_CHUNK_SIZE, type ChunkRef, type ChunkStore } from '../store/chunk-store.ts'
import type { CustodySink } from './custody-sink.ts'
import { Journal } from './journal.ts'
import { writeGeneration, type MhlFileEntry } from './mhl/history.ts'
import { scanCard, type ScannedFile } from './scan.ts'

export interface OffloadProgress {
  card: string
  bytesDone: number
  bytesTotal: number
  filesDone: number
  filesTotal: number
  /** bytes per second since the start */
  rate: number
  /** seconds left, or null */
  eta: number | null
  current: string | null
}

export interface OffloadEvents extends Record<string, unknown> {
  progress: OffloadProgress
  'file-done': { card: string, path: string, outcomes: Record<string, FileOutcome> }
  'dest-failed': { card: string, dest: string, error: string }
  skipped: { card: string, path: string, reason: string }
}

export type FileOutcome = 'verified' | 'already-verified' | 'conflict' | 'failed' | 'disk-full' | 'skipped'

export interface OffloadResult {
  card: CardId
  files: number
  bytes: number
  /** per file path: per place ('vault' or a dest root) the outcome */
  outcomes: Map<string, Record<string, FileOutcome>>
  problems: { path: string, place: string, error: string }[]
  mhl: { dest: string, generation: number, file: string }[]
  ok: boolean
  seconds: number
}

export interface OffloadOptions {
  cardDir: string
  card: CardId
  dests: string[]
  vault: ChunkStore | null
  custody: CustodySink
  journalDir: string
  self: PeerKey
  hashes?: readonly HashAlgo[]
  chunkSize?: number
  events?: TypedEmitter<OffloadEvents>
  signal?: AbortSignal
  label?: string
  tool?: { name: string, version: string }
  clock?: () => number
  /** emit a progress event every this many bytes (default 64 MiB) */
  progressBytes?: number
  /** how a destination is named in the log (default: its path's last two segments) */
  volumeOf?: (dest: string) => string
}

const PARTIAL = '.onset-partial'
const CHECKPOINT_FILES = 256
/** small files (at most one chunk) in flight at once: their cost is I/O latency, not bandwidth */
const SMALL_FILE_WINDOW = 8
const CHECKPOINT_BYTES = 512 * 1024 * 1024

function volumeName(dest: string): string {
  return path.resolve(dest).split(path.sep).filter(Boolean).slice(-2).join('/') || dest
}

async function hashFile(abs: string, algos: readonly HashAlgo[], size = 1 << 20): Promise<FileHashes> {
  if (size <= 256 * 1024) {
    // small files: one read, no stream machinery
    const h = await FileHasher.create(algos)
    h.update(await fs.readFile(abs))
    return h.digest()
  }
  const { bytes: _b, ...h } = await hashStream(createReadStream(abs, { highWaterMark: Math.max(64 * 1024, Math.min(1 << 20, size)) }), algos)
  return h
}

interface DestState { root: string, cardRoot: string, failed: string | null, location: Location, made: Set<string> }

/** A verified partial copy waiting for the checkpoint: fsync, then rename to its final name. */
interface PendingFinal { partial: string, final: string }

/** What the copying part of one file found (see `begin` in offload). */
interface Started {
  outcomes: Record<string, FileOutcome>
  done: { hashes: FileHashes } | null
  todo: DestState[]
  /** 'done': every place already verified by an earlier run; null: nowhere left to copy to */
  r: { hashes: FileHashes, chunks: ChunkRef[] } | null | 'done' | 'error'
  err?: unknown
}

export async function offload(o: OffloadOptions): Promise<OffloadResult> {
  const t0 = Date.now()
  const clock = o.clock ?? Date.now
  const algos = [...new Set([...DEFAULT_HASHES, ...(o.hashes ?? [])])]
  const chunkSize = o.chunkSize ?? DEFAULT_CHUNK_SIZE
  const scan = await scanCard(o.cardDir)
  for (const s of scan.skipped) o.events?.emit('skipped', { card: o.card, path: s.path, reason: s.reason })
  const journal = await Journal.open(o.journalDir, o.card)
  const dests: DestState[] = []
  for (const d of o.dests) {
    const root = path.resolve(d)
    if (path.resolve(o.cardDir) === root || root.startsWith(path.resolve(o.cardDir) + path.sep)) throw new OnsetError('BAD_ARGUMENT', `destination ${d} is inside the card`)
    // two writers on one partial file, then two renames of it: refuse rather than race
    if (dests.some((x) => x.root === root)) throw new OnsetError('BAD_ARGUMENT', `destination ${d} is given twice`)
    dests.push({ root, cardRoot: path.join(root, o.card), failed: null, made: new Set(), location: { kind: 'dest', peer: o.self, path: path.join(root, o.card), volume: (o.volumeOf ?? volumeName)(root) } })
  }
  const vaultLoc: Location = { kind: 'vault', peer: o.self }
  const result: OffloadResult = { card: o.card, files: scan.files.length, bytes: scan.bytes, outcomes: new Map(), problems: [], mhl: [], ok: false, seconds: 0 }
  const mhlEntries = new Map<string, MhlFileEntry[]>(dests.map((d) => [d.root, []]))

  await o.custody.cardRegistered(o.card, scan.files.length, scan.bytes, o.label ?? '')
  let bytesDone = 0
  let filesDone = 0
  let sinceCheckpointFiles = 0
  let sinceCheckpointBytes = 0
  const progress = (current: string | null) => {
    const secs = (Date.now() - t0) / 1000
    const rate = secs > 0 ? bytesDone / secs : 0
    o.events?.emit('progress', { card: o.card, bytesDone, bytesTotal: scan.bytes, filesDone, filesTotal: scan.files.length, rate, eta: rate > 0 ? (scan.bytes - bytesDone) / rate : null, current })
  }

  // facts wait here until what they state is durable on disk
  let deferred: (() => Promise<void>)[] = []
  let finals: PendingFinal[] = []
  const checkpoint = async () => {
    // the vault's chunks must be durable before a vault copy is recorded as verified
    if (o.vault) await o.vault.flush()
    // fsync the verified partial copies (in parallel: the file system batches them), rename them
    // to their final names, fsync their directories: only then are the copies recorded
    // (a destination that failed since still holds verified copies made before: sync it too)
    const batch = finals
    finals = []
    if (batch.length > 8 && (await syncFilesystems(dests.filter((d) => batch.some((f) => f.partial.startsWith(d.cardRoot + path.sep))).map((d) => d.root)))) {
      // many small files: one syncfs(2) per destination file system instead of one fsync per file
    } else {
      await inParallel(batch, 32, async (f) => {
        const h = await fs.open(f.partial, 'r+')
        try { await h.sync() } finally { await h.close() }
      })
    }
    for (const f of batch) await fs.rename(f.partial, f.final)
    for (const dir of new Set(batch.map((f) => path.dirname(f.final)))) await fsyncDirQuiet(dir)
    for (const rec of deferred) await rec()
    deferred = []
    await o.custody.flush()
    await journal.commit()
    sinceCheckpointFiles = 0
    sinceCheckpointBytes = 0
  }

  /**
   * The copying part of one file (journal check, copy, source re-read, read-back). It runs ahead
   * for small files (up to SMALL_FILE_WINDOW of them at once); everything recorded about a file
   * (custody, journal, MHL entries, checkpoints) happens below in card order.
   */
  const begin = async (f: ScannedFile): Promise<Started> => {
    progress(f.path)
    const outcomes: Record<string, FileOutcome> = {}
    let done: ReturnType<Journal['fileDone']> = null
    const todo: DestState[] = []
    try {
      done = journal.fileDone(f.path, f.size, f.mtime)
      for (const d of dests) {
        if (d.failed) { outcomes[d.root] = 'disk-full'; continue }
        if (done && journal.destDone(f.path, d.root) && (await copyStillGood(path.join(d.cardRoot, ...f.path.split('/')), f.size, done.hashes))) outcomes[d.root] = 'already-verified'
        else todo.push(d)
      }
      if (done && todo.length === 0) return { outcomes, done, todo, r: 'done' }
      const r = await copyOne(o, f, todo, algos, chunkSize, outcomes, result, (p) => { finals.push(p) }, (n) => { bytesDone += n; if (bytesDone % (o.progressBytes ?? 64 << 20) < n) progress(f.path) })
      return { outcomes, done, todo, r }
    } catch (err) {
      return { outcomes, done, todo, r: 'error', err }
    }
  }
  const ahead = new Map<number, Promise<Started>>()
  const small = (f: ScannedFile) => f.size <= chunkSize
  const settleAhead = async () => { await Promise.all(ahead.values()); ahead.clear() }

  for (let i = 0; i < scan.files.length; i++) {
    const f = scan.files[i]!
    if (o.signal?.aborted) {
      await settleAhead()
      throw new OnsetError('IO', 'offload cancelled', { hint: 'run the same command again to resume' })
    }
    const started = ahead.get(i) ?? begin(f)
    ahead.delete(i)
    if (small(f)) {
      for (let k = i + 1; k < Math.min(scan.files.length, i + SMALL_FILE_WINDOW); k++) {
        const g = scan.files[k]!
        if (!small(g)) break
        if (!ahead.has(k)) ahead.set(k, begin(g))
      }
    }
    const { outcomes, done, todo, r, err } = await started
    result.outcomes.set(f.path, outcomes)
    let hashes: FileHashes
    if (r === 'done') {
      hashes = done!.hashes
      if (o.vault) outcomes.vault = 'already-verified'
    } else {
      try {
        if (r === 'error') throw err
        if (!r) { filesDone++; continue }
        hashes = r.hashes
        const h = hashes
        const verifiedDests = todo.filter((d) => outcomes[d.root] === 'verified')
        if (!done && o.vault) outcomes.vault = 'verified'
        else if (o.vault) outcomes.vault = 'already-verified'
        deferred.push(async () => {
          if (!done) {
            await o.custody.fileRecorded({ card: o.card, path: f.path, size: f.size, mtime: f.mtime, hashes: h, chunks: r.chunks })
            if (o.vault) {
              await o.custody.copyMade(o.card, f.path, vaultLoc)
              await o.custody.copyVerified(o.card, f.path, vaultLoc, 'ok', h, 'stored in the vault and re-read')
            }
            journal.add({ t: 'file', path: f.path, size: f.size, mtime: f.mtime, hashes: h })
          }
          for (const d of verifiedDests) {
            await o.custody.copyMade(o.card, f.path, d.location)
            await o.custody.copyVerified(o.card, f.path, d.location, 'ok', h, 'read back and compared')
            journal.add({ t: 'dest', path: f.path, dest: d.root, size: f.size, xxh64: h.xxh64! })
          }
        })
      } catch (err) {
        if (err instanceof OnsetError && (err.code === 'UNREADABLE' || err.code === 'HASH_MISMATCH' || err.code === 'NOT_FOUND' || err.code === 'IO')) {
          result.problems.push({ path: f.path, place: 'source', error: err.message })
          await o.custody.alert(err.code === 'HASH_MISMATCH' ? 'source-changed' : 'unreadable', 'critical', err.message, `${o.card}/${f.path}`)
          outcomes.source = 'failed'
          filesDone++
          continue
        }
        await settleAhead()
        throw err
      }
    }
    for (const d of dests) {
      const oc = outcomes[d.root]
      if (oc === 'verified' || oc === 'already-verified') mhlEntries.get(d.root)!.push({ path: f.path, size: f.size, mtime: f.mtime, hashes, action: 'original', hashdate: clock() })
    }
    filesDone++
    sinceCheckpointFiles++
    sinceCheckpointBytes += f.size
    o.events?.emit('file-done', { card: o.card, path: f.path, outcomes })
    if (sinceCheckpointFiles >= CHECKPOINT_FILES || sinceCheckpointBytes >= CHECKPOINT_BYTES) await checkpoint()
  }
  await checkpoint()
  progress(null)

  // one ASC MHL generation per destination that holds the complete card
  for (const d of dests) {
    const entries = mhlEntries.get(d.root)!
    if (d.failed || entries.length !== scan.files.length) continue
    try {
      const g = await writeGeneration(d.cardRoot, { files: entries, process: 'transfer', tool: o.tool ?? { name: 'onset', version: '0' }, hostname: os.hostname(), now: clock(), comment: `offload of card ${o.card} by onset` })
      await o.custody.mhlWritten(o.card, d.cardRoot, g.generation, 'transfer', g.c4)
      result.mhl.push({ dest: d.root, generation: g.generation, file: g.file })
    } catch (err) {
      result.problems.push({ path: 'ascmhl', place: d.root, error: (err as Error).message })
    }
  }
  await o.custody.flush()
  result.ok = result.problems.length === 0 && dests.every((d) => !d.failed)
  result.seconds = (Date.now() - t0) / 1000
  if (result.ok) await journal.remove()
  return result
}

/**
 * syncfs(2) for each destination's file system, through coreutils' `sync -f` (Linux). Returns
 * false where that is not available, and the caller fsyncs file by file instead.
 */
async function syncFilesystems(roots: string[]): Promise<boolean> {
  if (process.platform !== 'linux' || roots.length === 0) return false
  for (const r of roots) {
    const ok = await new Promise<boolean>((resolve) => {
      const p = spawn('sync', ['-f', r], { stdio: 'ignore' })
      p.on('error', () => resolve(false))
      p.on('exit', (code) => resolve(code === 0))
    })
    if (!ok) return false
  }
  return true
}

async function inParallel<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]!)
  }))
}

/**
 * The proof a resumed offload accepts for a copy the journal says was verified: it is still a
 * regular file of the recorded size and its bytes still give the recorded xxh64 (one read-back,
 * xxh64 only). Anything else sends the file through the normal path again, where an existing
 * different file is a conflict, never overwritten.
 */
async function copyStillGood(p: string, size: number, hashes: FileHashes): Promise<boolean> {
  try {
    const st = await fs.lstat(p)
    if (!st.isFile() || st.size !== size || !hashes.xxh64) return false
    return (await hashFile(p, ['xxh64'], size)).xxh64 === hashes.xxh64
  } catch { return false }
}

async function fsyncDirQuiet(dir: string): Promise<void> {
  try {
    const h = await fs.open(dir, 'r')
    try { await h.sync() } finally { await h.close() }
  } catch { /* directory fsync unsupported here */ }
}

/**
 * Copy one file to `todo` destinations and the vault in one read. Returns null when the file is
 * done for (every destination failed and there is no vault).
 */
async function copyOne(
  o: OffloadOptions, f: ScannedFile, todo: DestState[], algos: HashAlgo[], chunkSize: number,
  outcomes: Record<string, FileOutcome>, result: OffloadResult, addFinal: (p: PendingFinal) => void, onBytes: (n: number) => void,
): Promise<{ hashes: FileHashes, chunks: ChunkRef[] } | null> {
  // an existing final file at a destination: identical → accept after verifying; different → conflict
  const writers: { d: DestState, fh: fs.FileHandle, partial: string, final: string }[] = []
  const existing: DestState[] = []
  for (const d of todo) {
    const final = path.join(d.cardRoot, ...f.path.split('/'))
    let st
    try { st = await fs.lstat(final) } catch { /* absent: the normal case */ }
    if (st?.isFile()) { existing.push(d); continue }
    if (st) {
      // a directory, symlink or device where the file goes: never write through or over it
      outcomes[d.root] = 'conflict'
      const msg = `${final} already exists and is not a regular file; left untouched`
      result.problems.push({ path: f.path, place: d.root, error: msg })
      await o.custody.alert('dest-conflict', 'critical', msg, `${o.card}/${f.path}`)
      continue
    }
    try {
      const parent = path.dirname(final)
      if (!d.made.has(parent)) { await fs.mkdir(parent, { recursive: true }); d.made.add(parent) }
      const partial = final + PARTIAL
      writers.push({ d, fh: await fs.open(partial, 'w'), partial, final })
    } catch (err) {
      destFailed(o, d, err, f, outcomes, result)
    }
  }

  let src: fs.FileHandle
  try { src = await fs.open(f.abs, 'r') } catch (err) {
    for (const w of writers) { await w.fh.close(); await fs.rm(w.partial, { force: true }) }
    throw ioError(err, 'read card file', f.abs)
  }
  const hasher = await FileHasher.create(algos)
  const chunks: ChunkRef[] = []
  let next: Promise<Buffer> | null = null
  try {
    let pos = 0
    const read = (at: number) => {
      const buf = Buffer.allocUnsafe(Math.min(chunkSize, f.size - at))
      return buf.length === 0 ? Promise.resolve(buf) : src.read(buf, 0, buf.length, at).then((r) => buf.subarray(0, r.bytesRead))
    }
    next = f.size > 0 ? read(0) : null
    while (next) {
      let buf: Buffer
      try { buf = await next } catch (err) { throw ioError(err, 'read card file', f.abs) }
      if (buf.length === 0) break
      pos += buf.length
      next = pos < f.size ? read(pos) : null
      hasher.update(buf)
      const jobs: Promise<unknown>[] = []
      if (o.vault) jobs.push(o.vault.put(buf).then((ref) => { chunks.push(ref) }))
      for (const w of writers) {
        if (w.d.failed) continue
        jobs.push(w.fh.write(buf, 0, buf.length).then(() => undefined, (err: unknown) => { destFailed(o, w.d, err, f, outcomes, result) }))
      }
      await Promise.all(jobs)
      onBytes(buf.length)
    }
    if (pos !== f.size) throw new OnsetError('HASH_MISMATCH', `${f.path} changed size during the copy (expected ${f.size}, read ${pos})`)
  } catch (err) {
    await next?.catch(() => {}) // the read-ahead may still be in flight: settle it before closing
    for (const w of writers) { await w.fh.close().catch(() => {}); await fs.rm(w.partial, { force: true }) }
    throw err
  } finally {
    await src.close()
  }
  const hashes = hasher.digest()

  for (const w of writers) await w.fh.close().catch(() => {})
  // the card did not change during the copy
  const again = await hashFile(f.abs, ['xxh64'], f.size)
  if (again.xxh64 !== hashes.xxh64) {
    for (const w of writers) await fs.rm(w.partial, { force: true })
    throw new OnsetError('HASH_MISMATCH', `${f.path} changed on the card during the copy (xxh64 ${hashes.xxh64} then ${again.xxh64}); nothing was recorded`, { hint: 'is the camera or another program still writing to the card?' })
  }
  // read every destination back before it gets its final name
  for (const w of writers) {
    if (w.d.failed) { await fs.rm(w.partial, { force: true }); outcomes[w.d.root] = 'disk-full'; continue }
    const seen = await hashFile(w.partial, ['xxh64', 'xxh128'], f.size)
    if (seen.xxh64 !== hashes.xxh64 || seen.xxh128 !== hashes.xxh128) {
      await fs.rm(w.partial, { force: true })
      outcomes[w.d.root] = 'failed'
      result.problems.push({ path: f.path, place: w.d.root, error: `read-back differs (xxh64 ${seen.xxh64}, card ${hashes.xxh64})` })
      await o.custody.alert('copy-failed', 'critical', `${o.card}/${f.path}: the copy at ${w.d.root} read back wrong`, `${o.card}/${f.path}`)
      continue
    }
    addFinal({ partial: w.partial, final: w.final })
    outcomes[w.d.root] = 'verified'
  }
  for (const d of existing) {
    const final = path.join(d.cardRoot, ...f.path.split('/'))
    const seen = await hashFile(final, ['xxh64', 'xxh128'])
    if (seen.xxh64 === hashes.xxh64 && seen.xxh128 === hashes.xxh128) outcomes[d.root] = 'verified'
    else {
      outcomes[d.root] = 'conflict'
      const msg = `${final} already exists with different content (xxh64 ${seen.xxh64}, card ${hashes.xxh64}); left untouched`
      result.problems.push({ path: f.path, place: d.root, error: msg })
      await o.custody.alert('dest-conflict', 'critical', msg, `${o.card}/${f.path}`)
    }
  }
  return { hashes, chunks }
}

function destFailed(o: OffloadOptions, d: DestState, err: unknown, f: ScannedFile, outcomes: Record<string, FileOutcome>, result: OffloadResult): void {
  if (d.failed) return
  const e = ioError(err, 'write copy', d.root)
  d.failed = e.message
  outcomes[d.root] = 'disk-full'
  result.problems.push({ path: f.path, place: d.root, error: e.message })
  o.events?.emit('dest-failed', { card: o.card, dest: d.root, error: e.message })
  void o.custody.alert(e.code === 'DISK_FULL' ? 'disk-full' : 'dest-failed', 'critical', `${d.root}: ${e.message}; this destination stopped, the others continue`, d.root)
}
