/**
 * Verifying a folder against its ASC MHL history: read (and so chain-check) the history, re-hash
 * every recorded file on disk in one streaming pass per file (all algorithms the history holds
 * for it), compare with the newest recorded value of each algorithm, and walk the folder for
 * files the history does not know (minus the ignore patterns of the newest generation and
 * DEFAULT_IGNORE). Nothing is written.
 */
import { createReadStream, promises as fs } from 'node:fs'
import path from 'node:path'
import { OnsetError } from '../../base/errors.ts'
import { FileHasher, HASH_ALGOS, type FileHashes, type HashAlgo } from '../../crypto/hashes.ts'
import { compileIgnore } from './ignore.ts'
import { latestEntries, latestIgnore, readHistory } from './read.ts'
import { DEFAULT_IGNORE, PREFERRED_HASH_ORDER, type MhlHistory } from './types.ts'

export interface MhlMismatch { algo: HashAlgo, expected: string, seen: string }

export interface MhlCheck {
  path: string
  /** ok: every recorded algorithm matched; failed: at least one did not (or only failed hashes are recorded); missing: no such file */
  result: 'ok' | 'failed' | 'missing'
  /** the first mismatching algorithm, else the preferred recorded one (null when none is recorded) */
  algo: HashAlgo | null
  expected: string | null
  seen: string | null
  /** every algorithm that disagreed */
  mismatches: MhlMismatch[]
  /** size on disk when it differs from the recorded size */
  sizeSeen?: number
}

export interface MhlVerifyResult {
  history: MhlHistory
  checks: MhlCheck[]
  /** files on disk the history does not record (new files), sorted */
  unlisted: string[]
  ok: boolean
}

export type HashFile = (abs: string, algos: HashAlgo[]) => Promise<FileHashes>

/** Stream a file through the crypto layer's FileHasher (1 MiB reads, constant memory). */
export async function hashFileOnDisk(abs: string, algos: HashAlgo[]): Promise<FileHashes> {
  const h = await FileHasher.create(algos)
  for await (const b of createReadStream(abs, { highWaterMark: 1 << 20 })) h.update(b as Buffer)
  return h.digest()
}

export interface VerifyOptions {
  /** replaces the streaming hasher (tests, a throttled reader) */
  hashFile?: HashFile
  /** files hashed at once (default 2) */
  concurrency?: number
  /** called once per checked file, in completion order */
  onCheck?: (c: MhlCheck) => void
}

/**
 * Verify the folder `root` against its history. The second argument may be a HashFile (the first
 * version's signature) or options.
 */
export async function verifyHistory(root: string, opts: VerifyOptions | HashFile = {}): Promise<MhlVerifyResult> {
  const o: VerifyOptions = typeof opts === 'function' ? { hashFile: opts } : opts
  const hashFile = o.hashFile ?? hashFileOnDisk
  const history = await readHistory(root)
  const latest = latestEntries(history)
  const checks: MhlCheck[] = []
  const queue = [...latest.values()]
  const worker = async (): Promise<void> => {
    for (let e = queue.shift(); e; e = queue.shift()) {
      const algos = HASH_ALGOS.filter((a) => e!.hashes[a])
      const preferred = PREFERRED_HASH_ORDER.find((a) => e!.hashes[a]) ?? null
      const base = { path: e.path, algo: preferred, expected: preferred ? e.hashes[preferred]! : null }
      let c: MhlCheck
      if (!preferred) {
        c = { ...base, result: 'failed', seen: null, mismatches: [] }
      } else {
        const abs = path.join(root, ...e.path.split('/'))
        let st
        try { st = await fs.stat(abs) } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw new OnsetError('UNREADABLE', `cannot read ${abs}: ${(err as Error).message}`, { cause: err })
        }
        if (!st || !st.isFile()) {
          c = { ...base, result: 'missing', seen: null, mismatches: [] }
        } else {
          let seen: FileHashes
          try { seen = await hashFile(abs, algos) } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') { c = { ...base, result: 'missing', seen: null, mismatches: [] }; o.onCheck?.(c); checks.push(c); continue }
            throw new OnsetError('UNREADABLE', `cannot read ${abs}: ${(err as Error).message}`, { cause: err })
          }
          const mismatches = algos.filter((a) => (seen[a] ?? '').toLowerCase() !== e!.hashes[a]!.toLowerCase()).map((a) => ({ algo: a, expected: e!.hashes[a]!, seen: seen[a] ?? '' }))
          const first = mismatches[0]
          c = first
            ? { path: e.path, result: 'failed', algo: first.algo, expected: first.expected, seen: first.seen, mismatches }
            : { ...base, result: 'ok', seen: seen[preferred] ?? null, mismatches }
          if (e.size >= 0 && st.size !== e.size) c.sizeSeen = st.size
        }
      }
      o.onCheck?.(c)
      checks.push(c)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 2) }, worker))
  checks.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))

  const ignored = compileIgnore([...DEFAULT_IGNORE, ...latestIgnore(history)])
  const unlisted: string[] = []
  const walk = async (dir: string, rel: string): Promise<void> => {
    let entries
    try { entries = await fs.readdir(dir, { withFileTypes: true }) } catch (err) {
      throw new OnsetError('UNREADABLE', `cannot read ${dir}: ${(err as Error).message}`, { cause: err })
    }
    for (const d of entries) {
      const r = rel ? `${rel}/${d.name}` : d.name
      if (ignored(r, d.isDirectory())) continue
      if (d.isDirectory()) await walk(path.join(dir, d.name), r)
      else if (d.isFile() && !latest.has(r)) unlisted.push(r)
    }
  }
  await walk(root, '')
  unlisted.sort()
  return { history, checks, unlisted, ok: checks.every((c) => c.result === 'ok') && unlisted.length === 0 }
}
