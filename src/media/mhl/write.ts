/**
 * Writing the next generation of an ASC MHL history.
 *
 * `writeGeneration(root, options)`:
 *   1. checks the existing chain (every generation file listed with its c4, none missing): a
 *      history that is already broken is not extended (TAMPERED / MHL_INVALID);
 *   2. numbers the new generation after the highest existing one, named
 *      `NNNN_<basename(root)>_<yyyy-mm-dd>_<hhmmss>Z.mhl` (UTC of `now`);
 *   3. writes <creatorinfo>, <processinfo> (process, root hash, ignore patterns: the newest
 *      generation's patterns plus the given ones), <hashes> with one <hash> per file and one
 *      <directoryhash> per directory in the reference tool's order (post-order: a directory's
 *      sub-directories first, each followed by its <directoryhash>, then its files, names
 *      sorted), and <references> for nested histories;
 *   4. validates the document against the schema (never writes a file the schema rejects);
 *   5. writes it atomically (temp file, fsync, rename, fsync of the directory), then the
 *      extended chain the same way.
 *
 * A crash between 5a and 5b leaves a generation the chain does not list. The chain is the
 * commit record: readHistory refuses such a history, naming the file; the next writeGeneration
 * (the writer resuming its work) moves that uncommitted newest generation aside as
 * `<name>.uncommitted` — kept, never deleted — and writes the generation again. Only the newest
 * generation is treated so; an unlisted generation anywhere else is still refused. One writer at
 * a time per history: the caller serialises writers.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { atomicWriteFile } from '../../base/atomic.ts'
import { OnsetError } from '../../base/errors.ts'
import type { FileHashes, HashAlgo } from '../../crypto/hashes.ts'
import { c4OfBytes, chainXml, checkChain, generationName, generationNumber, listGenerationFiles, readChain } from './chain.ts'
import { directoryHashes } from './dirhash.ts'
import { hashValue, parseGeneration } from './parse.ts'
import { CHAIN_FILE, DEFAULT_IGNORE, MHL_DIR, PREFERRED_HASH_ORDER, XSD_HASH_ORDER, type MhlAuthor, type MhlFileEntry, type MhlProcess } from './types.ts'
import { validateMhl } from './validate.ts'
import { esc, mhlDate } from './xml.ts'

export interface WriteGenerationOptions {
  /** the files of this generation (hashes with their action: original when first hashed, verified when checked against an earlier record) */
  files: readonly MhlFileEntry[]
  process: MhlProcess
  tool: { name: string, version: string }
  /** defaults to os.hostname() */
  hostname?: string
  author?: MhlAuthor
  authors?: readonly MhlAuthor[]
  location?: string
  comment?: string
  /** ignore patterns applied when the files were gathered (default DEFAULT_IGNORE), merged with the newest generation's */
  ignore?: readonly string[]
  /** creation time of the generation (ms) */
  now: number
  /** every directory under the root (relative POSIX paths), so empty ones get their directory hashes as the reference tool's walk gives them */
  directories?: readonly string[]
  /** algorithms of the directory and root hashes; [] writes none. Default: the first of xxh64, xxh128, xxh3, md5, sha1, c4 that every file has */
  directoryHashAlgos?: readonly HashAlgo[]
  /** nested history roots (relative to root); each is referenced by its newest generation */
  references?: readonly string[]
}

export interface WrittenGeneration { generation: number, file: string, c4: string }

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0 }

function authorXml(a: MhlAuthor): string {
  const attrs = (['email', 'phone', 'role'] as const).map((k) => (a[k] ? ` ${k}="${esc(a[k])}"` : '')).join('')
  return `    <author${attrs}>${esc(a.name)}</author>`
}

function checkRelPath(p: string, what: string): void {
  const parts = p.split('/')
  if (!p || p.startsWith('/') || parts.some((x) => x === '' || x === '.' || x === '..')) throw new Error(`bug: ${what} ${JSON.stringify(p)} is not a relative POSIX path`)
  if (parts[0] === MHL_DIR) throw new Error(`bug: ${what} ${JSON.stringify(p)} lies inside ${MHL_DIR}/`)
}

