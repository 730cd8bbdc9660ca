/**
 * Schema validation of ASC MHL files against the official XSDs (copied into ./xsd under the ASC
 * license), with xmllint compiled to WebAssembly: no native tool needed. Errors name the file and line.
 */
import { readFileSync } from 'node:fs'
import { validateXML } from 'xmllint-wasm'
import { OnsetError } from '../../base/errors.ts'

const XSD_DIR = new URL('./xsd/', import.meta.url)
let schemas: { hashlist: string, directory: string } | null = null

function load(): { hashlist: string, directory: string } {
  schemas ??= {
    hashlist: readFileSync(new URL('ASCMHL.xsd', XSD_DIR), 'utf8'),
    // the official directory schema imports ASCMHL.xsd from a URL: point it at the local copy
    directory: readFileSync(new URL('ASCMHLDirectory.xsd', XSD_DIR), 'utf8').replace(/schemaLocation="[^"]*ASCMHL\.xsd"/, 'schemaLocation="ASCMHL.xsd"'),
  }
  return schemas
}

export type MhlKind = 'hashlist' | 'directory'

/** Throws MHL_INVALID with `file:line: message` for the first schema error. */
export async function validateMhl(file: string, xml: string, kind: MhlKind): Promise<void> {
  const s = load()
  const r = await validateXML({
    xml: [{ fileName: 'document.xml', contents: xml }],
    schema: [{ fileName: kind === 'hashlist' ? 'ASCMHL.xsd' : 'ASCMHLDirectory.xsd', contents: kind === 'hashlist' ? s.hashlist : s.directory }],
    // a card of tens of thousands of files makes a large document: allow up to 1 GiB of wasm memory
    maxMemoryPages: 16384,
    preload: kind === 'directory' ? [{ fileName: 'ASCMHL.xsd', contents: s.hashlist }] : null,
  })
  if (!r.valid) {
    const e = r.errors[0]
    const line = e?.loc?.lineNumber ?? '?'
    const msg = (e?.message ?? e?.rawMessage ?? 'schema validation failed').replace(/^.*?document\.xml:\d+:\s*/, '').trim()
    throw new OnsetError('MHL_INVALID', `${file}:${line}: not valid ASC MHL: ${msg}`, { hint: 'the file does not follow the ASC MHL 2.0 schema' })
  }
}
