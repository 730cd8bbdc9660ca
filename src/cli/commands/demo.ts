import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { TypedEmitter } from '../../base/events.ts'
import { runDemo, type DemoEvents } from '../../peer/demo.ts'
import type { Context } from '../context.ts'
import { renderStatus } from './status.ts'
import { makeSource } from '../dash-source.ts'
import { renderDashboard } from '../../tui/render.ts'

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
      // on a terminal: the live dashboard of the DIT cart while the demo runs
      let ui: ReturnType<typeof renderDashboard> | null = null
      let source: Awaited<ReturnType<typeof makeSource>> | null = null
      const done: { text: string }[] = []
      if (tty) {
        events.removeAll()
        events.on('step', (st) => { done.push(st) })
        events.on('check', (k) => { done.push({ text: `  ${k.ok ? '✓' : '✗'} ${k.name}` }) })
        events.on('live', (l) => {
          void makeSource({ ...l, onChange: (fn) => events.on('snapshot', () => fn()) }).then((s) => {
            source = s
            ui = renderDashboard(s, { onExit: () => {} })
          })
        })
      }
      const r = await runDemo(o.small ? { keep: o.keep, cards: 2, clips: 2, clipBytes: 4 * 1024 * 1024 } : { keep: o.keep }, events)
      if (ui) { (ui as ReturnType<typeof renderDashboard>).unmount(); (source as { close(): void } | null)?.close() }
      if (tty) process.stdout.write(done.map((d) => d.text.startsWith('  ') ? d.text : `▸ ${d.text}`).join('\n') + '\n')
      c.out.result({ event: 'summary', ok: r.ok, seconds: r.seconds, bytes: r.bytes, checks: r.checks, kept: o.keep ? r.dir : null }, () => [
        '',
        r.final ? renderStatus(r.final) : '',
        '',
        `${r.checks.filter((x) => x.ok).length}/${r.checks.length} checks passed in ${r.seconds.toFixed(1)} s (${(r.bytes / 1048576).toFixed(0)} MiB of footage)${o.keep ? `; data kept in ${r.dir}` : ''}`,
      ].join('\n'))
      if (!r.ok) throw new OnsetError('VERIFY_FAILED', 'the demo found a problem (see the checks above)')
    })
}
