/**
 * The simulation harness: N onset peers in one process, each with a real Corestore in its own
 * directory, a real CustodyLog (Autobase + Hyperbee view) and a real HypercoreChunkStore, joined
 * by in-process links (link.ts) that the scenario brings up and down, shapes and counts.
 *
 * Time is virtual: the scenario sets `now` (day and hour of the shoot) and every peer's clock is
 * that plus its own skew. Waiting is always on a condition (views equal, a replica recorded) with
 * a bound in wall time, never a sleep.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Corestore from 'corestore'
import { identityFromSeed, type Identity } from '../../src/crypto/identity.ts'
import type { PeerKey } from '../../src/crypto/ids.ts'
import { ProductionSecrets } from '../../src/crypto/secrets.ts'
import { CustodyLog, sealSecretsTo } from '../../src/log/custody-log.ts'
import type { Policy, Role } from '../../src/log/events.ts'
import { HypercoreChunkStore } from '../../src/store/hypercore-chunk-store.ts'
import { makeLink, type Link, type LinkShape, type WireCounter } from './link.ts'
import { Rng } from './prng.ts'

export const HOUR = 3_600_000
export const DAY = 24 * HOUR
/** Day 1, 00:00 of every simulated shoot (fixed, so traces read the same for a seed). */
export const EPOCH0 = Date.UTC(2026, 5, 1)

export interface SimPeer {
  name: string
  role: Role
  identity: Identity
  dir: string
  /** null for a blind vault (it never opens the log) and while crashed */
  store: Corestore | null
  log: CustodyLog | null
  chunks: HypercoreChunkStore | null
  secrets: ProductionSecrets | null
  skewMs: number
  up: boolean
  /** admitted and bound (a writer once its binding is applied) */
  member: boolean
  revoked: boolean
}

export class SimFailure extends Error {
  readonly step: string
  constructor(step: string, message: string) {
    super(`${step}: ${message}`)
    this.step = step
  }
}

const pairId = (a: string, b: string) => [a, b].sort().join('~')

export class Sim {
  readonly rng: Rng
  readonly dir: string
  readonly peers = new Map<string, SimPeer>()
  readonly wire: WireCounter = { bytes: 0 }
  readonly trace: string[] = []
  policy: Policy
  now = EPOCH0
  productionKey: string | null = null
  /** the production's secrets as the admin holds them (members get copies, as if unsealed) */
  secrets = ProductionSecrets.create()
  private readonly wanted = new Map<string, LinkShape>()
  private readonly links = new Map<string, Link>()
  verbose = false
  private readonly t0 = performance.now()

  private constructor(rng: Rng, dir: string, policy: Policy) {
    this.rng = rng
    this.dir = dir
    this.policy = policy
  }

  static async create(seed: number, policy: Policy): Promise<Sim> {
    return new Sim(new Rng(seed), await fs.mkdtemp(path.join(os.tmpdir(), `onset-sim-${seed}-`)), policy)
  }

  log(line: string): void {
    const d = Math.floor((this.now - EPOCH0) / DAY) + 1
    const h = ((this.now - EPOCH0) % DAY) / HOUR
    const l = `${String(((performance.now() - this.t0) / 1000).toFixed(1)).padStart(6)}s [day ${d} ${String(Math.floor(h)).padStart(2, '0')}:${String(Math.round((h % 1) * 60)).padStart(2, '0')}] ${line}`
    this.trace.push(l)
    if (this.verbose) console.error(l)
  }

  at(day: number, hour: number): void {
    const t = EPOCH0 + (day - 1) * DAY + hour * HOUR
    if (t < this.now) throw new Error(`bug: the scenario went back in time (${day} ${hour})`)
    this.now = t
  }

  peer(name: string): SimPeer {
    const p = this.peers.get(name)
    if (!p) throw new Error(`bug: no peer ${name}`)
    return p
  }

  logPeers(): SimPeer[] { return [...this.peers.values()].filter((p) => p.up && p.log) }

  /** Peers whose views must agree once healed: every up log peer except revoked ones (their view may keep events nobody else accepts). */
  viewPeers(): SimPeer[] { return this.logPeers().filter((p) => !p.revoked) }

  private clockOf(p: { skewMs: number }): () => number { return () => this.now + p.skewMs }

