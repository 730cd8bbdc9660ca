/**
 * ASC MHL histories: the `ascmhl/` folder inside a copy of a card.
 *
 *   ascmhl/NNNN_<folder name>_<yyyy-mm-dd>_<hhmmss>Z.mhl   one generation per hashing session
 *   ascmhl/ascmhl_chain.xml                                the chain: each generation's file name and c4
 *
 * `readHistory` parses every generation (any of md5/sha1/xxh64/xxh3/xxh128/c4), validates each
 * file against the schema, checks the chain (a generation whose c4 differs from the chain was
 * altered), and follows nested histories referenced by `<references>`. `writeGeneration` adds the
 * next generation and extends the chain, continuing any history already there, also one written
 * by another tool. Writes are atomic.
 */
import { createHash } from 'node:crypto'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { atomicWriteFile } from '../../base/atomic.ts'
import { OnsetError } from '../../base/errors.ts'
import { c4FromSha512, HASH_ALGOS, type FileHashes, type HashAlgo } from '../../crypto/hashes.ts'
import { directoryHashes } from './dirhash.ts'
import { validateMhl } from './validate.ts'
import { esc, mhlDate, parseMhlDate, parseXml } from './xml.ts'

export const MHL_DIR = 'ascmhl'
export const CHAIN_FILE = 'ascmhl_chain.xml'
export const DEFAULT_IGNORE = ['.DS_Store', 'ascmhl', 'ascmhl/', '._*', 'Thumbs.db']
/** Element order the schema requires inside <hash>. */
const XSD_HASH_ORDER: HashAlgo[] = ['c4', 'md5', 'sha1', 'xxh128', 'xxh3', 'xxh64']

export type MhlProcess = 'in-place' | 'transfer' | 'flatten'
export type MhlAction = 'original' | 'verified' | 'failed'

export interface MhlFileEntry {
  path: string
  size: number
  mtime: number
  hashes: FileHashes
  action: MhlAction
  hashdate: number
}

export interface MhlGeneration {
  generation: number
  file: string
  c4: string
  createdAt: number | null
  tool: string
  hostname: string
  process: string
  files: MhlFileEntry[]
  /** nested histories referenced by this generation (paths relative to the history root) */
  references: string[]
}

export interface MhlHistory {
  root: string
  generations: MhlGeneration[]
  /** nested histories, keyed by their path relative to this root */
  children: Map<string, MhlHistory>
}

export function c4OfBytes(b: Uint8Array): string {
  return c4FromSha512(createHash('sha512').update(b).digest())
}

function generationName(n: number, folder: string, at: number): string {
  const iso = new Date(at).toISOString()
  return `${String(n).padStart(4, '0')}_${folder}_${iso.slice(0, 10)}_${iso.slice(11, 19).replace(/:/g, '')}Z.mhl`
}

const GEN_RE = /^(\d{4})_.*_\d{4}-\d{2}-\d{2}_\d{6}Z\.mhl$/

function text(v: unknown): string {
  if (typeof v === 'string') return v
  if (v && typeof v === 'object' && '#text' in v) return String((v as { '#text': unknown })['#text'])
  return ''
}

function asObj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {}
}

