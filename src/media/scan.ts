/**
 * Walking a camera card: every regular file under the card directory as a relative POSIX path
 * with size and mtime, sorted by path (byte order), so runs are deterministic. OS junk is skipped
 * (IGNORED), and so is an `ascmhl/` history folder (it describes the card, it is not footage).
 * Symlinks and special files are reported, never followed: a card is a plain tree.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { OnsetError, ioError } from '../base/errors.ts'

export const IGNORED = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini', '.Spotlight-V100', '.Trashes', '.fseventsd', '.TemporaryItems', 'ascmhl'])
export const isIgnored = (name: string): boolean => IGNORED.has(name) || name.startsWith('._')

export interface ScannedFile {
  path: string
  abs: string
  size: number
  mtime: number
}

export interface ScanResult {
  files: ScannedFile[]
  bytes: number
  skipped: { path: string, reason: string }[]
}

export async function scanCard(cardDir: string): Promise<ScanResult> {
  let st
  try { st = await fs.stat(cardDir) } catch (err) { throw ioError(err, 'read card', cardDir) }
  if (!st.isDirectory()) throw new OnsetError('BAD_ARGUMENT', `${cardDir} is not a directory`, { hint: 'give the folder of the mounted card' })
  const files: ScannedFile[] = []
  const skipped: { path: string, reason: string }[] = []
  const stack: [string, string][] = [[cardDir, '']]
  while (stack.length) {
    const [dir, rel] = stack.pop()!
    let entries
    try { entries = await fs.readdir(dir, { withFileTypes: true }) } catch (err) {
      skipped.push({ path: rel || '.', reason: ioError(err, 'read directory', dir).message })
      continue
    }
    for (const e of entries) {
      if (isIgnored(e.name)) continue
      const r = rel ? `${rel}/${e.name}` : e.name
      const abs = path.join(dir, e.name)
      if (e.isDirectory()) stack.push([abs, r])
      else if (e.isFile()) {
        try {
          const s = await fs.stat(abs)
          files.push({ path: r, abs, size: s.size, mtime: Math.floor(s.mtimeMs) })
        } catch (err) { skipped.push({ path: r, reason: ioError(err, 'stat', abs).message }) }
      } else if (e.isSymbolicLink()) skipped.push({ path: r, reason: 'symbolic link (not followed)' })
      else skipped.push({ path: r, reason: 'not a regular file' })
    }
  }
  // byte order of the UTF-8 paths (= code point order; JS string order is UTF-16 code units,
  // which differs past U+FFFF), with one key per file, not one per comparison
  const keyed = files.map((f) => ({ f, k: Buffer.from(f.path, 'utf8') }))
  keyed.sort((a, b) => Buffer.compare(a.k, b.k))
  for (let i = 0; i < keyed.length; i++) files[i] = keyed[i]!.f
  return { files, bytes: files.reduce((n, f) => n + f.size, 0), skipped }
}