  /** The admin that creates the production. */
  async createProduction(name: string, o: { skewMs?: number } = {}): Promise<SimPeer> {
    const p = this.newPeer(name, 'admin', o.skewMs ?? 0)
    p.secrets = this.secrets
    p.store = new Corestore(p.dir)
    p.log = await CustodyLog.create({ store: p.store.namespace('p'), identity: p.identity, secrets: this.secrets, name: 'Sim production', creatorName: name, policy: this.policy, clock: this.clockOf(p) })
    this.productionKey = p.log.key
    p.chunks = await this.openChunks(p)
    p.member = true
    this.log(`${name} creates the production (policy ${this.policy.copies} copies, ${this.policy.peers} peers, ${this.policy.offsite} off the cart)`)
    return p
  }

  private newPeer(name: string, role: Role, skewMs: number): SimPeer {
    if (this.peers.has(name)) throw new Error(`bug: peer ${name} exists`)
    const identity = identityFromSeed(this.rng.fork(`id:${name}`).bytes(32))
    const p: SimPeer = { name, role, identity, dir: path.join(this.dir, name), store: null, log: null, chunks: null, secrets: null, skewMs, up: true, member: false, revoked: false }
    this.peers.set(name, p)
    return p
  }

  private async openChunks(p: SimPeer): Promise<HypercoreChunkStore> {
    const store = p.store!
    if (p.role === 'vault') return HypercoreChunkStore.open({ store: store.namespace('p'), chunkIdKey: Buffer.alloc(32), dataKey: null, epoch: 0, timeout: 5000 })
    const s = p.secrets!
    return HypercoreChunkStore.open({ store: store.namespace('p'), chunkIdKey: s.chunkIdKey, dataKey: (e) => s.dataKey(e), epoch: s.currentEpoch, timeout: 5000 })
  }

  private async openPeer(p: SimPeer): Promise<void> {
    p.store = new Corestore(p.dir)
    if (p.role !== 'vault') {
      p.log = await CustodyLog.open({ store: p.store.namespace('p'), identity: p.identity, secrets: p.secrets!, productionKey: this.productionKey as never, clock: this.clockOf(p) })
    }
    p.chunks = await this.openChunks(p)
  }

  /** A peer that opens the production (admitted separately with admit()). */
  async addPeer(name: string, role: Role, o: { skewMs?: number } = {}): Promise<SimPeer> {
    const p = this.newPeer(name, role, o.skewMs ?? 0)
    // members other than vaults get the production secrets (in onset they are sealed to them in the admission)
    p.secrets = role === 'vault' ? null : new ProductionSecrets(this.secrets.root, this.secrets.entries())
    await this.openPeer(p)
    this.log(`${name} (${role}) starts${p.skewMs ? `, clock ${p.skewMs > 0 ? '+' : ''}${(p.skewMs / 60000).toFixed(0)} min` : ''}`)
    return p
  }

  /** `by` (an admin) admits `who` with its writer binding (post members' bindings are recorded, never added as writers). */
  async admit(by: SimPeer, who: SimPeer): Promise<void> {
    const binding = who.log ? who.log.binding() : null
    const secrets = who.role === 'vault' ? null : sealSecretsTo(who.identity.peerKey, this.secrets)
    await by.log!.append({ type: 'member.admitted', peer: who.identity.peerKey, role: who.role, name: who.name, expiresAt: null, secrets, invite: null, binding })
    who.member = true
    this.log(`${by.name} admits ${who.name} as ${who.role}`)
  }

  // ---- links ----

  /** Want a link between a and b (made whenever both are up). */
  linkUp(a: string, b: string, shape: LinkShape = {}): void {
    this.wanted.set(pairId(a, b), shape)
    this.log(`link ${a}–${b} up${shape.latencyMs || shape.bytesPerSec ? ` (${shape.latencyMs ?? 0} ms, ${shape.bytesPerSec ? `${(shape.bytesPerSec / 1024).toFixed(0)} KiB/s` : 'unlimited'})` : ''}`)
    this.syncLinks()
  }

  linkDown(a: string, b: string): void {
    this.wanted.delete(pairId(a, b))
    this.log(`link ${a}–${b} down`)
    this.syncLinks()
  }

