import path from 'node:path'
import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { CardId } from '../../crypto/ids.ts'
import { latestEntries, readHistory, verifyHistory } from '../../media/mhl/history.ts'
import { LogCustodySink } from '../../peer/log-sink.ts'
import type { Context } from '../context.ts'

export function register(program: Command, ctx: () => Context): void {
  const mhl = program.command('mhl').description('ASC MHL histories')
  mhl.command('import <dir>')
    .description('read an ASC MHL history (any generation, any hash, nested), verify the files against it, and record it in the custody log')
    .option('--card <name>', 'the card this folder holds (default: the folder name)')
    .action(async (dir: string, o: { card?: string }) => {
      const c = ctx()
      const root = c.resolve(dir)
      const card = CardId.parse(o.card ?? path.basename(root))
      const history = await readHistory(root)
      if (history.generations.length === 0) throw new OnsetError('NOT_FOUND', `${root} has no ASC MHL history (no ascmhl/ folder with generations)`)
      const latest = [...latestEntries(history).values()]
      const v = await verifyHistory(root)
      await c.withProduction(async (p, home) => {
        const sink = new LogCustodySink(p.log, home.identity.peerKey, p.secrets.currentEpoch)
        const existing = await p.log.queries.card(card)
        if (!existing) await sink.cardRegistered(card, latest.length, latest.reduce((n, e) => n + Math.max(0, e.size), 0), `imported from ASC MHL at ${root}`)
        const location = { kind: 'dest' as const, peer: home.identity.peerKey, path: root, volume: root.split(path.sep).filter(Boolean).slice(-2).join('/') }
        for (const e of latest) {
          if (!(await p.log.queries.file(card, e.path))) await sink.fileRecorded({ card, path: e.path, size: Math.max(0, e.size), mtime: e.mtime, hashes: e.hashes, chunks: [] })
          const check = v.checks.find((x) => x.path === e.path)
          await sink.copyMade(card, e.path, location)
          await sink.copyVerified(card, e.path, location, check?.result ?? 'missing', check?.seen && check.algo ? { [check.algo]: check.seen } : {}, check?.result === 'ok' ? `matches its ASC MHL (${check.algo})` : `${check?.result ?? 'missing'} against its ASC MHL`)
        }
        for (const g of history.generations) await sink.mhlWritten(card, root, g.generation, (['in-place', 'transfer', 'flatten'].includes(g.process) ? g.process : 'in-place') as 'in-place' | 'transfer' | 'flatten', g.c4)
        await sink.flush()
        const bad = v.checks.filter((x) => x.result !== 'ok')
        c.out.result({ card, dir: root, generations: history.generations.length, files: latest.length, ok: v.ok, failed: bad, unlisted: v.unlisted }, () => [
          `imported ${history.generations.length} generation(s) of ${card} from ${root}: ${latest.length} files, ${latest.length - bad.length} verified`,
          ...bad.map((b) => `  ${b.result.toUpperCase()} ${b.path}${b.expected ? ` (${b.algo} recorded ${b.expected}, seen ${b.seen ?? '-'})` : ''}`),
          ...v.unlisted.map((u) => `  NEW (not in the history) ${u}`),
        ].join('\n'))
        if (bad.length) throw new OnsetError('VERIFY_FAILED', `${bad.length} file(s) do not match their ASC MHL history`)
      })
    })
}
