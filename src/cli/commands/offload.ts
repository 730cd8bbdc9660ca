import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { TypedEmitter } from '../../base/events.ts'
import type { OffloadEvents, OffloadProgress } from '../../media/offload.ts'
import { runOffload, type OffloadRequest, type OffloadSummary } from '../../peer/offload-job.ts'
import type { Context } from '../context.ts'
import { VERSION } from '../process.ts'
import { bytes } from '../format.ts'
import { cardArg, collect, hashList } from './options.ts'

/** Progress on stderr: a bar on a terminal, JSON lines with --json, nothing otherwise. */
function progressPrinter(c: Context, card: string): { progress: (e: OffloadProgress) => void, end: () => void } {
  const tty = !c.out.json && process.stderr.isTTY
  let last = 0
  return {
    progress: (e) => {
      if (c.out.json) { c.out.line({ event: 'progress', ...e }, ''); return }
      if (!tty) return
      const now = Date.now()
      if (now - last < 100 && e.current !== null) return
      last = now
      const pct = e.bytesTotal ? e.bytesDone / e.bytesTotal : 1
      const width = 24
      const bar = '█'.repeat(Math.round(pct * width)).padEnd(width, '░')
      const eta = e.eta === null ? '--' : `${Math.floor(e.eta / 60)}m${String(Math.round(e.eta % 60)).padStart(2, '0')}s`
      process.stderr.write(`\r${card} ${bar} ${(pct * 100).toFixed(0).padStart(3)}%  ${bytes(e.bytesDone)}/${bytes(e.bytesTotal)}  ${e.filesDone}/${e.filesTotal} files  ${(e.rate / 1048576).toFixed(0)} MB/s  ETA ${eta}   `)
    },
    end: () => { if (tty) process.stderr.write('\n') },
  }
}

export function register(program: Command, ctx: () => Context): void {
  program.command('offload <card-dir>')
    .description('copy a camera card into the vault and to every --dest in one pass, verify every copy, write ASC MHL, record custody')
    .requiredOption('--card <name>', 'the card / reel name, e.g. A001')
    .option('--dest <dir>', 'a destination drive or folder (repeatable); the card lands in <dir>/<card>', collect, [])
    .option('--hash <list>', 'extra hashes besides xxh64 and xxh128: md5,sha1,c4,xxh3')
    .option('--label <text>', 'a label for the card, e.g. "A cam day 3"', '')
    .option('--no-vault', 'do not store the card in the encrypted vault (plain copies only)')
    .action(async (cardDir: string, o: { card: string, dest: string[], hash?: string, label: string, vault: boolean }) => {
      const c = ctx()
      const card = cardArg(o.card)
      const req: OffloadRequest = { cardDir: c.resolve(cardDir), card, dests: o.dest.map((d) => c.resolve(d)), hashes: hashList(o.hash), label: o.label, vault: o.vault }
      if (req.dests.length === 0 && !req.vault) throw new OnsetError('USAGE', 'nothing to copy to: give at least one --dest, or keep the vault')
      const show = progressPrinter(c, card)
      const notice = (e: { type: string, payload: unknown }) => {
        const p = e.payload as Record<string, string>
        if (e.type === 'dest-failed') { if (c.out.json) c.out.line({ event: 'dest-failed', ...p }, ''); else process.stderr.write(`\nonset: destination ${p.dest} failed: ${p.error}; the others continue\n`) }
        if (e.type === 'skipped') { if (c.out.json) c.out.line({ event: 'skipped', ...p }, ''); else process.stderr.write(`onset: skipped ${p.path}: ${p.reason}\n`) }
      }
      // a running peer owns the vault: it runs the offload, and the card replicates as soon as it is recorded
      let r = await c.viaPeer<OffloadSummary>('offload', req, {
        timeoutMs: 0,
        onEvent: (e) => {
          const p = e.payload as { card?: string }
          if (p?.card !== card) return
          if (e.type === 'offload-progress') show.progress(e.payload as OffloadProgress)
          else notice(e)
        },
      })
      const via = r ? 'peer' : 'standalone'
      if (r) c.out.info('(offloaded by the running peer)')
      r ??= await c.withProduction((p) => {
        const events = new TypedEmitter<OffloadEvents>()
        events.on('progress', show.progress)
        events.on('dest-failed', (payload) => notice({ type: 'dest-failed', payload }))
        events.on('skipped', (payload) => notice({ type: 'skipped', payload }))
        return runOffload(p, req, { tool: { name: 'onset', version: VERSION }, events })
      })
      show.end()
      const mbps = r.seconds > 0 ? r.bytes / r.seconds / 1048576 : 0
      const done = r
      c.out.result({ event: 'done', via, ...done }, () => [
        `${done.ok ? 'offloaded' : 'offload INCOMPLETE for'} ${card}: ${done.files} files, ${bytes(done.bytes)} in ${done.seconds.toFixed(1)} s (${mbps.toFixed(0)} MB/s)`,
        `  copies verified: ${o.vault ? 'vault, ' : ''}${o.dest.join(', ') || '(no plain destinations)'}`,
        ...done.mhl.map((m) => `  ASC MHL generation ${m.generation}: ${m.file}`),
        ...done.problems.map((x) => `  PROBLEM ${x.path} at ${x.place}: ${x.error}`),
        done.ok ? 'Run `onset safe-to-format ' + card + '` to see whether the policy is met.' : 'Fix the problems and run the same command again: verified files are not copied twice.',
      ].join('\n'))
      if (!done.ok) throw new OnsetError('VERIFY_FAILED', `offload of ${card} did not complete cleanly (${done.problems.length} problem(s))`, { hint: 'see above; rerunning resumes' })
    })
}