  isWanted(a: string, b: string): boolean { return this.wanted.has(pairId(a, b)) }

  /** Every link a peer has (wanted), so a scenario can cut a peer off and later restore them. */
  linksOf(name: string): { other: string, shape: LinkShape }[] {
    const out: { other: string, shape: LinkShape }[] = []
    for (const [id, shape] of this.wanted) {
      const [a, b] = id.split('~') as [string, string]
      if (a === name) out.push({ other: b, shape })
      else if (b === name) out.push({ other: a, shape })
    }
    return out
  }

  private replicationStream(p: SimPeer, initiator: boolean) {
    return p.log ? p.log.replicate(initiator) : p.store!.replicate(initiator)
  }

  private syncLinks(): void {
    for (const [id, l] of this.links) {
      const up = this.wanted.has(id) && this.peer(l.a).up && this.peer(l.b).up
      if (!up) { l.cut(); this.links.delete(id) }
    }
    for (const [id, shape] of this.wanted) {
      if (this.links.has(id)) continue
      const [a, b] = id.split('~') as [string, string]
      const pa = this.peer(a), pb = this.peer(b)
      if (!pa.up || !pb.up) continue
      this.links.set(id, makeLink(a, b, this.replicationStream(pa, true), this.replicationStream(pb, false), shape, this.wire))
    }
  }

  // ---- faults ----

  /** The process dies: its connections drop and its store closes; only what is on disk remains. */
  async crash(name: string): Promise<void> {
    const p = this.peer(name)
    if (!p.up) return
    p.up = false
    this.syncLinks()
    this.log(`${name} crashes`)
    await p.chunks?.close().catch(() => {})
    await p.log?.close().catch(() => {})
    await p.store?.close().catch(() => {})
    p.chunks = null; p.log = null; p.store = null
  }

  async restart(name: string): Promise<void> {
    const p = this.peer(name)
    if (p.up) return
    await this.openPeer(p)
    p.up = true
    this.log(`${name} restarts from its data directory`)
    this.syncLinks()
  }

  /** The peer's disk loses `blocks` of a blobs core (default: all of them it holds). */
  async loseBlocks(name: string, core: string, blocks?: number[]): Promise<number> {
    const p = this.peer(name)
    const c = await p.chunks!.core(core, 'raw')
    const list = blocks ?? Array.from({ length: c.length }, (_, i) => i)
    let n = 0
    for (const b of list) if (b < c.length && (await c.has(b))) { await c.clear(b); n++ }
    this.log(`${name} loses ${n} block(s) of core ${core.slice(0, 8)}`)
    return n
  }

  // ---- waiting ----

  async updateAll(): Promise<void> {
    await Promise.all(this.logPeers().map((p) => p.log!.update()))
  }

  /** Poll `cond` (after updating every view) until it holds; bounded in wall time. */
  async until(cond: () => Promise<boolean> | boolean, what: string, limitMs = 60_000, tick?: () => Promise<unknown>): Promise<void> {
    const t0 = Date.now()
    for (;;) {
      await this.updateAll()
      if (tick) await tick()
      if (await cond()) return
      if (Date.now() - t0 > limitMs) throw new SimFailure(what, `timed out after ${limitMs} ms`)
      await new Promise((r) => setImmediate(r))
      await new Promise((r) => setTimeout(r, 20)) // yield to replication I/O; the condition is what is waited on
    }
  }

  /**
   * Nobody does anything for `ms` of wall time (peers keep running their timers: keep-alives,
   * acks, idle closes). This models a quiet production, it is not a way to wait for something.
   */
  async idle(ms: number): Promise<void> {
    this.log(`quiet for ${(ms / 1000).toFixed(0)} s of wall time`)
    await new Promise((r) => setTimeout(r, ms))
  }

  async close(): Promise<void> {
    for (const l of this.links.values()) l.cut()
    this.links.clear()
    for (const p of this.peers.values()) {
      await p.chunks?.close().catch(() => {})
      await p.log?.close().catch(() => {})
      await p.store?.close().catch(() => {})
    }
    await fs.rm(this.dir, { recursive: true, force: true })
  }

  peerKeyName(k: PeerKey): string {
    for (const p of this.peers.values()) if (p.identity.peerKey === k) return p.name
    return k.slice(0, 8)
  }
}
