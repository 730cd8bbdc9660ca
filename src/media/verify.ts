/**
 * Verification of what the log says exists: plain copies at a destination (re-hashed, streaming,
 * against the recorded hashes and, when present, the destination's ASC MHL history) and vault
 * chunks (each re-read, decrypted and re-hashed against its id). Results name exactly which
 * files and which chunks failed.
 */
import { createReadStream, promises as fs } from 'node:fs'
import path from 'node:path'
import { OnsetError, ioError } from '../base/errors.ts'
import { hashMismatches, hashStream, type FileHashes, type HashAlgo } from '../crypto/hashes.ts'
import type { ChunkRef, ChunkStore } from '../store/chunk-store.ts'
import { latestEntries, readHistory } from './mhl/history.ts'

export interface ExpectedFile {
  path: string
  size: number
  hashes: FileHashes
  chunks?: ChunkRef[]
}

export interface FileCheck {
  path: string
  result: 'ok' | 'failed' | 'missing'
  detail: string
  seen: FileHashes
}

export interface DestVerifyResult {
  root: string
  files: FileCheck[]
  /** problems with the destination's MHL history (tampered, invalid, disagreeing) */
  mhl: string[]
  ok: boolean
}

export async function verifyDest(cardRoot: string, expected: readonly ExpectedFile[], opts: { algos?: HashAlgo[] } = {}): Promise<DestVerifyResult> {
  const algos = opts.algos ?? ['xxh64', 'xxh128']
  const files: FileCheck[] = []
  for (const e of expected) {
    const abs = path.join(cardRoot, ...e.path.split('/'))
    let st
    try { st = await fs.stat(abs) } catch { files.push({ path: e.path, result: 'missing', detail: `${abs} is missing`, seen: {} }); continue }
    if (!st.isFile()) { files.push({ path: e.path, result: 'failed', detail: `${abs} is not a regular file`, seen: {} }); continue }
    let bytes: number, seen: FileHashes
    try {
      ({ bytes, ...seen } = await hashStream(createReadStream(abs, { highWaterMark: 1 << 20 }), algos.filter((a) => e.hashes[a] !== undefined)))
    } catch (err) {
      // an unreadable copy is a failed copy, named; the other files are still checked
      files.push({ path: e.path, result: 'failed', detail: ioError(err, 'read copy', abs).message, seen: {} })
      continue
    }
    const bad = hashMismatches(e.hashes, seen)
    if (bytes !== e.size || st.size !== e.size) files.push({ path: e.path, result: 'failed', detail: `size ${st.size}, recorded ${e.size}`, seen })
    else if (bad.length) files.push({ path: e.path, result: 'failed', detail: bad.map((a) => `${a} ${seen[a]} ≠ recorded ${e.hashes[a]}`).join('; '), seen })
    else files.push({ path: e.path, result: 'ok', detail: '', seen })
  }
  const mhl: string[] = []
  try {
    const h = await readHistory(cardRoot)
    const latest = latestEntries(h)
    for (const e of expected) {
      const m = latest.get(e.path)
      if (m && m.hashes.xxh64 && e.hashes.xxh64 && m.hashes.xxh64 !== e.hashes.xxh64) mhl.push(`${e.path}: the MHL records xxh64 ${m.hashes.xxh64}, the custody log ${e.hashes.xxh64}`)
    }
  } catch (err) {
    if (err instanceof OnsetError) mhl.push(err.message)
    else throw err
  }
  return { root: cardRoot, files, mhl, ok: files.every((f) => f.result === 'ok') && mhl.length === 0 }
}

export interface ChunkCheck {
  path: string
  ref: ChunkRef
  index: number
  error: string
}

/** Re-read every chunk of every file from the vault; returns the bad ones. */
export async function verifyVault(vault: ChunkStore, expected: readonly ExpectedFile[], opts: { timeout?: number } = {}): Promise<ChunkCheck[]> {
  const bad: ChunkCheck[] = []
  for (const e of expected) {
    for (const [i, ref] of (e.chunks ?? []).entries()) {
      try { await vault.get(ref, { timeout: opts.timeout ?? 2000 }) } catch (err) {
        if (!(err instanceof OnsetError)) throw err
        bad.push({ path: e.path, ref, index: i, error: err.message })
      }
    }
  }
  return bad
}
