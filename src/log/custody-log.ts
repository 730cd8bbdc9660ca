/**
 * The custody log of one production: an Autobase (one input core per writer, signed) over the
 * peer's Corestore, encrypted with the production's log key, with a Hyperbee view built by
 * apply(). This facade is what the peer and the CLI use.
 *
 * - The creator's Autobase key is the ProductionKey.
 * - Each member binds its writer core to its identity with a signature (WriterBinding);
 *   apply() verifies it before the core is added as a writer.
 * - `append` fills the schema version and the claimed time (`at`, from an injectable clock).
 */
import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import Autobase from 'autobase'
import type Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { OnsetError } from '../base/errors.ts'
import { toBase64 } from '../crypto/bytes.ts'
import type { Identity } from '../crypto/identity.ts'
import { PeerKey, ProductionKey } from '../crypto/ids.ts'
import { openSealed, sealTo } from '../crypto/seal.ts'
import type { ProductionSecrets } from '../crypto/secrets.ts'
import { sign } from '../crypto/sign.ts'
import { bindingPayload, makeApply, type ApplyContext, type View } from './apply.ts'
import { decodeEvent, DEFAULT_POLICY, EVENT_VERSION, type CustodyEvent, type Policy, type WriterBinding } from './events.ts'
import { Queries } from './queries.ts'

/** An event as a caller writes it: the log fills `v` and `at`. */
export type NewEvent = CustodyEvent extends infer E ? E extends CustodyEvent ? Omit<E, 'v' | 'at'> & { at?: number } : never : never

/** A revoked writer's events beyond its removal point (see CustodyLog.ignoredAfterRevocation). */
export interface IgnoredWrites { peer: PeerKey, writer: string, removedAtLength: number, length: number, ignored: number }

export interface OpenOptions {
  /** a Corestore namespace for this production only (Autobase.close() closes it) */
  store: Corestore
  identity: Identity
  secrets: ProductionSecrets
  clock?: () => number
  /** how often to nudge Autobase to look at every member's writer core, ms (0: never; default 3000) */
  wakeupIntervalMs?: number
}

/** Default period of the writer wake-up nudge (see CustodyLog.wakeWriters). */
export const WAKEUP_INTERVAL_MS = 3000

/** Seal a member's secrets: JSON [[epoch, hexSecret], ...] sealed to its identity key. */
export function sealSecretsTo(member: PeerKey, secrets: ProductionSecrets, epochs?: number[]): string {
  const list = secrets.entries().filter(([e]) => !epochs || epochs.includes(e)).map(([e, s]) => [e, s.toString('hex')])
  return toBase64(sealTo(PeerKey.toBytes(member), Buffer.from(JSON.stringify(list))))
}

export function openSealedSecrets(identity: Identity, sealed: string): [number, Buffer][] {
  const plain = openSealed(identity, Buffer.from(sealed, 'base64'))
  let v: unknown
  try { v = JSON.parse(plain.toString('utf8')) } catch { throw new OnsetError('MALFORMED', 'sealed secrets are not readable') }
  if (!Array.isArray(v) || !v.every((x) => Array.isArray(x) && Number.isInteger(x[0]) && typeof x[1] === 'string' && /^[0-9a-f]{64}$/.test(x[1]))) throw new OnsetError('MALFORMED', 'sealed secrets have the wrong shape')
  return (v as [number, string][]).map(([e, s]) => [e, Buffer.from(s, 'hex')])
}

export class CustodyLog extends EventEmitter {
  readonly base: Autobase<unknown, View>
  readonly key: ProductionKey
  readonly identity: Identity
  readonly queries: Queries
  private readonly clock: () => number
  private readonly ctx: ApplyContext
  private wakeTimer: NodeJS.Timeout | null = null