function parseGeneration(file: string, xml: string, n: number, c4: string): MhlGeneration {
  const doc = parseXml(file, xml)
  const hl = asObj(doc.hashlist)
  const ci = asObj(hl.creatorinfo)
  const pi = asObj(hl.processinfo)
  const files: MhlFileEntry[] = []
  for (const h of (asObj(hl.hashes).hash as unknown[] | undefined) ?? []) {
    const ho = asObj(h)
    const p = ho.path
    const po = asObj(p)
    const rel = text(p)
    if (!rel) throw new OnsetError('MHL_INVALID', `${file}: a <hash> entry has no path`)
    const hashes: FileHashes = {}
    let action: MhlAction = 'original'
    let hashdate = 0
    for (const a of HASH_ALGOS) {
      const el = ho[a]
      if (el === undefined) continue
      hashes[a] = a === 'c4' ? text(el) : text(el).toLowerCase()
      const eo = asObj(el)
      if (typeof eo['@action'] === 'string') action = eo['@action'] as MhlAction
      hashdate = parseMhlDate(eo['@hashdate'] as string | undefined) ?? hashdate
    }
    files.push({ path: rel, size: Number(po['@size'] ?? -1), mtime: parseMhlDate(po['@lastmodificationdate'] as string | undefined) ?? 0, hashes, action, hashdate })
  }
  const refs = ((asObj(hl.references).hashlistreference as unknown[] | undefined) ?? []).map((r) => text(asObj(r).path))
  return {
    generation: n, file, c4,
    createdAt: parseMhlDate(text(ci.creationdate)),
    tool: `${text(ci.tool)}${asObj(ci.tool)['@version'] ? ' ' + String(asObj(ci.tool)['@version']) : ''}`,
    hostname: text(ci.hostname),
    process: text(pi.process),
    files,
    references: refs.filter(Boolean),
  }
}

interface ChainEntry { sequencenr: number, path: string, c4: string }

async function readChain(root: string): Promise<ChainEntry[]> {
  const file = path.join(root, MHL_DIR, CHAIN_FILE)
  let xml: string
  try { xml = await fs.readFile(file, 'utf8') } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new OnsetError('UNREADABLE', `cannot read ${file}: ${(err as Error).message}`)
  }
  const doc = parseXml(file, xml)
  await validateMhl(file, xml, 'directory')
  const list = (asObj(doc.ascmhldirectory).hashlist as unknown[] | undefined) ?? []
  return list.map((h) => {
    const o = asObj(h)
    return { sequencenr: Number(o['@sequencenr']), path: text(o.path), c4: text(o.c4) }
  })
}

/** Read and check a whole history. A folder without ascmhl/ has an empty history. */
export async function readHistory(root: string, opts: { depth?: number } = {}): Promise<MhlHistory> {
  const dir = path.join(root, MHL_DIR)
  let names: string[] = []
  try { names = (await fs.readdir(dir)).filter((n) => GEN_RE.test(n)).sort() } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new OnsetError('UNREADABLE', `cannot read ${dir}: ${(err as Error).message}`)
  }
  const chain = await readChain(root)
  const generations: MhlGeneration[] = []
  for (const name of names) {
    const file = path.join(dir, name)
    const bytes = await fs.readFile(file)
    const c4 = c4OfBytes(bytes)
    const n = Number(name.slice(0, 4))
    const entry = chain.find((e) => e.path === name)
    if (!entry) throw new OnsetError('MHL_INVALID', `${file}: generation ${n} is not listed in ${CHAIN_FILE}`, { hint: 'the history was edited or partly copied' })
    if (entry.c4 !== c4) throw new OnsetError('TAMPERED', `${file}: generation ${n} was altered (its c4 ${c4.slice(0, 16)}… differs from the chain's ${entry.c4.slice(0, 16)}…)`)
    const xml = bytes.toString('utf8')
    const g = parseGeneration(file, xml, n, c4)
    await validateMhl(file, xml, 'hashlist')
    generations.push(g)
  }
  for (const e of chain) {
    if (!names.includes(e.path)) throw new OnsetError('MHL_INVALID', `${path.join(dir, e.path)}: listed in ${CHAIN_FILE} but missing`, { hint: 'a generation file was deleted' })
  }
  const children = new Map<string, MhlHistory>()
  if ((opts.depth ?? 0) < 8) {
    for (const g of generations) {
      for (const ref of g.references) {
        // a reference points at a generation file inside a nested history: <sub>/ascmhl/NNNN_….mhl
        const sub = path.posix.dirname(path.posix.dirname(ref))
        if (!children.has(sub)) children.set(sub, await readHistory(path.join(root, sub), { depth: (opts.depth ?? 0) + 1 }))
      }
    }
  }
  return { root, generations, children }
}

