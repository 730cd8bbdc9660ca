import path from 'node:path'
import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { TypedEmitter } from '../../base/events.ts'
import { offload, type OffloadEvents } from '../../media/offload.ts'
import { LogCustodySink } from '../../peer/log-sink.ts'
import type { Context } from '../context.ts'
import { VERSION } from '../process.ts'
import { bytes } from '../format.ts'
import { cardArg, collect, hashList } from './options.ts'


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
      const extra = hashList(o.hash)
      if (o.dest.length === 0 && !o.vault) throw new OnsetError('USAGE', 'nothing to copy to: give at least one --dest, or keep the vault')
      await c.withProduction(async (p, home) => {
        const sink = new LogCustodySink(p.log, home.identity.peerKey, p.secrets.currentEpoch)
        const events = new TypedEmitter<OffloadEvents>()
        const tty = !c.out.json && process.stderr.isTTY
        let last = 0
        events.on('progress', (e) => {
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
        })
        events.on('dest-failed', (e) => { if (c.out.json) c.out.line({ event: 'dest-failed', ...e }, ''); else process.stderr.write(`\nonset: destination ${e.dest} failed: ${e.error}; the others continue\n`) })
        events.on('skipped', (e) => { if (c.out.json) c.out.line({ event: 'skipped', ...e }, ''); else process.stderr.write(`onset: skipped ${e.path}: ${e.reason}\n`) })
        const r = await offload({
          cardDir: path.resolve(cardDir), card, dests: o.dest.map((d) => path.resolve(d)), vault: o.vault ? p.vault : null,
          custody: sink, journalDir: path.join(home.paths.journal, p.key.slice(0, 16)), self: home.identity.peerKey,
          hashes: extra, events, label: o.label, tool: { name: 'onset', version: VERSION },
        })
        if (tty) process.stderr.write('\n')
        const mbps = r.seconds > 0 ? r.bytes / r.seconds / 1048576 : 0
        c.out.result({ event: 'done', card, ok: r.ok, files: r.files, bytes: r.bytes, seconds: r.seconds, problems: r.problems, mhl: r.mhl }, () => [
          `${r.ok ? 'offloaded' : 'offload INCOMPLETE for'} ${card}: ${r.files} files, ${bytes(r.bytes)} in ${r.seconds.toFixed(1)} s (${mbps.toFixed(0)} MB/s)`,
          `  copies verified: ${o.vault ? 'vault, ' : ''}${o.dest.join(', ') || '(no plain destinations)'}`,
          ...r.mhl.map((m) => `  ASC MHL generation ${m.generation}: ${m.file}`),
          ...r.problems.map((x) => `  PROBLEM ${x.path} at ${x.place}: ${x.error}`),
          r.ok ? 'Run `onset safe-to-format ' + card + '` to see whether the policy is met.' : 'Fix the problems and run the same command again: verified files are not copied twice.',
        ].join('\n'))
        if (!r.ok) throw new OnsetError('VERIFY_FAILED', `offload of ${card} did not complete cleanly (${r.problems.length} problem(s))`, { hint: 'see above; rerunning resumes' })
      })
    })
}