  private constructor(base: Autobase<unknown, View>, key: ProductionKey, identity: Identity, ctx: ApplyContext, clock: () => number, wakeupIntervalMs = WAKEUP_INTERVAL_MS) {
    super()
    this.base = base
    this.key = key
    this.identity = identity
    this.ctx = ctx
    this.clock = clock
    this.queries = new Queries(base.view, key)
    base.on('update', () => this.emit('update'))
    base.on('error', (err: Error) => this.emit('error', err))
    if (wakeupIntervalMs > 0) {
      this.wakeTimer = setInterval(() => { void this.wakeWriters().catch(() => {}) }, wakeupIntervalMs)
      this.wakeTimer.unref()
    }
  }

  /**
   * Ask Autobase to look at every member's writer core again. Autobase closes writers that have
   * been idle and relies on wake-up announcements between peers to reopen them; in a mesh of
   * three or more peers those announcements did not reach the indexer after a few seconds of
   * quiet, so new events from other writers replicated everywhere but were never ordered into
   * the indexer's view (found by the sims: `node sims/run.ts --scenario mesh --seed 1`). A
   * periodic hint for every known writer (length -1: "whatever it has") keeps them live.
   */
  async wakeWriters(): Promise<void> {
    if (this.base.closing || this.base.closed) return
    const hints = (await this.queries.members()).filter((m) => m.writer && m.state === 'active').map((m) => ({ key: Buffer.from(m.writer!, 'hex'), length: -1 }))
    if (hints.length && !this.base.closing) this.base.hintWakeup(hints)
  }

  private static build(store: Corestore, bootstrap: Buffer | null, secrets: ProductionSecrets, ctx: ApplyContext): Autobase<unknown, View> {
    return new Autobase<unknown, View>(store, bootstrap, {
      valueEncoding: 'json',
      ackInterval: 1000,
      encryptionKey: secrets.logKey,
      open: (s: Corestore) => new Hyperbee(s.get('view'), { keyEncoding: 'utf-8', valueEncoding: 'json', extension: false }) as unknown as View,
      apply: makeApply(ctx),
    })
  }

  /** Create a new production; this peer becomes its first admin. */
  static async create(o: OpenOptions & { name: string, creatorName?: string, policy?: Policy }): Promise<CustodyLog> {
    const ctx: ApplyContext = { productionKey: '' as ProductionKey }
    const base = CustodyLog.build(o.store, null, o.secrets, ctx)
    await base.ready()
    const key = ProductionKey.fromBytes(base.key)
    ctx.productionKey = key
    const log = new CustodyLog(base, key, o.identity, ctx, o.clock ?? Date.now, o.wakeupIntervalMs)
    await log.append({
      type: 'production.created', name: o.name, policy: o.policy ?? DEFAULT_POLICY, creatorName: o.creatorName ?? '',
      secrets: sealSecretsTo(o.identity.peerKey, o.secrets), binding: log.binding(),
    })
    return log
  }

  /** Open an existing production (ours, or one we joined) by its key. */
  static async open(o: OpenOptions & { productionKey: ProductionKey }): Promise<CustodyLog> {
    const ctx: ApplyContext = { productionKey: o.productionKey }
    const base = CustodyLog.build(o.store, ProductionKey.toBytes(o.productionKey), o.secrets, ctx)
    await base.ready()
    return new CustodyLog(base, o.productionKey, o.identity, ctx, o.clock ?? Date.now, o.wakeupIntervalMs)
  }

  /** Hex key of this peer's writer core. */
  get writerKey(): string { return this.base.local.key.toString('hex') }
  get writable(): boolean { return this.base.writable }

  /** This peer's signed binding of its writer core to its identity. */
  binding(): WriterBinding {
    const writer = this.writerKey
    return { peer: this.identity.peerKey, writer, sig: sign(this.identity, 'writer-binding', bindingPayload(this.ctx.productionKey, writer)).toString('hex') }
  }

