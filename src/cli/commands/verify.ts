import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { runVerify, type VerifyReport, type VerifyRequest, type VerifyRow } from '../../peer/verify-job.ts'
import type { Context } from '../context.ts'
import { VERSION } from '../process.ts'
import { cardArg, collect } from './options.ts'

export function renderVerify(r: VerifyReport): string {
  const bad = [...r.repaired, ...r.failed]
  return [
    `verified ${r.checked - r.failed.length} of ${r.checked} copies${r.repaired.length ? ` (${r.repaired.length} repaired)` : ''}${r.recorded ? '' : ' — a read-only member: results are not recorded in the log'}`,
    ...bad.map((f: VerifyRow) => `  ${f.result.toUpperCase()} ${f.card}/${f.path} at ${f.place}: ${f.detail}`),
  ].join('\n')
}

export function register(program: Command, ctx: () => Context): void {
  program.command('verify')
    .description('re-hash plain copies (and their ASC MHL) against the custody log, and/or re-check vault chunks; records the results and repairs what fails')
    .option('--card <card>', 'one card (default: every card)')
    .option('--dest <dir>', 'a destination to check: the card is at <dir>/<card> (repeatable)', collect, [])
    .option('--vault', 'check every chunk in this peer\'s vault')
    .option('--no-repair', 'only check: do not re-fetch bad vault chunks from peers or rewrite bad plain copies')
    .action(async (o: { card?: string, dest: string[], vault?: boolean, repair: boolean }) => {
      const c = ctx()
      if (!o.vault && o.dest.length === 0) throw new OnsetError('USAGE', 'say what to verify: --dest DIR and/or --vault')
      const req: VerifyRequest = { card: o.card ? cardArg(o.card) : undefined, dests: o.dest.map((d) => c.resolve(d)), vault: Boolean(o.vault), repair: o.repair }
      // a running peer owns the store and has the other members connected: it verifies and repairs
      let report = await c.viaPeer<VerifyReport>('verify', req, { timeoutMs: 0 })
      const via = report ? 'peer' : 'standalone'
      if (report) c.out.info('(verified by the running peer)')
      report ??= await c.withProduction((p) => runVerify(p, req, {
        tool: { name: 'onset', version: VERSION }, peersAvailable: false,
        onRow: (row) => { if (c.out.json && row.result !== 'ok') c.out.line({ event: 'checked', ...row }, '') },
      }))
      c.out.result({ event: 'done', via, ...report }, () => renderVerify(report))
      if (!report.ok) throw new OnsetError('VERIFY_FAILED', `${report.failed.length} cop${report.failed.length === 1 ? 'y' : 'ies'} failed verification`, { hint: report.recorded ? 'an alert was recorded; with `onset peer` running, `onset verify` repairs vault chunks from the other members' : 'repair from another copy' })
    })
}
