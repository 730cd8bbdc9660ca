/**
 * The custody report as a document: Markdown (for email, tickets, wikis) and a self-contained
 * HTML page (for printing and archiving with the deliverables). Same facts, same order, both
 * built from one CustodyReport (peer/report.ts). Every string from the log is escaped.
 */
import type { CustodyReport, ReportFile } from '../peer/report.ts'
import { bytes, when } from './format.ts'

const HASH_ORDER = ['xxh64', 'xxh128', 'xxh3', 'md5', 'sha1', 'c4'] as const

function hashes(f: ReportFile): [string, string][] {
  return HASH_ORDER.filter((a) => f.hashes[a]).map((a) => [a, f.hashes[a]!])
}

function summary(r: CustodyReport): [string, string][] {
  const p = r.production.policy
  return [
    ['Production', `${r.production.name} (${r.production.key.slice(0, 16)}…)`],
    ['Card', `${r.card.card}${r.card.label ? ` — ${r.card.label}` : ''}`],
    ['State', r.card.state === 'PROTECTED' ? 'PROTECTED: the copy policy is met for every file' : `${r.card.state}: the copy policy is NOT met`],
    ['Policy', `${p.copies} verified copies, on at least ${p.peers} peers, ${p.offsite} off the cart`],
    ['Files', `${r.card.files} (${bytes(r.card.bytes)})${r.card.unrecorded ? `, ${r.card.unrecorded} not yet recorded` : ''}`],
    ['Offloaded by', `${r.card.registeredBy} at ${when(r.card.registeredAt)}`],
    ['Report by', `${r.generatedBy.name} (${r.generatedBy.peer.slice(0, 8)}) at ${when(r.generatedAt)}`],
  ]
}

