import path from 'node:path'
import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import type { CardId } from '../../crypto/ids.ts'
import { ChunkId } from '../../crypto/ids.ts'
import { verifyDest, verifyVault } from '../../media/verify.ts'
import { LogCustodySink } from '../../peer/log-sink.ts'
import { Production } from '../../peer/production.ts'
import type { Context } from '../context.ts'
import { cardArg, collect } from './options.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('verify')
    .description('re-hash plain copies (and their ASC MHL) against the custody log, and/or re-check vault chunks; records the results')
    .option('--card <card>', 'one card (default: every card)')
    .option('--dest <dir>', 'a destination to check: the card is at <dir>/<card> (repeatable)', collect, [])
    .option('--vault', 'check every chunk in this peer\'s vault')
    .action(async (o: { card?: string, dest: string[], vault?: boolean }) => {
      const c = ctx()
      if (!o.vault && o.dest.length === 0) throw new OnsetError('USAGE', 'say what to verify: --dest DIR and/or --vault')
      await c.withProduction(async (p, home) => {
        const sink = new LogCustodySink(p.log, home.identity.peerKey, p.secrets.currentEpoch)
        const cards: CardId[] = o.card ? [cardArg(o.card)] : (await p.log.queries.cards()).map((x) => x.card)
        if (o.card) await p.requireCard(cards[0]!)
        const report: { card: string, place: string, path: string, result: string, detail: string }[] = []
        for (const card of cards) {
          const files = await p.log.queries.files(card)
          const expected = files.map((f) => ({ path: f.path, size: f.size, hashes: f.hashes, chunks: Production.chunkRefs(f) }))
          for (const d of o.dest) {
            const root = path.join(path.resolve(d), card)
            const r = await verifyDest(root, expected)
            const location = { kind: 'dest' as const, peer: home.identity.peerKey, path: root, volume: path.resolve(d).split(path.sep).filter(Boolean).slice(-2).join('/') }
            for (const f of r.files) {
              await sink.copyVerified(card, f.path, location, f.result, f.seen, f.detail)
              report.push({ card, place: root, path: f.path, result: f.result, detail: f.detail })
            }
            for (const m of r.mhl) { report.push({ card, place: root, path: 'ascmhl', result: 'failed', detail: m }); await sink.alert('mhl-mismatch', 'critical', m, `${card}`) }
          }
          if (o.vault) {
            const bad = await verifyVault(p.vault, expected)
            const badFiles = new Set(bad.map((b) => b.path))
            const location = { kind: 'vault' as const, peer: home.identity.peerKey }
            for (const b of bad) report.push({ card, place: 'vault', path: b.path, result: 'failed', detail: `chunk ${b.index} (${ChunkId.short(b.ref.id)}): ${b.error}` })
            for (const f of files) {
              const ok = !badFiles.has(f.path)
              if (f.chunks.list.length === 0 && f.size > 0) continue // not in this vault
              await sink.copyVerified(card, f.path, location, ok ? 'ok' : 'failed', ok ? f.hashes : {}, ok ? 'every chunk re-read and re-hashed' : bad.filter((b) => b.path === f.path).map((b) => `chunk ${b.index} ${ChunkId.short(b.ref.id)}`).join(', '))
              if (ok) report.push({ card, place: 'vault', path: f.path, result: 'ok', detail: '' })
            }
          }
        }
        await sink.flush()
        const failed = report.filter((r) => r.result !== 'ok')
        c.out.result({ ok: failed.length === 0, checked: report.length, failed }, () => [
          `verified ${report.length - failed.length} of ${report.length} copies`,
          ...failed.map((f) => `  ${f.result.toUpperCase()} ${f.card}/${f.path} at ${f.place}: ${f.detail}`),
        ].join('\n'))
        if (failed.length) throw new OnsetError('VERIFY_FAILED', `${failed.length} cop${failed.length === 1 ? 'y' : 'ies'} failed verification`, { hint: 'an alert was recorded; repair from another copy' })
      })
    })
}
