/**
 * Custody history as sentences a producer or insurer can read:
 *   "14:02 DIT cart (dit) verified A001/A001C001.mxf at SHUTTLE-1 on Lab — ok"
 * = clock time, who (member name, else short key) with their role when known, what happened
 * (the entry's detail with short peer keys replaced by member names), and the result of a
 * verification set off with " — ".
 */
import type { PeerSnapshot, TimelineEntry } from '../peer/snapshot.ts'
import { clean, formatBytes, formatClock } from './format.ts'

/** Fallback wording when an entry has no detail, by custody event type. */
const VERBS: Record<string, string> = {
  'production.created': 'created the production',
  'member.admitted': 'admitted a member',
  'member.bound': 'bound a writer',
  'member.revoked': 'revoked a member',
  'card.registered': 'registered the card',
  'file.recorded': 'recorded a file',
  'copy.made': 'made a copy',
  'copy.verified': 'verified a copy',
  'replica.received': 'received a replica',
  'attestation.recorded': 'recorded an attestation',
  'policy.changed': 'changed the policy',
  'note.changed': 'edited the notes',
  'alert.raised': 'raised an alert',
  'alert.acked': 'acknowledged an alert',
  'mhl.generation': 'wrote an ASC MHL generation',
}

export function whoLabel(entry: TimelineEntry, peers: readonly PeerSnapshot[]): string {
  const p = peers.find((x) => x.peer === entry.who)
  const name = clean(entry.whoName || p?.name || entry.who.slice(0, 8) || 'someone')
  return p ? `${name} (${p.role})` : name
}

/** The detail with 8-hex short peer keys of known members replaced by their names. */
export function humanDetail(entry: TimelineEntry, peers: readonly PeerSnapshot[]): string {
  let text = clean(entry.detail || VERBS[entry.what] || entry.what.replace(/[._]/g, ' '))
  text = text.replace(/\b[0-9a-f]{8}\b/g, (short) => {
    const p = peers.find((x) => x.peer.startsWith(short) && x.name)
    return p ? p.name : short
  })
  text = text.replace(/\b(\d{4,}) bytes\b/g, (_m, n: string) => formatBytes(Number(n)))
  // "…: ok" / "…: failed (reason)" → "… — ok"
  return text.replace(/: (ok|failed|missing)( \(.*\))?$/, ' — $1$2')
}

export function timelineSentence(entry: TimelineEntry, peers: readonly PeerSnapshot[], now: number): string {
  return `${formatClock(entry.at, now)} ${whoLabel(entry, peers)} ${humanDetail(entry, peers)}`
}

/** Whether an entry reports a problem (a failed or missing verification, an alert). */
export function isBad(entry: TimelineEntry): boolean {
  return entry.what === 'alert.raised' || (entry.what === 'copy.verified' && /: (failed|missing)\b/.test(entry.detail))
}