const md = (s: string) => s.replace(/([\\|*_`[\]<>#])/g, '\\$1').replace(/\n/g, ' ')
/** A file path as a code span: read literally, nothing to escape but the backtick itself. */
const code = (s: string) => '`' + s.replace(/`/g, "'").replace(/\n/g, ' ') + '`'

export function renderMarkdown(r: CustodyReport): string {
  const out: string[] = [`# Custody report — ${md(r.card.card)}`, '']
  out.push('| | |', '|---|---|', ...summary(r).map(([k, v]) => `| ${k} | ${md(v)} |`), '')
  out.push('## Files', '')
  for (const f of r.files) {
    out.push(`### ${code(f.path)}`, '', `${bytes(f.size)} (${f.size} bytes), recorded by ${md(f.recordedBy)}; policy ${f.policyMet ? 'met' : `not met (${md(f.missing)})`}`, '')
    out.push(...hashes(f).map(([a, h]) => `- ${a}: \`${h}\``), '')
    if (f.copies.length) {
      out.push('| Copy | Last verified | By | Result | Detail |', '|---|---|---|---|---|')
      for (const c of f.copies) {
        const v = c.verifications[0]
        out.push(`| ${md(c.where)} | ${v ? when(v.at) : 'never'} | ${v ? md(v.byName) : '-'} | ${v ? v.result.toUpperCase() : '-'} | ${v ? md(v.detail) : ''} |`)
        for (const e of c.verifications.slice(1)) out.push(`| ↳ earlier | ${when(e.at)} | ${md(e.byName)} | ${e.result.toUpperCase()} | ${md(e.detail)} |`)
      }
      out.push('')
    }
    if (f.attestations.length) out.push(...f.attestations.map((a) => `- attested by ${md(a.name)} (${a.mode}) at ${when(a.verifiedAt)}, recorded by ${md(a.recordedByName)}`), '')
  }
  const notes = Object.entries(r.notes)
  if (notes.length) out.push('## Clip notes', '', ...notes.map(([clip, n]) => `- **${md(clip)}**${n.circled ? ' (circled)' : ''}${n.tags.length ? ` [${n.tags.map(md).join(', ')}]` : ''}: ${md(n.note)}`), '')
  if (r.mhl.length) out.push('## ASC MHL', '', ...r.mhl.map((m) => `- ${when(m.at)} ${md(m.byName)}: ${md(m.text)}`), '')
  if (r.alerts.length) out.push('## Alerts', '', ...r.alerts.map((a) => `- ${when(a.at)} [${a.severity}${a.acked ? ', acknowledged' : ''}] ${md(a.kind)}: ${md(a.message)}`), '')
  out.push('## Custody history', '', ...r.timeline.map((t) => `- ${when(t.at)} **${md(t.byName)}** ${md(t.text)}`), '')
  out.push('_Every entry is signed by the member who recorded it; times are each member\'s own clock._', '')
  return out.join('\n')
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

export function renderHtml(r: CustodyReport): string {
  const rows = (cells: string[][], head: string[]) => `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${cells.map((c) => `<tr>${c.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
  const body: string[] = [`<h1>Custody report — ${esc(r.card.card)}</h1>`]
  body.push(`<table class="summary">${summary(r).map(([k, v]) => `<tr><th>${esc(k)}</th><td${k === 'State' ? ` class="${r.card.state === 'PROTECTED' ? 'ok' : 'bad'}"` : ''}>${esc(v)}</td></tr>`).join('')}</table>`)
  body.push('<h2>Files</h2>')
  for (const f of r.files) {
    body.push(`<h3>${esc(f.path)}</h3>`, `<p>${esc(bytes(f.size))} (${f.size} bytes), recorded by ${esc(f.recordedBy)}; policy <span class="${f.policyMet ? 'ok' : 'bad'}">${f.policyMet ? 'met' : `not met (${esc(f.missing)})`}</span></p>`)
    body.push(`<ul class="hashes">${hashes(f).map(([a, h]) => `<li>${esc(a)}: <code>${esc(h)}</code></li>`).join('')}</ul>`)
    if (f.copies.length) {
      body.push(rows(f.copies.flatMap((c) => c.verifications.length
        ? c.verifications.map((v, i) => [i === 0 ? c.where : '↳ earlier', when(v.at), v.byName, v.result.toUpperCase(), v.detail])
        : [[c.where, 'never', '-', '-', '']]), ['Copy', 'Verified', 'By', 'Result', 'Detail']))
    }
    if (f.attestations.length) body.push(`<ul>${f.attestations.map((a) => `<li>attested by ${esc(a.name)} (${esc(a.mode)}) at ${esc(when(a.verifiedAt))}, recorded by ${esc(a.recordedByName)}</li>`).join('')}</ul>`)
  }
  const notes = Object.entries(r.notes)
  if (notes.length) body.push('<h2>Clip notes</h2>', rows(notes.map(([clip, n]) => [clip, n.circled ? 'circled' : '', n.tags.join(', '), n.note]), ['Clip', 'Circled', 'Tags', 'Note']))
  if (r.mhl.length) body.push('<h2>ASC MHL</h2>', rows(r.mhl.map((m) => [when(m.at), m.byName, m.text]), ['When', 'Who', 'What']))
  if (r.alerts.length) body.push('<h2>Alerts</h2>', rows(r.alerts.map((a) => [when(a.at), a.severity + (a.acked ? ' (acknowledged)' : ''), a.kind, a.message]), ['When', 'Severity', 'Kind', 'Message']))
  body.push('<h2>Custody history</h2>', rows(r.timeline.map((t) => [when(t.at), t.byName, t.text]), ['When', 'Who', 'What']))
  body.push('<p class="note">Every entry is signed by the member who recorded it; times are each member\'s own clock.</p>')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Custody report — ${esc(r.card.card)} — ${esc(r.production.name)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}th{background:#f2f2f2}code{font-size:12px}.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}.note{color:#666}@media print{body{margin:0}}</style>
</head><body>
${body.join('\n')}
</body></html>
`
}
