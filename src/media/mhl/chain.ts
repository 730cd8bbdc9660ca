/**
 * The chain file `ascmhl/ascmhl_chain.xml` and generation file names.
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <ascmhldirectory xmlns="urn:ASC:MHL:DIRECTORY:v2.0">
 *     <hashlist sequencenr="1">
 *       <path>0001_A002R2EC_2020-01-16_091500Z.mhl</path>
 *       <c4>c4…(90 characters: "c4" + base58 of the SHA-512 of the generation file's bytes)</c4>
 *     </hashlist>
 *     …one <hashlist> per generation, in sequence order
 *   </ascmhldirectory>
 *
 * Generation files are named `NNNN_<folder name>_<yyyy-mm-dd>_<hhmmss>Z.mhl` (UTC time of creation,
 * NNNN the 1-based generation number, zero-padded to at least four digits).
 */
import { createHash } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { OnsetError } from '../../base/errors.ts'
import { c4FromSha512 } from '../../crypto/hashes.ts'
import { CHAIN_FILE, MHL_DIR } from './types.ts'
import { validateMhl } from './validate.ts'
import { asList, asObj, esc, parseXml, text } from './xml.ts'

export interface ChainEntry { sequencenr: number, path: string, c4: string }

export function c4OfBytes(b: Uint8Array): string {
  return c4FromSha512(createHash('sha512').update(b).digest())
}

export const GENERATION_RE = /^(\d{4,})_(.*)_(\d{4}-\d{2}-\d{2})_(\d{6})Z\.mhl$/

export function generationName(n: number, folder: string, at: number): string {
  const iso = new Date(at).toISOString()
  return `${String(n).padStart(4, '0')}_${folder}_${iso.slice(0, 10)}_${iso.slice(11, 19).replace(/:/g, '')}Z.mhl`
}

export function generationNumber(name: string): number | null {
  const m = GENERATION_RE.exec(name)
  return m ? Number(m[1]) : null
}

/** Generation file names in `<root>/ascmhl`, in number order ([] when there is no folder). */
export async function listGenerationFiles(root: string): Promise<string[]> {
  const dir = path.join(root, MHL_DIR)
  try {
    return (await fs.readdir(dir)).filter((n) => GENERATION_RE.test(n)).sort((a, b) => generationNumber(a)! - generationNumber(b)!)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new OnsetError('UNREADABLE', `cannot read ${dir}: ${(err as Error).message}`, { cause: err })
  }
}

/** Parse and schema-check the chain; [] when there is none. */
export async function readChain(root: string): Promise<ChainEntry[]> {
  const file = path.join(root, MHL_DIR, CHAIN_FILE)
  let xml: string
  try { xml = (await fs.readFile(file, 'utf8')).replace(/^\uFEFF/, '') } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new OnsetError('UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, { cause: err })
  }
  const doc = parseXml(file, xml)
  await validateMhl(file, xml, 'directory')
  const list = asList(asObj(doc.ascmhldirectory).hashlist)
  const out = list.map((h) => {
    const o = asObj(h)
    return { sequencenr: Number(o['@sequencenr'] ?? NaN), path: text(o.path), c4: text(o.c4).trim() }
  })
  for (const e of out) {
    const n = generationNumber(e.path)
    if (!/^c4[1-9A-HJ-NP-Za-km-z]{88}$/.test(e.c4)) throw new OnsetError('MHL_INVALID', `${file}: the c4 of ${e.path} is not a c4 id`)
    if (e.path.includes('/') || n === null) throw new OnsetError('MHL_INVALID', `${file}: ${e.path} is not a generation file name`)
    if (Number.isFinite(e.sequencenr) && e.sequencenr !== n) throw new OnsetError('MHL_INVALID', `${file}: ${e.path} is listed with sequence number ${e.sequencenr}`)
  }
  return out
}

export function chainXml(entries: readonly ChainEntry[]): string {
  const C: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<ascmhldirectory xmlns="urn:ASC:MHL:DIRECTORY:v2.0">']
  for (const e of [...entries].sort((a, b) => a.sequencenr - b.sequencenr)) {
    C.push(`  <hashlist sequencenr="${e.sequencenr}">`, `    <path>${esc(e.path)}</path>`, `    <c4>${e.c4}</c4>`, '  </hashlist>')
  }
  C.push('</ascmhldirectory>')
  return C.join('\n') + '\n'
}

/**
 * Check the chain against the generation files without parsing them: every file is listed with
 * its c4, every listed file exists. Returns the chain and the files' bytes by name.
 * A changed file is TAMPERED; an unlisted or missing one MHL_INVALID.
 */
export async function checkChain(root: string): Promise<{ chain: ChainEntry[], files: Map<string, Buffer> }> {
  const dir = path.join(root, MHL_DIR)
  const names = await listGenerationFiles(root)
  const chain = await readChain(root)
  const files = new Map<string, Buffer>()
  for (const name of names) {
    const file = path.join(dir, name)
    let bytes: Buffer
    try { bytes = await fs.readFile(file) } catch (err) {
      throw new OnsetError('UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, { cause: err })
    }
    const entry = chain.find((e) => e.path === name)
    if (!entry) {
      throw new OnsetError('MHL_INVALID', `${file}: generation ${generationNumber(name)} is not listed in ${CHAIN_FILE}`, { hint: 'the history was edited, partly copied, or a write was interrupted: move the file aside if it is not genuine' })
    }
    const c4 = c4OfBytes(bytes)
    if (entry.c4 !== c4) {
      throw new OnsetError('TAMPERED', `${file}: generation ${generationNumber(name)} was altered (its c4 ${c4.slice(0, 16)}… differs from the chain's ${entry.c4.slice(0, 16)}…)`, { hint: 'the hash list no longer is the one that was written' })
    }
    files.set(name, bytes)
  }
  for (const e of chain) {
    if (!files.has(e.path)) throw new OnsetError('MHL_INVALID', `${path.join(dir, e.path)}: listed in ${CHAIN_FILE} but missing`, { hint: 'a generation file was deleted' })
  }
  return { chain, files }
}