/** Add the next generation to the history at `root` and extend the chain. */
export async function writeGeneration(root: string, o: WriteGenerationOptions): Promise<WrittenGeneration> {
  const dir = path.join(root, MHL_DIR)
  await setAsideUncommitted(root)
  const { chain, files: existing } = await checkChain(root)
  const newestName = [...existing.keys()].sort((a, b) => generationNumber(b)! - generationNumber(a)!)[0]
  const previous = newestName ? parseGeneration(path.join(dir, newestName), existing.get(newestName)!.toString('utf8').replace(/^\uFEFF/, ''), generationNumber(newestName)!, '') : null
  const n = Math.max(0, ...chain.map((e) => e.sequencenr), ...[...existing.keys()].map((k) => generationNumber(k)!)) + 1
  const name = generationName(n, path.basename(path.resolve(root)), o.now)
  const file = path.join(dir, name)
  const date = mhlDate(o.now)

  // the files, checked and normalised
  const seen = new Set<string>()
  const files = o.files.map((f) => {
    checkRelPath(f.path, 'file path')
    if (seen.has(f.path)) throw new Error(`bug: ${f.path} is listed twice`)
    seen.add(f.path)
    const hashes: FileHashes = {}
    for (const a of XSD_HASH_ORDER) if (f.hashes[a]) hashes[a] = hashValue(file, f.path, a, f.hashes[a])
    if (Object.keys(hashes).length === 0) throw new Error(`bug: ${f.path} has no hash`)
    return { ...f, hashes }
  })
  for (const d of o.directories ?? []) checkRelPath(d, 'directory')

  // directory hashes, per algorithm
  const algos = o.directoryHashAlgos ?? PREFERRED_HASH_ORDER.filter((a) => files.every((f) => f.hashes[a])).slice(0, 1)
  const dirs = new Map<string, { content: FileHashes, structure: FileHashes }>()
  for (const a of XSD_HASH_ORDER.filter((x) => algos.includes(x))) {
    if (!files.every((f) => f.hashes[a])) throw new Error(`bug: directory hashes in ${a} need every file's ${a}`)
    const m = await directoryHashes(a, files.map((f) => ({ path: f.path, hash: f.hashes[a]! })), o.directories ?? [])
    for (const [d, hsh] of m) {
      const e = dirs.get(d) ?? { content: {}, structure: {} }
      e.content[a] = hsh.content
      e.structure[a] = hsh.structure
      dirs.set(d, e)
    }
  }
  const dirHashXml = (indent: string, h: { content: FileHashes, structure: FileHashes }): string[] => {
    const out: string[] = []
    for (const part of ['content', 'structure'] as const) {
      out.push(`${indent}<${part}>`)
      for (const a of XSD_HASH_ORDER) if (h[part][a]) out.push(`${indent}  <${a} hashdate="${date}">${h[part][a]}</${a}>`)
      out.push(`${indent}</${part}>`)
    }
    return out
  }

  // references to nested histories
  const refs: { path: string, c4: string }[] = []
  for (const r of o.references ?? []) {
    checkRelPath(r, 'nested history')
    const sub = await checkChain(path.join(root, ...r.split('/')))
    const newest = [...sub.chain].sort((a, b) => b.sequencenr - a.sequencenr)[0]
    if (!newest) throw new OnsetError('NOT_FOUND', `${path.join(root, r)} has no ASC MHL history to reference`)
    refs.push({ path: `${r}/${MHL_DIR}/${newest.path}`, c4: newest.c4 })
  }

  const ignore = [...new Set([...(previous?.processInfo.ignore ?? []), ...(o.ignore ?? DEFAULT_IGNORE)])]
  const authors = [...(o.author ? [o.author] : []), ...(o.authors ?? [])]

  const L: string[] = []
  L.push('<?xml version="1.0" encoding="UTF-8"?>')
  L.push('<hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0">')
  L.push('  <creatorinfo>')
  L.push(`    <creationdate>${date}</creationdate>`)
  L.push(`    <hostname>${esc(o.hostname ?? os.hostname())}</hostname>`)
  L.push(`    <tool version="${esc(o.tool.version)}">${esc(o.tool.name)}</tool>`)
  for (const a of authors) L.push(authorXml(a))
  if (o.location !== undefined) L.push(`    <location>${esc(o.location)}</location>`)
  if (o.comment !== undefined) L.push(`    <comment>${esc(o.comment)}</comment>`)
  L.push('  </creatorinfo>')
  L.push('  <processinfo>')
  L.push(`    <process>${o.process}</process>`)
  const rootHash = dirs.get('')
  if (rootHash) L.push('    <roothash>', ...dirHashXml('      ', rootHash), '    </roothash>')
  if (ignore.length) {
    L.push('    <ignore>')
    for (const p of ignore) L.push(`      <pattern>${esc(p)}</pattern>`)
    L.push('    </ignore>')
  }
  L.push('  </processinfo>')

  // the tree, emitted post-order like the reference tool's walk
  const tree = new Map<string, { files: typeof files, subdirs: Set<string> }>()
  const node = (d: string) => {
    let e = tree.get(d)
    if (!e) tree.set(d, (e = { files: [], subdirs: new Set() }))
    return e
  }
  const addDir = (d: string) => {
    let cur = ''
    for (const p of d.split('/').filter(Boolean)) {
      const next = cur ? `${cur}/${p}` : p
      node(cur).subdirs.add(next)
      node(next)
      cur = next
    }
    return node(cur)
  }
  node('')
  for (const f of files) addDir(path.posix.dirname(f.path) === '.' ? '' : path.posix.dirname(f.path)).files.push(f)
  for (const d of o.directories ?? []) addDir(d)
  const body: string[] = []
  const emit = (d: string): void => {
    const e = tree.get(d)!
    for (const s of [...e.subdirs].sort(cmp)) {
      emit(s)
      const h = dirs.get(s)
      if (h) body.push('    <directoryhash>', `      <path>${esc(s)}</path>`, ...dirHashXml('      ', h), '    </directoryhash>')
    }
    for (const f of [...e.files].sort((a, b) => cmp(a.path, b.path))) {
      const attrs = `${f.size >= 0 ? ` size="${f.size}"` : ''}${f.mtime ? ` lastmodificationdate="${mhlDate(f.mtime)}"` : ''}`
      body.push('    <hash>', `      <path${attrs}>${esc(f.path)}</path>`)
      for (const a of XSD_HASH_ORDER) {
        const v = f.hashes[a]
        if (!v) continue
        const info = f.hashInfo?.[a] ?? { action: f.action, hashdate: f.hashdate }
        body.push(`      <${a} action="${info.action}"${info.hashdate ? ` hashdate="${mhlDate(info.hashdate)}"` : ''}>${v}</${a}>`)
      }
      if (f.previousPath !== undefined) body.push(`      <previousPath>${esc(f.previousPath)}</previousPath>`)
      body.push('    </hash>')
    }
  }
  emit('')
  if (body.length) L.push('  <hashes>', ...body, '  </hashes>')
  if (refs.length) {
    L.push('  <references>')
    for (const r of refs) L.push('    <hashlistreference>', `      <path>${esc(r.path)}</path>`, `      <c4>${r.c4}</c4>`, '    </hashlistreference>')
    L.push('  </references>')
  }
  L.push('</hashlist>')
  const xml = L.join('\n') + '\n'

  await validateMhl(file, xml, 'hashlist') // never write a file the schema rejects
  const bytes = Buffer.from(xml, 'utf8')
  const c4 = c4OfBytes(bytes)
  await fs.mkdir(dir, { recursive: true })
  await atomicWriteFile(file, bytes, { replace: false, what: 'write ASC MHL generation' })

  const chainFile = path.join(dir, CHAIN_FILE)
  const next = chainXml([...chain, { sequencenr: n, path: name, c4 }])
  await validateMhl(chainFile, next, 'directory')
  await atomicWriteFile(chainFile, next, { replace: true, what: 'write ASC MHL chain' })
  return { generation: n, file, c4 }
}

/** A newest generation file the chain does not list is an interrupted write (5a done, 5b not): set it aside. */
async function setAsideUncommitted(root: string): Promise<void> {
  const names = await listGenerationFiles(root)
  if (names.length === 0) return
  const listed = new Set((await readChain(root)).map((e) => e.path))
  const unlisted = names.filter((n) => !listed.has(n))
  const newest = names[names.length - 1]!
  const maxListed = Math.max(0, ...[...listed].map((n) => generationNumber(n) ?? 0))
  if (unlisted.length !== 1 || unlisted[0] !== newest || generationNumber(newest)! <= maxListed) return
  const from = path.join(root, MHL_DIR, newest)
  await fs.rename(from, `${from}.uncommitted`)
}
