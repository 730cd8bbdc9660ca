/**
 * Export: rebuild a card's files from the vault into a folder (chunk by chunk, streaming), verify
 * every byte against the recorded file hashes before a file gets its final name, and write an
 * ASC MHL generation with process `transfer`. The caller records the copy in the custody log.
 */
import { createReadStream, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { OnsetError, ioError } from '../base/errors.ts'
import { FileHasher, hashMismatches, hashStream } from '../crypto/hashes.ts'
import type { ChunkStore } from '../store/chunk-store.ts'
import { writeGeneration, type WrittenGeneration } from './mhl/history.ts'
import type { ExpectedFile } from './verify.ts'

export interface ExportResult {
  files: { path: string, result: 'ok' | 'failed', detail: string }[]
  mhl: WrittenGeneration | null
  ok: boolean
  bytes: number
}

export async function exportCard(o: { vault: ChunkStore, files: readonly (ExpectedFile & { mtime: number })[], outDir: string, tool: { name: string, version: string }, clock?: () => number, timeout?: number }): Promise<ExportResult> {
  const clock = o.clock ?? Date.now
  const res: ExportResult = { files: [], mhl: null, ok: false, bytes: 0 }
  for (const f of o.files) {
    const final = path.join(o.outDir, ...f.path.split('/'))
    const st = await fs.stat(final).catch(() => null)
    if (st?.isFile()) {
      // an earlier export that was interrupted (crash, full disk) left this file: keep it only if
      // it is byte for byte the recorded file, so rerunning the export resumes it
      const seen = st.size === f.size ? await hashStream(createReadStream(final), Object.keys(f.hashes).filter((a) => a === 'xxh64' || a === 'xxh128') as ('xxh64' | 'xxh128')[]).catch(() => null) : null
      if (!seen || hashMismatches(f.hashes, seen).length) throw new OnsetError('DEST_CONFLICT', `${final} already exists`, { hint: 'export into an empty folder' })
      res.bytes += f.size
      res.files.push({ path: f.path, result: 'ok', detail: 'already there from an earlier export, re-hashed' })
      continue
    }
    await fs.mkdir(path.dirname(final), { recursive: true })
    const partial = final + '.onset-partial'
    const fh = await fs.open(partial, 'w').catch((err: unknown) => { throw ioError(err, 'export', partial) })
    const hasher = await FileHasher.create(Object.keys(f.hashes).filter((a) => a === 'xxh64' || a === 'xxh128') as ('xxh64' | 'xxh128')[])
    let n = 0
    try {
      for (const ref of f.chunks ?? []) {
        const b = await o.vault.get(ref, { timeout: o.timeout ?? 30_000 })
        hasher.update(b)
        await fh.write(b)
        n += b.length
      }
      await fh.sync()
    } catch (err) {
      await fh.close().catch(() => {})
      await fs.rm(partial, { force: true })
      if (err instanceof OnsetError) { res.files.push({ path: f.path, result: 'failed', detail: err.message }); continue }
      throw ioError(err, 'export', partial)
    }
    await fh.close()
    const seen = hasher.digest()
    const bad = hashMismatches(f.hashes, seen)
    if (n !== f.size || bad.length) {
      await fs.rm(partial, { force: true })
      res.files.push({ path: f.path, result: 'failed', detail: n !== f.size ? `rebuilt ${n} bytes, recorded ${f.size}` : `${bad.join(', ')} differ from the recorded hashes` })
      continue
    }
    await fs.rename(partial, final)
    await fs.utimes(final, new Date(), new Date(f.mtime))
    res.bytes += n
    res.files.push({ path: f.path, result: 'ok', detail: '' })
  }
  res.ok = res.files.every((f) => f.result === 'ok')
  if (res.ok && o.files.length) {
    res.mhl = await writeGeneration(o.outDir, {
      files: o.files.map((f) => ({ path: f.path, size: f.size, mtime: f.mtime, hashes: f.hashes, action: 'verified' as const, hashdate: clock() })),
      process: 'transfer', tool: o.tool, hostname: os.hostname(), now: clock(), comment: 'export from the onset vault',
    })
  }
  return res
}
