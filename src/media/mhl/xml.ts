/** Small XML helpers for ASC MHL: escaping, dates, and a parser that keeps attributes. */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { OnsetError } from '../../base/errors.ts'

/**
 * Escape text for element content and attribute values. Tab, newline and carriage return become
 * character references (so parsers do not normalise them away); the other control characters
 * cannot appear in XML 1.0 at all, so a name holding one cannot be written (BAD_ARGUMENT).
 */
export function esc(s: string): string {
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s) || !s.isWellFormed()) {
    throw new OnsetError('BAD_ARGUMENT', `cannot write ${JSON.stringify(s)} into an ASC MHL file: XML cannot hold its control characters`, { hint: 'rename the file' })
  }
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;')
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
  // keep whitespace inside values (a file name may begin or end with a space); callers trim where the schema's type allows
  trimValues: false,
  // decode numeric character references (&#233;) as well as the five XML entities
  htmlEntities: true,
  isArray: (name, jpath) => ['hash', 'directoryhash', 'pattern', 'author', 'hashlistreference'].includes(name) || jpath === 'ascmhldirectory.hashlist',
})

/** Text content of a parsed element (string or {#text, @attr…}); '' when absent. */
export function text(v: unknown): string {
  if (typeof v === 'string') return v
  if (v && typeof v === 'object' && '#text' in v) return String((v as { '#text': unknown })['#text'])
  return ''
}

export function asObj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {}
}

export function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v]
}

export function assertWellFormed(file: string, text: string): void {
  const v = XMLValidator.validate(text)
  if (v !== true) {
    throw new OnsetError('MHL_INVALID', `${file}:${v.err.line}: malformed XML: ${v.err.msg}`, { hint: 'the file is damaged or not an ASC MHL file' })
  }
}

/** Parse; a malformed document is MHL_INVALID naming the file and the line (skip the check with `checked`). */
export function parseXml(file: string, text: string, opts: { checked?: boolean } = {}): Record<string, unknown> {
  if (!opts.checked) assertWellFormed(file, text)
  try {
    return parser.parse(text) as Record<string, unknown>
  } catch (err) {
    // the parser refuses some documents its own validator lets through (e.g. an unclosed <?…?>)
    throw new OnsetError('MHL_INVALID', `${file}: malformed XML: ${(err as Error).message}`, { hint: 'the file is damaged or not an ASC MHL file', cause: err })
  }
}
