import type { Command } from 'commander'
import { atomicWriteFile } from '../../base/atomic.ts'
import { OnsetError } from '../../base/errors.ts'
import { buildReport } from '../../peer/report.ts'
import type { Context } from '../context.ts'
import { renderHtml, renderMarkdown } from '../report-render.ts'
import { cardArg } from './options.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('report <card>')
    .description('a custody report of one card for a producer or insurer: files, hashes, every copy and verification with who/when/where, attestations, policy state')
    .option('--format <fmt>', 'md or html', 'md')
    .option('--out <file>', 'write the report to this file (default: print it)')
    .action(async (cardName: string, o: { format: string, out?: string }) => {
      const c = ctx()
      const card = cardArg(cardName)
      if (o.format !== 'md' && o.format !== 'html') throw new OnsetError('BAD_ARGUMENT', `--format is md or html, not "${o.format}"`)
      const r = await c.withProduction((p) => buildReport(p, card))
      const doc = o.format === 'html' ? renderHtml(r) : renderMarkdown(r)
      if (o.out) {
        const file = c.resolve(o.out)
        await atomicWriteFile(file, doc, { replace: true, what: 'report' })
        c.out.result({ card, state: r.card.state, format: o.format, file }, () => `wrote the ${o.format === 'html' ? 'HTML' : 'Markdown'} custody report of ${card} (${r.card.state}) to ${file}`)
      } else c.out.result(r, () => doc.trimEnd())
    })
}
