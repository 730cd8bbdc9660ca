import path from 'node:path'
import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { exportCard } from '../../media/export.ts'
import { LogCustodySink } from '../../peer/log-sink.ts'
import { Production } from '../../peer/production.ts'
import type { Context } from '../context.ts'
import { VERSION } from '../process.ts'
import { bytes } from '../format.ts'
import { cardArg } from './options.ts'


export function register(program: Command, ctx: () => Context): void {
  program.command('export <card> <dir>')
    .description('rebuild a card from the vault into <dir>/<card>, verify every byte, write ASC MHL (process "transfer"), record the copy')
    .action(async (cardName: string, dir: string) => {
      const c = ctx()
      const card = cardArg(cardName)
      await c.withProduction(async (p, home) => {
        await p.requireCard(card)
        const files = await p.log.queries.files(card)
        const out = path.join(c.resolve(dir), card)
        const r = await exportCard({ vault: p.vault, files: files.map((f) => ({ path: f.path, size: f.size, mtime: f.mtime, hashes: f.hashes, chunks: Production.chunkRefs(f) })), outDir: out, tool: { name: 'onset', version: VERSION } })
        const sink = new LogCustodySink(p.log, home.identity.peerKey, p.secrets.currentEpoch)
        const location = { kind: 'dest' as const, peer: home.identity.peerKey, path: out, volume: c.resolve(dir).split(path.sep).filter(Boolean).slice(-2).join('/') }
        for (const f of r.files) {
          if (f.result !== 'ok') continue
          const rec = files.find((x) => x.path === f.path)!
          await sink.copyMade(card, f.path, location)
          await sink.copyVerified(card, f.path, location, 'ok', rec.hashes, 'exported from the vault and verified')
        }
        if (r.mhl) await sink.mhlWritten(card, out, r.mhl.generation, 'transfer', r.mhl.c4)
        await sink.flush()
        const bad = r.files.filter((f) => f.result !== 'ok')
        c.out.result({ card, dir: out, ok: r.ok, bytes: r.bytes, files: r.files, mhl: r.mhl }, () => [
          `${r.ok ? 'exported' : 'export INCOMPLETE for'} ${card} to ${out}: ${r.files.length - bad.length} files, ${bytes(r.bytes)}`,
          ...(r.mhl ? [`  ASC MHL generation ${r.mhl.generation}: ${r.mhl.file}`] : []),
          ...bad.map((f) => `  FAILED ${f.path}: ${f.detail}`),
        ].join('\n'))
        if (!r.ok) throw new OnsetError('VERIFY_FAILED', `${bad.length} file(s) could not be rebuilt intact from the vault`, { hint: 'run `onset verify --vault` and repair from a peer' })
      })
    })
}
