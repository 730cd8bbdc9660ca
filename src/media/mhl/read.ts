/**
 * Reading an ASC MHL history: `<root>/ascmhl/` with its generations and chain.
 *
 * `readHistory` checks, in this order, and throws at the first problem:
 *   1. the chain: ascmhl_chain.xml well-formed and schema-valid, numbered 1..n without gaps,
 *      every generation file listed with the c4 of its bytes (a changed file is TAMPERED),
 *      every listed file present (MHL_INVALID);
 *   2. each generation: well-formed (MHL_INVALID `file:line: malformed XML`), schema-valid
 *      against the bundled ASCMHL.xsd (MHL_INVALID `file:line: not valid ASC MHL`), hash texts
 *      of their algorithm's form, relative paths;
 *   3. nested histories named by <references>: each is read the same way, and the referenced
 *      generation's c4 must match the reference (TAMPERED otherwise).
 */
import path from 'node:path'
import { OnsetError } from '../../base/errors.ts'
import type { HashAlgo } from '../../crypto/hashes.ts'
import { CHAIN_FILE, MHL_DIR, type MhlFileEntry, type MhlGeneration, type MhlHashInfo, type MhlHistory } from './types.ts'
import { checkChain, generationNumber } from './chain.ts'
import { parseGeneration } from './parse.ts'
import { validateMhl } from './validate.ts'
import { assertWellFormed } from './xml.ts'

const MAX_NESTING = 8

/** Read and check a whole history. A folder without ascmhl/ has an empty history. */
export async function readHistory(root: string, opts: { depth?: number } = {}): Promise<MhlHistory> {
  const dir = path.join(root, MHL_DIR)
  const { chain, files } = await checkChain(root)
  const numbers = chain.map((e) => generationNumber(e.path)!).sort((a, b) => a - b)
  numbers.forEach((n, i) => {
    if (n !== i + 1) throw new OnsetError('MHL_INVALID', `${path.join(dir, CHAIN_FILE)}: generation numbers run ${numbers.join(', ')}, not 1..${numbers.length}`, { hint: 'a generation is missing from the history' })
  })
  const generations: MhlGeneration[] = []
  for (const [name, bytes] of [...files].sort(([a], [b]) => generationNumber(a)! - generationNumber(b)!)) {
    const file = path.join(dir, name)
    const xml = bytes.toString('utf8').replace(/^\uFEFF/, '') // a byte-order mark is allowed
    assertWellFormed(file, xml)
    await validateMhl(file, xml, 'hashlist')
    generations.push(parseGeneration(file, xml, generationNumber(name)!, chain.find((e) => e.path === name)!.c4, { checked: true }))
  }
  const depth = opts.depth ?? 0
  const children = new Map<string, MhlHistory>()
  for (const g of generations) {
    for (const ref of g.referenceEntries) {
      // a reference names a generation file of a nested history: <sub>/ascmhl/NNNN_….mhl
      const sub = path.posix.dirname(path.posix.dirname(ref.path))
      if (path.posix.basename(path.posix.dirname(ref.path)) !== MHL_DIR || sub === '.' || sub === '') {
        throw new OnsetError('MHL_INVALID', `${g.file}: the reference ${ref.path} does not name a nested history's generation`)
      }
      if (depth >= MAX_NESTING) throw new OnsetError('MHL_INVALID', `${g.file}: histories nested deeper than ${MAX_NESTING}`)
      let child = children.get(sub)
      if (!child) {
        child = await readHistory(path.join(root, ...sub.split('/')), { depth: depth + 1 })
        children.set(sub, child)
      }
      const target = child.generations.find((c) => path.basename(c.file) === path.posix.basename(ref.path))
      if (!target) throw new OnsetError('MHL_INVALID', `${g.file}: the referenced ${ref.path} is not in that history`, { hint: 'the nested history was changed or partly copied' })
      if (target.c4 !== ref.c4) throw new OnsetError('TAMPERED', `${g.file}: the referenced ${ref.path} was altered (its c4 differs from the reference)`)
    }
  }
  return { root, generations, children }
}

/**
 * The newest recorded hashes of every file path across all generations, nested histories
 * included (their paths prefixed with the nested root). Per algorithm the newest value wins;
 * values recorded with action "failed" (the hash seen when a verification failed) never replace
 * a good one. size and mtime come from the newest record. `hashInfo` tells each value's action
 * and date.
 */
export function latestEntries(h: MhlHistory, prefix = ''): Map<string, MhlFileEntry> {
  const out = new Map<string, MhlFileEntry>()
  for (const g of h.generations) {
    for (const f of g.files) {
      const key = prefix + f.path
      const prev = out.get(key)
      const hashes = { ...prev?.hashes }
      const hashInfo: Partial<Record<HashAlgo, MhlHashInfo>> = { ...prev?.hashInfo }
      for (const [a, v] of Object.entries(f.hashes) as [HashAlgo, string][]) {
        const info = f.hashInfo?.[a] ?? { action: f.action, hashdate: f.hashdate }
        if (info.action === 'failed') continue
        hashes[a] = v
        hashInfo[a] = info
      }
      out.set(key, {
        ...f,
        path: key,
        size: f.size >= 0 ? f.size : (prev?.size ?? -1),
        mtime: f.mtime || (prev?.mtime ?? 0),
        hashes,
        hashInfo,
      })
    }
  }
  for (const [sub, child] of h.children) for (const [p, e] of latestEntries(child, `${prefix}${sub}/`)) out.set(p, e)
  return out
}

/** Ignore patterns of the newest generation ([] for an empty history). */
export function latestIgnore(h: MhlHistory): string[] {
  return h.generations.at(-1)?.processInfo.ignore ?? []
}
