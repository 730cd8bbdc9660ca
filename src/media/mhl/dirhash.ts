/**
 * ASC MHL directory hashes, as the reference implementation defines them:
 *
 *   content(dir)   = H( concat over children, sorted by their hash text, of bytes(child content hash) )
 *   structure(dir) = H( concat over children, sorted by hash text, of bytes( H(utf8(name) || bytes(child hash)) ) )
 *                    where child hash = a file's content hash, or a sub-directory's structure hash
 *
 * H is the algorithm of the hash list (xxh64 here, or any of HASH_ALGOS); "bytes" of a hash text
 * is its hex decoding (for c4: the 64-byte SHA-512 value behind the base58 text). An empty
 * directory hashes the empty input. The root hash is the same computation for the history root.
 * The sort is a plain code-unit sort of the lowercase hex (or c4) texts, as Python's list.sort().
 *
 * The reference tool walks the file system, so an empty directory counts as a child (with the
 * empty-input hashes); callers that know of empty directories pass them as `extraDirs`.
 */
import { createHash } from 'node:crypto'
import { c4FromSha512, hashBytes, type HashAlgo } from '../../crypto/hashes.ts'

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

export function hashTextToBytes(algo: HashAlgo, text: string): Buffer {
  if (algo !== 'c4') return Buffer.from(text, 'hex')
  let n = 0n
  for (const ch of text.slice(2)) n = n * 58n + BigInt(B58.indexOf(ch))
  return Buffer.from(n.toString(16).padStart(128, '0'), 'hex')
}

async function h(algo: HashAlgo, data: Buffer): Promise<string> {
  if (algo === 'c4') return c4FromSha512(createHash('sha512').update(data).digest())
  return (await hashBytes(data, [algo]))[algo]!
}

async function hashOfList(algo: HashAlgo, list: string[]): Promise<string> {
  const sorted = [...list].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return h(algo, Buffer.concat(sorted.map((s) => hashTextToBytes(algo, s))))
}

export interface DirHash { content: string, structure: string }

/**
 * Directory hashes for every directory (relative path, '' = the root) from the files' hashes.
 * `files` are relative POSIX paths.
 */
export async function directoryHashes(algo: HashAlgo, files: readonly { path: string, hash: string }[], extraDirs: readonly string[] = []): Promise<Map<string, DirHash>> {
  // children per directory
  const dirs = new Map<string, { files: { name: string, hash: string }[], subdirs: Set<string> }>()
  const ensure = (d: string) => {
    let e = dirs.get(d)
    if (!e) dirs.set(d, (e = { files: [], subdirs: new Set() }))
    return e
  }
  ensure('')
  for (const f of files) {
    const parts = f.path.split('/')
    const name = parts.pop()!
    let dir = ''
    ensure('')
    for (const p of parts) {
      const child = dir ? `${dir}/${p}` : p
      ensure(dir).subdirs.add(child)
      ensure(child)
      dir = child
    }
    ensure(dir).files.push({ name, hash: algo === 'c4' ? f.hash : f.hash.toLowerCase() })
  }
  for (const x of extraDirs) {
    let dir = ''
    for (const p of x.split('/').filter(Boolean)) {
      const child = dir ? `${dir}/${p}` : p
      ensure(dir).subdirs.add(child)
      ensure(child)
      dir = child
    }
  }
  const out = new Map<string, DirHash>()
  // deepest first
  const depth = (d: string) => (d === '' ? 0 : d.split('/').length)
  const order = [...dirs.keys()].sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : 1))
  for (const d of order) {
    const e = dirs.get(d)!
    const content: string[] = []
    const structure: string[] = []
    for (const f of e.files) {
      content.push(f.hash)
      structure.push(await h(algo, Buffer.concat([Buffer.from(f.name, 'utf8'), hashTextToBytes(algo, f.hash)])))
    }
    for (const s of e.subdirs) {
      const sub = out.get(s)!
      content.push(sub.content)
      const name = s.split('/').pop()!
      structure.push(await h(algo, Buffer.concat([Buffer.from(name, 'utf8'), hashTextToBytes(algo, sub.structure)])))
    }
    out.set(d, { content: await hashOfList(algo, content), structure: await hashOfList(algo, structure) })
  }
  return out
}
