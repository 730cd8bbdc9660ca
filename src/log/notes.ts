/**
 * Clip notes, circled takes and tags: one Yjs document per card. Local edits produce a Yjs
 * update that is appended as a `note.changed` event; readers rebuild the document by applying
 * every update of the card, in any order (Yjs merges without conflicts), so edits made offline
 * on two writers both survive.
 *
 * Document shape, chosen so concurrent edits never clobber each other (nested types created
 * concurrently under one map key would: one creation wins and the other's edits vanish), so
 * every clip's parts are top-level types, which Yjs merges by name:
 *   Y.Map "clips"            clip name → true (the index of clips that have notes)
 *   Y.Text "note/<clip>"      the note
 *   Y.Map "circled"          clip name → boolean (last writer wins)
 *   Y.Map "tags/<clip>"       tag → true (a set)
 */
import * as Y from 'yjs'

export interface ClipNotes {
  note: string
  circled: boolean
  tags: string[]
}

export function buildNotes(updates: readonly string[]): Y.Doc {
  const doc = new Y.Doc()
  for (const u of updates) {
    try {
      Y.applyUpdate(doc, Buffer.from(u, 'base64'))
    } catch {
      // a malformed update is skipped; apply() already bounded its size
    }
  }
  return doc
}

function touch(doc: Y.Doc, clip: string): void {
  const idx = doc.getMap<boolean>('clips')
  if (idx.get(clip) !== true) idx.set(clip, true)
}

/** Run an edit and return the Yjs update it produced (base64), for a note.changed event. */
export function edit(doc: Y.Doc, fn: (doc: Y.Doc) => void): string | null {
  const before = Y.encodeStateVector(doc)
  doc.transact(() => fn(doc))
  const update = Y.encodeStateAsUpdate(doc, before)
  // an empty update is 2 bytes (no structs, empty delete set)
  return update.byteLength > 2 ? Buffer.from(update).toString('base64') : null
}

export function setNote(doc: Y.Doc, clip: string, text: string): string | null {
  return edit(doc, (d) => {
    touch(d, clip)
    const t = d.getText(`note/${clip}`)
    t.delete(0, t.length)
    t.insert(0, text)
  })
}

export function appendNote(doc: Y.Doc, clip: string, text: string): string | null {
  return edit(doc, (d) => {
    touch(d, clip)
    const t = d.getText(`note/${clip}`)
    t.insert(t.length, (t.length ? '\n' : '') + text)
  })
}

export function setCircled(doc: Y.Doc, clip: string, circled: boolean): string | null {
  return edit(doc, (d) => { touch(d, clip); d.getMap<boolean>('circled').set(clip, circled) })
}

export function addTag(doc: Y.Doc, clip: string, tag: string): string | null {
  return edit(doc, (d) => { touch(d, clip); d.getMap<boolean>(`tags/${clip}`).set(tag, true) })
}

export function removeTag(doc: Y.Doc, clip: string, tag: string): string | null {
  return edit(doc, (d) => { d.getMap<boolean>(`tags/${clip}`).delete(tag) })
}

export function notesOf(doc: Y.Doc): Record<string, ClipNotes> {
  const out: Record<string, ClipNotes> = {}
  const clips = [...doc.getMap<boolean>('clips').keys()].sort()
  for (const clip of clips) {
    out[clip] = {
      note: doc.getText(`note/${clip}`).toString(),
      circled: doc.getMap<boolean>('circled').get(clip) === true,
      tags: [...doc.getMap<boolean>(`tags/${clip}`).keys()].sort(),
    }
  }
  return out
}
