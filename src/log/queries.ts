/**
 * Typed queries over the view. Reads only; every list is a Hyperbee range scan on the key layout
 * in view.ts, so a card of 1,000 files is one scan, not 1,000 gets.
 */
import type { CardId, PeerKey, ProductionKey } from '../crypto/ids.ts'
import type { View } from './apply.ts'
import type { Policy } from './events.ts'
import { countCopies, missingText, type PolicyCount } from './policy.ts'
import {
  K, prefixEnd,
  type AlertRecord, type AttestationRecord, type CardRecord, type CopyRecord, type EpochRecord, type FileRecord,
  type MemberRecord, type NoteRecord, type ProductionRecord, type RejectedRecord, type TimelineRecord,
} from './view.ts'

export type MemberState = 'active' | 'revoked' | 'expired'
export type CardPolicyState = 'UNSAFE' | 'PROTECTED' | 'DEGRADED'

export interface MemberInfo extends MemberRecord {
  /** state as of the reader's clock (expiry is checked here, not only in apply) */
  effective: MemberState
}

export interface FileStatus {
  file: FileRecord
  copies: CopyRecord[]
  count: PolicyCount
  missing: string
}

export interface CardStatus {
  card: CardRecord
  state: CardPolicyState
  files: FileStatus[]
  /** files expected but not yet recorded */
  unrecorded: number
  policy: Policy
}

export class Queries {
  private readonly view: View
  readonly productionKey: ProductionKey

  constructor(view: View, productionKey: ProductionKey) {
    this.view = view
    this.productionKey = productionKey
  }

  private async get<T>(key: string): Promise<T | null> {
    const e = await this.view.get(key)
    return e ? (e.value as T) : null
  }

  private async scan<T>(prefix: string, opts: { reverse?: boolean, limit?: number } = {}): Promise<T[]> {
    const out: T[] = []
    for await (const e of this.view.createReadStream({ gte: prefix, lt: prefixEnd(prefix), ...opts })) out.push(e.value as T)
    return out
  }

  production(): Promise<ProductionRecord | null> { return this.get(K.production) }

  async policy(): Promise<Policy> {
    const p = await this.production()
    if (!p) throw new Error('bug: no production record yet')
    return p.policy
  }

  async epoch(): Promise<number> { return (await this.get<number>(K.epoch)) ?? 0 }
  epochs(): Promise<EpochRecord[]> { return this.scan('epoch/') }

  async members(now = Date.now()): Promise<MemberInfo[]> {
    return (await this.scan<MemberRecord>('member/')).map((m) => withState(m, now))
  }

  async member(peer: PeerKey, now = Date.now()): Promise<MemberInfo | null> {
    const m = await this.get<MemberRecord>(K.member(peer))
    return m ? withState(m, now) : null
  }

  writerPeer(writerHex: string): Promise<PeerKey | null> { return this.get(K.writer(writerHex)) }

  inviteUse(id: string): Promise<{ peer: PeerKey, at: number } | null> { return this.get(K.invite(id)) }

  cards(): Promise<CardRecord[]> { return this.scan('card/') }
  card(card: CardId): Promise<CardRecord | null> { return this.get(K.card(card)) }
  files(card: CardId): Promise<FileRecord[]> { return this.scan(K.filePrefix(card)) }
  file(card: CardId, path: string): Promise<FileRecord | null> { return this.get(K.file(card, path)) }
  copies(card: CardId, path: string): Promise<CopyRecord[]> { return this.scan(K.copyPrefix(card, path)) }
  attestations(card: CardId, path: string): Promise<AttestationRecord[]> { return this.scan(K.attestPrefix(card, path)) }

  /** Records under `<kind>/<card>/<path>\0…`, grouped by file path (one range scan). */
  private async byPath<T>(kind: 'copy' | 'attest', card: CardId): Promise<Map<string, T[]>> {
    const out = new Map<string, T[]>()
    const prefix = `${kind}/${card}/`
    for await (const e of this.view.createReadStream({ gte: prefix, lt: prefixEnd(prefix) })) {
      const path = e.key.slice(prefix.length, e.key.indexOf('\0'))
      let l = out.get(path)
      if (!l) out.set(path, (l = []))
      l.push(e.value as T)
    }
    return out
  }

  /** Every copy record of a card, grouped by file path (one scan). */
  copiesOfCard(card: CardId): Promise<Map<string, CopyRecord[]>> { return this.byPath('copy', card) }

  /** Every attestation of a card, grouped by file path (one scan). */
  attestationsOfCard(card: CardId): Promise<Map<string, AttestationRecord[]>> { return this.byPath('attest', card) }

  async alerts(opts: { open?: boolean, limit?: number } = {}): Promise<AlertRecord[]> {
    const all = await this.scan<AlertRecord>('alert/', { reverse: true })
    const l = opts.open ? all.filter((a) => !a.acked) : all
    return opts.limit ? l.slice(0, opts.limit) : l
  }

  rejected(): Promise<RejectedRecord[]> { return this.scan('rejected/') }

  /** The custody history of a card, or of one file of it, oldest first. */
  async timeline(card: CardId, path?: string): Promise<TimelineRecord[]> {
    const all = await this.scan<TimelineRecord>(K.tlPrefix(card))
    return path === undefined ? all : all.filter((t) => t.path === path || t.path === null)
  }

  productionTimeline(): Promise<TimelineRecord[]> { return this.scan('tlx/') }

  noteUpdates(card: CardId): Promise<NoteRecord[]> { return this.scan(K.notePrefix(card)) }

  async fileStatus(card: CardId, path: string): Promise<FileStatus | null> {
    const [c, f, p] = await Promise.all([this.card(card), this.file(card, path), this.policy()])
    if (!c || !f) return null
    const copies = await this.copies(card, path)
    const count = countCopies(copies, p, c.registeredBy)
    return { file: f, copies, count, missing: missingText(count, p) }
  }

  async cardStatus(card: CardId): Promise<CardStatus | null> {
    const c = await this.card(card)
    if (!c) return null
    const [files, byPath, policy] = await Promise.all([this.files(card), this.copiesOfCard(card), this.policy()])
    const statuses = files.map((file) => {
      const copies = byPath.get(file.path) ?? []
      const count = countCopies(copies, policy, c.registeredBy)
      return { file, copies, count, missing: missingText(count, policy) }
    })
    const unrecorded = Math.max(0, c.files - files.length)
    const allMet = unrecorded === 0 && statuses.every((s) => s.count.met)
    const state: CardPolicyState = allMet ? 'PROTECTED' : c.everProtected ? 'DEGRADED' : 'UNSAFE'
    return { card: c, state, files: statuses, unrecorded, policy }
  }

  /** A canonical dump of the whole view (for convergence checks and debugging). */
  async dump(): Promise<[string, unknown][]> {
    const out: [string, unknown][] = []
    for await (const e of this.view.createReadStream()) out.push([e.key, e.value])
    return out
  }
}

function withState(m: MemberRecord, now: number): MemberInfo {
  const effective: MemberState = m.state === 'revoked' ? 'revoked' : m.expiresAt !== null && now >= m.expiresAt ? 'expired' : 'active'
  return { ...m, effective }
}
