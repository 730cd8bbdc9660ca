/** Small XML helpers for ASC MHL: escaping, dates, and a parser that keeps attributes. */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { OnsetError } from '../../base/errors.ts'

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

/** ASC MHL dates: 2020-01-17T14:30:00+00:00 (UTC, seconds) */
export function mhlDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00')
}

export function parseMhlDate(s: string | undefined): number | null {
  if (!s) return null
  const t = Date.parse(s)
  return Number.isFinite(t) ? t : null
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name, jpath) => ['hash', 'directoryhash', 'pattern', 'author', 'hashlistreference'].includes(name) || jpath === 'ascmhldirectory.hashlist',
})

/** Parse; a malformed document is MHL_INVALID naming the file and the line. */
export function parseXml(file: string, text: string): Record<string, unknown> {
  const v = XMLValidator.validate(text)
  if (v !== true) {
    throw new OnsetError('MHL_INVALID', `${file}:${v.err.line}: malformed XML: ${v.err.msg}`, { hint: 'the file is damaged or not an ASC MHL file' })
  }
  return parser.parse(text) as Record<string, unknown>
}
