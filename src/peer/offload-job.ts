/**
 * `onset offload` as a job the CLI runs standalone or a running peer runs for it (through the
 * control socket): the card goes into this peer's vault and to every destination in one pass
 * (media/offload.ts), custody is recorded in the log, and — inside a peer — the card shows as
 * COPYING while it runs and replicates to the other members as soon as it is recorded.
 */
import path from 'node:path'
import { OnsetError } from '../base/errors.ts'
import type { TypedEmitter } from '../base/events.ts'
import { isHashAlgo, type HashAlgo } from '../crypto/hashes.ts'
import { CardId } from '../crypto/ids.ts'
import { offload, type OffloadEvents } from '../media/offload.ts'
import { LogCustodySink } from './log-sink.ts'
import type { Production } from './production.ts'
import type { LiveState } from './status.ts'

export interface OffloadRequest {
  /** absolute paths: the peer may run in another working directory */
  cardDir: string
  card: CardId
  dests: string[]
  hashes: HashAlgo[]
  label: string
  vault: boolean
}

/** Check an offload request that came over the control socket (JSON from another process). */
export function parseOffloadRequest(x: unknown): OffloadRequest {
  const r = (x ?? {}) as Record<string, unknown>
  const str = (k: string) => { if (typeof r[k] !== 'string') throw new OnsetError('MALFORMED', `offload request: "${k}" must be a string`); return r[k] as string }
  const list = (k: string) => { const v = r[k]; if (!Array.isArray(v) || !v.every((d) => typeof d === 'string')) throw new OnsetError('MALFORMED', `offload request: "${k}" must be a list of strings`); return v as string[] }
  const hashes = list('hashes').map((h) => { if (!isHashAlgo(h)) throw new OnsetError('BAD_ARGUMENT', `unknown hash "${h}"`); return h })
  if (typeof r.vault !== 'boolean') throw new OnsetError('MALFORMED', 'offload request: "vault" must be true or false')
  return { cardDir: str('cardDir'), card: CardId.parse(str('card')), dests: list('dests'), hashes, label: str('label'), vault: r.vault }
}

/** The JSON-serialisable outcome (what `onset offload --json` prints as its result). */
export interface OffloadSummary {
  card: CardId
  ok: boolean
  files: number
  bytes: number
  seconds: number
  problems: { path: string, place: string, error: string }[]
  mhl: { dest: string, generation: number, file: string }[]
}

export async function runOffload(p: Production, req: OffloadRequest, o: { tool: { name: string, version: string }, events?: TypedEmitter<OffloadEvents>, live?: LiveState }): Promise<OffloadSummary> {
  if (req.dests.length === 0 && !req.vault) throw new OnsetError('USAGE', 'nothing to copy to: give at least one --dest, or keep the vault')
  for (const d of [req.cardDir, ...req.dests]) if (!path.isAbsolute(d)) throw new OnsetError('BAD_ARGUMENT', `${d} is not an absolute path`)
  if (o.live?.copying.has(req.card)) throw new OnsetError('LOCKED', `${req.card} is being offloaded already`, { hint: 'wait for that offload to finish; rerunning afterwards resumes and skips verified files' })
  o.live?.copying.add(req.card)
  try {
    const home = p.home
    const sink = new LogCustodySink(p.log, home.identity.peerKey, p.secrets.currentEpoch)
    const r = await offload({
      cardDir: req.cardDir, card: req.card, dests: req.dests, vault: req.vault ? p.vault : null,
      custody: sink, journalDir: path.join(home.paths.journal, p.key.slice(0, 16)), self: home.identity.peerKey,
      hashes: req.hashes, events: o.events, label: req.label, tool: o.tool,
    })
    return { card: r.card, ok: r.ok, files: r.files, bytes: r.bytes, seconds: r.seconds, problems: r.problems, mhl: r.mhl }
  } finally {
    o.live?.copying.delete(req.card)
  }
}
