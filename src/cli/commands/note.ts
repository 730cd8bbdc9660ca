import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { addTag, buildNotes, notesOf, setCircled, setNote } from '../../log/notes.ts'
import type { Context } from '../context.ts'
import { cardArg, collect } from './options.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('note <card> <clip> [text]')
    .description('set a clip note, circle a take or tag it (merges with edits made on other peers)')
    .option('--circle', 'mark the take as circled')
    .option('--uncircle', 'remove the circle')
    .option('--tag <tag>', 'add a tag (repeatable)', collect, [])
    .action(async (cardName: string, clip: string, text: string | undefined, o: { circle?: boolean, uncircle?: boolean, tag: string[] }) => {
      const c = ctx()
      const card = cardArg(cardName)
      if (text === undefined && !o.circle && !o.uncircle && o.tag.length === 0) throw new OnsetError('USAGE', 'nothing to change: give a note text, --circle, --uncircle or --tag')
      await c.withProduction(async (p) => {
        await p.requireCard(card)
        const doc = buildNotes((await p.log.queries.noteUpdates(card)).map((n) => n.update))
        const updates = [
          text !== undefined ? setNote(doc, clip, text) : null,
          o.circle ? setCircled(doc, clip, true) : null,
          o.uncircle ? setCircled(doc, clip, false) : null,
          ...o.tag.map((t) => addTag(doc, clip, t)),
        ].filter((u): u is string => u !== null)
        for (const update of updates) await p.log.append({ type: 'note.changed', card, update })
        const n = notesOf(doc)[clip]
        c.out.result({ card, clip, ...n }, () => `${card}/${clip}: ${n?.circled ? '◉ circled  ' : ''}${n?.tags.length ? `[${n.tags.join(', ')}]  ` : ''}${n?.note ?? ''}`)
      })
    })
}
