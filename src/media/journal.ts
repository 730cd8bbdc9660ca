/**
 * The offload journal: an append-only JSON-lines file per card (`<journal dir>/<card>.jsonl`),
 * fsynced at every checkpoint, so a crashed or killed offload resumes without re-copying what was
 * already verified. A record is written only after the facts it states are durable on disk and
 * in the custody log.
 *
 *   {"t":"file","path":…,"size":…,"mtime":…,"hashes":{…}}           recorded, and in the vault if there is one
 *   {"t":"dest","path":…,"dest":"<dest root>","size":…,"xxh64":…}     verified copy under its final name
 *
 * A torn last line (the crash hit mid-write) is ignored.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { FileHashes } from '../crypto/hashes.ts'

export type JournalRecord =
  | { t: 'file', path: string, size: number, mtime: number, hashes: FileHashes }
  | { t: 'dest', path: string, dest: string, size: number, xxh64: string }

export class Journal {
  readonly file: string
  private readonly files = new Map<string, Extract<JournalRecord, { t: 'file' }>>()
  private readonly dests = new Map<string, Set<string>>()
  private pending: JournalRecord[] = []

  private constructor(file: string) { this.file = file }

  static async open(dir: string, card: string): Promise<Journal> {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 })
    const j = new Journal(path.join(dir, `${card}.jsonl`))
    let text = ''
    try { text = await fs.readFile(j.file, 'utf8') } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue
      let r: JournalRecord
      try { r = JSON.parse(line) as JournalRecord } catch { continue } // torn tail
      j.apply(r)
    }
    return j
  }

  private apply(r: JournalRecord): void {
    if (r.t === 'file') this.files.set(r.path, r)
    else if (r.t === 'dest') {
      let s = this.dests.get(r.path)
      if (!s) this.dests.set(r.path, (s = new Set()))
      s.add(r.dest)
    }
  }

  fileDone(p: string, size: number, mtime: number): Extract<JournalRecord, { t: 'file' }> | null {
    const r = this.files.get(p)
    return r && r.size === size && r.mtime === mtime ? r : null
  }

  destDone(p: string, dest: string): boolean {
    return this.dests.get(p)?.has(dest) ?? false
  }

  add(r: JournalRecord): void {
    this.pending.push(r)
  }

  /** Append and fsync everything added since the last commit. */
  async commit(): Promise<void> {
    if (!this.pending.length) return
    const lines = this.pending.map((r) => JSON.stringify(r) + '\n').join('')
    const fh = await fs.open(this.file, 'a', 0o600)
    try {
      await fh.write(lines)
      await fh.sync()
    } finally {
      await fh.close()
    }
    for (const r of this.pending) this.apply(r)
    this.pending = []
  }

  async remove(): Promise<void> {
    await fs.rm(this.file, { force: true })
  }
}
