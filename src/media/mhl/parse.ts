/**
 * Parse one ASC MHL generation file (<hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0">) into typed
 * records. The caller has checked well-formedness and the schema (see read.ts); this checks what
 * the schema cannot: hash texts of the right form for their algorithm, relative paths.
 */
import { OnsetError } from '../../base/errors.ts'
import { HASH_ALGOS, type FileHashes, type HashAlgo } from '../../crypto/hashes.ts'
import type { MhlAction, MhlAuthor, MhlDirEntry, MhlDirHashes, MhlFileEntry, MhlGeneration, MhlHashInfo, MhlReference } from './types.ts'
import { asList, asObj, parseMhlDate, parseXml, text } from './xml.ts'

const HASH_FORM: Record<HashAlgo, RegExp> = {
  xxh64: /^[0-9a-f]{16}$/,
  xxh3: /^[0-9a-f]{16}$/,
  xxh128: /^[0-9a-f]{32}$/,
  md5: /^[0-9a-f]{32}$/,
  sha1: /^[0-9a-f]{40}$/,
  c4: /^c4[1-9A-HJ-NP-Za-km-z]{88}$/,
}

/** Normalise a hash text (hex lowercased; c4 as is); MHL_INVALID when it is not of the algorithm's form. */
export function hashValue(file: string, where: string, algo: HashAlgo, raw: string): string {
  const v = algo === 'c4' ? raw.trim() : raw.trim().toLowerCase()
  if (!HASH_FORM[algo].test(v)) throw new OnsetError('MHL_INVALID', `${file}: ${where}: ${JSON.stringify(raw)} is not a ${algo} hash`)
  return v
}

function safeRelPath(file: string, p: string): string {
  const parts = p.split('/')
  if (!p || p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || parts.some((x) => x === '..' || x === '')) {
    throw new OnsetError('MHL_INVALID', `${file}: ${JSON.stringify(p)} is not a relative path inside the history`)
  }
  return p
}

function dirHashes(file: string, where: string, o: Record<string, unknown>): MhlDirHashes {
  const content: FileHashes = {}
  const structure: FileHashes = {}
  for (const a of HASH_ALGOS) {
    const c = asObj(o.content)[a]
    const s = asObj(o.structure)[a]
    if (c !== undefined) content[a] = hashValue(file, `${where} content`, a, text(c))
    if (s !== undefined) structure[a] = hashValue(file, `${where} structure`, a, text(s))
  }
  return { content, structure }
}

/** `checked`: the caller already checked well-formedness. */
export function parseGeneration(file: string, xml: string, generation: number, c4: string, opts: { checked?: boolean } = {}): MhlGeneration {
  const doc = parseXml(file, xml, opts)
  const hl = asObj(doc.hashlist)
  const ci = asObj(hl.creatorinfo)
  const pi = asObj(hl.processinfo)

  const files: MhlFileEntry[] = []
  const directories: MhlDirEntry[] = []
  const hashes = asObj(hl.hashes)
  for (const h of asList(hashes.hash)) {
    const ho = asObj(h)
    const po = asObj(ho.path)
    const rel = safeRelPath(file, text(ho.path))
    const out: FileHashes = {}
    const hashInfo: Partial<Record<HashAlgo, MhlHashInfo>> = {}
    let first: MhlHashInfo | null = null
    for (const a of HASH_ALGOS) {
      const el = ho[a]
      if (el === undefined) continue
      out[a] = hashValue(file, rel, a, text(el))
      const eo = asObj(el)
      const info: MhlHashInfo = {
        action: (typeof eo['@action'] === 'string' ? eo['@action'] : 'original') as MhlAction,
        hashdate: parseMhlDate(eo['@hashdate'] as string | undefined) ?? 0,
      }
      hashInfo[a] = info
      first ??= info
    }
    const size = po['@size'] === undefined ? -1 : Number(po['@size'])
    const entry: MhlFileEntry = {
      path: rel,
      size: Number.isSafeInteger(size) ? size : -1,
      mtime: parseMhlDate(po['@lastmodificationdate'] as string | undefined) ?? 0,
      hashes: out,
      action: first?.action ?? 'original',
      hashdate: first?.hashdate ?? 0,
      hashInfo,
    }
    if (ho.previousPath !== undefined) entry.previousPath = text(ho.previousPath)
    files.push(entry)
  }
  for (const d of asList(hashes.directoryhash)) {
    const dobj = asObj(d)
    const rel = safeRelPath(file, text(dobj.path))
    directories.push({ path: rel, mtime: parseMhlDate(asObj(dobj.path)['@lastmodificationdate'] as string | undefined) ?? 0, ...dirHashes(file, rel, dobj) })
  }

  const referenceEntries: MhlReference[] = asList(asObj(hl.references).hashlistreference).map((r) => {
    const ro = asObj(r)
    return { path: safeRelPath(file, text(ro.path).trim()), c4: hashValue(file, 'hashlistreference', 'c4', text(ro.c4)) }
  })

  const authors: MhlAuthor[] = asList(ci.author).map((a) => {
    const ao = asObj(a)
    const out: MhlAuthor = { name: text(a).trim() }
    for (const k of ['email', 'phone', 'role'] as const) if (typeof ao[`@${k}`] === 'string') out[k] = ao[`@${k}`] as string
    return out
  })
  const toolName = text(ci.tool).trim()
  const toolVersion = String(asObj(ci.tool)['@version'] ?? '')
  const createdAt = parseMhlDate(text(ci.creationdate).trim())
  const hostname = text(ci.hostname).trim()
  const process = text(pi.process).trim()
  const creator: MhlGeneration['creator'] = { createdAt, hostname, tool: { name: toolName, version: toolVersion }, authors }
  if (ci.location !== undefined) creator.location = text(ci.location)
  if (ci.comment !== undefined) creator.comment = text(ci.comment)

  return {
    generation, file, c4, creator,
    processInfo: {
      process,
      rootHash: pi.roothash === undefined ? null : dirHashes(file, 'roothash', asObj(pi.roothash)),
      ignore: asList(asObj(pi.ignore).pattern).map((p) => text(p)),
    },
    files, directories, referenceEntries,
    createdAt,
    tool: toolVersion ? `${toolName} ${toolVersion}` : toolName,
    hostname, process,
    references: referenceEntries.map((r) => r.path),
  }
}
