import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { TypedEmitter } from '../../base/events.ts'
import { runDemo, type DemoEvents } from '../../peer/demo.ts'
import type { Context } from '../context.ts'
import { renderStatus } from './status.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('demo')
    .description('run a live local production: four peers on loopback, offload, replication, a failure and its repair, an intruder refused')
    .option('--keep', 'keep the demo\'s data directory for inspection')
    .option('--small', 'a smaller card set (for slow machines and tests)')
    .action(async (o: { keep?: boolean, small?: boolean }) => {
      const c = ctx()
      const events = new TypedEmitter<DemoEvents>()
      const tty = process.stdout.isTTY && !c.out.json
      events.on('step', (s) => { if (c.out.json) c.out.line({ event: 'step', ...s }, ''); else process.stdout.write(`\n▸ ${s.text}\n`) })
      events.on('check', (k) => { if (c.out.json) c.out.line({ event: 'check', ...k }, ''); else process.stdout.write(`  ${k.ok ? '✓' : '✗'} ${k.name}${k.detail ? ` — ${k.detail.split('\n')[0]}` : ''}\n`) })
      let lastStates = ''
      events.on('snapshot', ({ snapshot }) => {
        const states = snapshot.cards.map((x) => `${x.card} ${x.state} ${x.copies}/${x.copiesWanted}`).join('  ')
        if (!c.out.json && states !== lastStates) { lastStates = states; process.stdout.write(`    ${states}\n`) }
      })
      void tty
      const r = await runDemo(o.small ? { keep: o.keep, cards: 2, clips: 2, clipBytes: 4 * 1024 * 1024 } : { keep: o.keep }, events)
      c.out.result({ event: 'summary', ok: r.ok, seconds: r.seconds, bytes: r.bytes, checks: r.checks, kept: o.keep ? r.dir : null }, () => [
        '',
        r.final ? renderStatus(r.final) : '',
        '',
        `${r.checks.filter((x) => x.ok).length}/${r.checks.length} checks passed in ${r.seconds.toFixed(1)} s (${(r.bytes / 1048576).toFixed(0)} MiB of footage)${o.keep ? `; data kept in ${r.dir}` : ''}`,
      ].join('\n'))
      if (!r.ok) throw new OnsetError('VERIFY_FAILED', 'the demo found a problem (see the checks above)')
    })
}