/** The newest recorded entry of every file path across all generations (nested ones prefixed). */
export function latestEntries(h: MhlHistory, prefix = ''): Map<string, MhlFileEntry> {
  const out = new Map<string, MhlFileEntry>()
  for (const g of h.generations) for (const f of g.files) out.set(prefix + f.path, { ...f, path: prefix + f.path })
  for (const [sub, child] of h.children) for (const [p, e] of latestEntries(child, `${prefix}${sub}/`)) out.set(p, e)
  return out
}

export interface WriteGenerationOptions {
  files: readonly MhlFileEntry[]
  process: MhlProcess
  tool: { name: string, version: string }
  hostname?: string
  author?: { name: string, email?: string, role?: string }
  comment?: string
  ignore?: readonly string[]
  now: number
}

export interface WrittenGeneration { generation: number, file: string, c4: string }

/** Add the next generation to the history at `root` and extend the chain. */
export async function writeGeneration(root: string, o: WriteGenerationOptions): Promise<WrittenGeneration> {
  const dir = path.join(root, MHL_DIR)
  await fs.mkdir(dir, { recursive: true })
  const chain = await readChain(root)
  const existing = (await fs.readdir(dir)).filter((n) => GEN_RE.test(n)).map((n) => Number(n.slice(0, 4)))
  const n = Math.max(0, ...existing, ...chain.map((e) => e.sequencenr)) + 1
  const folder = path.basename(path.resolve(root))
  const name = generationName(n, folder, o.now)
  const date = mhlDate(o.now)
  const files = [...o.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const dirAlgo: HashAlgo = files.every((f) => f.hashes.xxh64) ? 'xxh64' : (XSD_HASH_ORDER.find((a) => files.every((f) => f.hashes[a])) ?? 'xxh64')
  const dirs = files.length && files.every((f) => f.hashes[dirAlgo]) ? await directoryHashes(dirAlgo, files.map((f) => ({ path: f.path, hash: f.hashes[dirAlgo]! }))) : null

  const L: string[] = []
  L.push('<?xml version="1.0" encoding="UTF-8"?>')
  L.push('<hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0">')
  L.push('  <creatorinfo>')
  L.push(`    <creationdate>${date}</creationdate>`)
  L.push(`    <hostname>${esc(o.hostname ?? os.hostname())}</hostname>`)
  L.push(`    <tool version="${esc(o.tool.version)}">${esc(o.tool.name)}</tool>`)
  if (o.author) L.push(`    <author${o.author.email ? ` email="${esc(o.author.email)}"` : ''}${o.author.role ? ` role="${esc(o.author.role)}"` : ''}>${esc(o.author.name)}</author>`)
  if (o.comment) L.push(`    <comment>${esc(o.comment)}</comment>`)
  L.push('  </creatorinfo>')
  L.push('  <processinfo>')
  L.push(`    <process>${o.process}</process>`)
  const root0 = dirs?.get('')
  if (root0) {
    L.push('    <roothash>')
    L.push(`      <content>\n        <${dirAlgo} hashdate="${date}">${root0.content}</${dirAlgo}>\n      </content>`)
    L.push(`      <structure>\n        <${dirAlgo} hashdate="${date}">${root0.structure}</${dirAlgo}>\n      </structure>`)
    L.push('    </roothash>')
  }
  L.push('    <ignore>')
  for (const p of o.ignore ?? DEFAULT_IGNORE) L.push(`      <pattern>${esc(p)}</pattern>`)
  L.push('    </ignore>')
  L.push('  </processinfo>')
  if (files.length) {
    L.push('  <hashes>')
    for (const f of files) {
      L.push('    <hash>')
      L.push(`      <path size="${f.size}" lastmodificationdate="${mhlDate(f.mtime)}">${esc(f.path)}</path>`)
      for (const a of XSD_HASH_ORDER) {
        const v = f.hashes[a]
        if (v) L.push(`      <${a} action="${f.action}" hashdate="${mhlDate(f.hashdate)}">${v}</${a}>`)
      }
      L.push('    </hash>')
    }
    if (dirs) {
      for (const [d, hsh] of [...dirs.entries()].filter(([d]) => d !== '').sort(([a], [b]) => (a < b ? -1 : 1))) {
        L.push('    <directoryhash>')
        L.push(`      <path>${esc(d)}</path>`)
        L.push(`      <content>\n        <${dirAlgo} hashdate="${date}">${hsh.content}</${dirAlgo}>\n      </content>`)
        L.push(`      <structure>\n        <${dirAlgo} hashdate="${date}">${hsh.structure}</${dirAlgo}>\n      </structure>`)
        L.push('    </directoryhash>')
      }
    }
    L.push('  </hashes>')
  }
  L.push('</hashlist>')
  const xml = L.join('\n') + '\n'
  const file = path.join(dir, name)
  await validateMhl(file, xml, 'hashlist') // never write a file the schema rejects
  const bytes = Buffer.from(xml, 'utf8')
  const c4 = c4OfBytes(bytes)
  await atomicWriteFile(file, bytes, { replace: false, what: 'write ASC MHL generation' })

  const all = [...chain.filter((e) => e.path !== name), { sequencenr: n, path: name, c4 }].sort((a, b) => a.sequencenr - b.sequencenr)
  const C: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<ascmhldirectory xmlns="urn:ASC:MHL:DIRECTORY:v2.0">']
  for (const e of all) C.push(`  <hashlist sequencenr="${e.sequencenr}">\n    <path>${esc(e.path)}</path>\n    <c4>${e.c4}</c4>\n  </hashlist>`)
  C.push('</ascmhldirectory>')
  const chainXml = C.join('\n') + '\n'
  await validateMhl(path.join(dir, CHAIN_FILE), chainXml, 'directory')
  await atomicWriteFile(path.join(dir, CHAIN_FILE), chainXml, { replace: true, what: 'write ASC MHL chain' })
  return { generation: n, file, c4 }
}

export interface MhlCheck {
  path: string
  result: 'ok' | 'failed' | 'missing'
  algo: HashAlgo | null
  expected: string | null
  seen: string | null
}

/** Re-hash the files on disk against the newest recorded hash of each (streaming). */
export async function verifyHistory(root: string, hashFile: (abs: string, algos: HashAlgo[]) => Promise<FileHashes>): Promise<{ checks: MhlCheck[], unlisted: string[] }> {
  const h = await readHistory(root)
  const latest = latestEntries(h)
  const checks: MhlCheck[] = []
  for (const [p, e] of latest) {
    const algo = XSD_HASH_ORDER.slice().reverse().find((a) => e.hashes[a]) ?? null
    if (!algo) continue
    const abs = path.join(root, ...p.split('/'))
    let seen: FileHashes
    try { seen = await hashFile(abs, [algo]) } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as OnsetError).code === 'NOT_FOUND') { checks.push({ path: p, result: 'missing', algo, expected: e.hashes[algo]!, seen: null }); continue }
      throw err
    }
    checks.push({ path: p, result: seen[algo] === e.hashes[algo] ? 'ok' : 'failed', algo, expected: e.hashes[algo]!, seen: seen[algo] ?? null })
  }
  const unlisted: string[] = []
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const d of await fs.readdir(dir, { withFileTypes: true })) {
      if (d.name === MHL_DIR || d.name === '.DS_Store' || d.name.startsWith('._')) continue
      const r = rel ? `${rel}/${d.name}` : d.name
      if (d.isDirectory()) await walk(path.join(dir, d.name), r)
      else if (d.isFile() && !latest.has(r)) unlisted.push(r)
    }
  }
  await walk(root, '')
  return { checks, unlisted: unlisted.sort() }
}