  /** Validate and append one event; refuses (NOT_AUTHORIZED) when this peer is not a writer. */
  async append(e: NewEvent): Promise<CustodyEvent> {
    const full = { ...e, v: EVENT_VERSION, at: e.at ?? this.clock() }
    const d = decodeEvent(full)
    if (!d.ok) throw new Error(`bug: refusing to append an invalid ${e.type} event: ${d.reason}`)
    if (!this.base.writable) throw new OnsetError('NOT_AUTHORIZED', `this peer (${PeerKey.short(this.identity.peerKey)}) is not a writer of production ${ProductionKey.short(this.key)}`, { hint: 'post and vault members never write; a dit or lab peer becomes a writer once an admin admits it and its writer binding is replicated' })
    await this.base.append(d.event)
    await this.base.update()
    return d.event
  }

  /**
   * Validate every event, then append them as one Autobase batch (one write, applied together;
   * 2-3x faster than one append per event). Nothing is appended if any event is invalid.
   */
  async appendMany(events: NewEvent[]): Promise<void> {
    if (events.length === 0) return
    const out: CustodyEvent[] = []
    for (const e of events) {
      const full = { ...e, v: EVENT_VERSION, at: e.at ?? this.clock() }
      const d = decodeEvent(full)
      if (!d.ok) throw new Error(`bug: refusing to append an invalid ${e.type} event: ${d.reason}`)
      out.push(d.event)
    }
    if (!this.base.writable) throw new OnsetError('NOT_AUTHORIZED', `this peer is not a writer of production ${ProductionKey.short(this.key)}`)
    await this.base.append(out)
    await this.base.update()
  }

  /** Append a raw value with no validation: only for tests of hostile writers. */
  async appendRawForTests(value: unknown): Promise<void> {
    await this.base.append(value)
    await this.base.update()
  }

  async update(): Promise<void> { await this.base.update() }

  /**
   * Events revoked writers appended that the log ignores. Revocation is positional: Autobase
   * drops every block a removed writer appended beyond what the revoking admin had seen, so those
   * events never reach apply() and leave no rejected record in the view. This compares each
   * revoked writer's core, as far as this peer has replicated it, with its length at removal.
   */
  async ignoredAfterRevocation(): Promise<IgnoredWrites[]> {
    const out: IgnoredWrites[] = []
    for (const m of await this.queries.members()) {
      if (m.state !== 'revoked' || !m.writer) continue
      const key = Buffer.from(m.writer, 'hex')
      const info = await this.base.system.get(key)
      if (!info || !info.isRemoved) continue
      const core = this.base.store.get({ key })
      try {
        await core.ready()
        if (core.length > info.length) out.push({ peer: m.peer, writer: m.writer, removedAtLength: info.length, length: core.length, ignored: core.length - info.length })
      } finally {
        await core.close()
      }
    }
    return out
  }

  /**
   * Raise an `alert.raised` (kind "revoked-writer-activity", subject "<writer>:<length>") for each
   * ignoredAfterRevocation() finding not alerted yet; returns how many were appended. Needs a
   * writer; two peers noticing at once may both raise it (a duplicate alert, never a lost one).
   */
  async alertIgnoredAfterRevocation(): Promise<number> {
    if (!this.base.writable) return 0
    const found = await this.ignoredAfterRevocation()
    if (found.length === 0) return 0
    const known = new Set((await this.queries.alerts()).filter((a) => a.kind === 'revoked-writer-activity').map((a) => a.subject))
    let n = 0
    for (const f of found) {
      const subject = `${f.writer}:${f.length}`
      if (known.has(subject)) continue
      await this.append({ type: 'alert.raised', kind: 'revoked-writer-activity', severity: 'critical', subject,
        message: `${PeerKey.short(f.peer)} appended ${f.ignored} ${f.ignored === 1 ? 'event' : 'events'} after its revocation; the log ignores them` })
      n++
    }
    return n
  }

  replicate(stream: boolean | Duplex | object): Duplex { return this.base.replicate(stream) }

  /** Core keys a blind replica needs to mirror this log (writers and the view's system core). */
  coreKeys(): string[] {
    return [this.base.key.toString('hex'), this.writerKey]
  }

  now(): number { return this.clock() }

  async close(): Promise<void> {
    if (this.wakeTimer) clearInterval(this.wakeTimer)
    this.wakeTimer = null
    await this.base.close()
  }
}
