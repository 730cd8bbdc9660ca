/**
 * The running peer: one production, its transports, a sync session per connection, the
 * replicator that fetches wanted media, the access gate, and the typed event stream. It is the
 * SyncHost the replicate layer talks to.
 */
import { TypedEmitter } from '../base/events.ts'
import { OnsetError } from '../base/errors.ts'
import { silentLogger, type Logger } from '../base/logger.ts'
import { FileHasher, hashMismatches } from '../crypto/hashes.ts'
import { PeerKey, ProductionKey, type CardId } from '../crypto/ids.ts'
import { topicFor } from '../crypto/secrets.ts'
import { openAttestation, signAttestation } from '../log/attestation.ts'
import { verifyBinding } from '../log/apply.ts'
import type { WriterBinding } from '../log/events.ts'
import type { FileRecord } from '../log/view.ts'
import { checkInviteFresh, checkInviteProduction, inviteId, verifyJoinRequest, type InviteToken } from '../replicate/invite.ts'
import { SyncSession, type SyncHost } from '../replicate/session.ts'
import { DirectTransport } from '../replicate/transport/direct.ts'
import { SwarmTransport } from '../replicate/transport/swarm.ts'
import { LanTransport } from '../replicate/transport/libp2p.ts'
import type { Admission, PeerConnection, Transport, TransportKind } from '../replicate/transport/transport.ts'
import type { AdmittedMsg, AttestMsg, Hello, JoinMsg } from '../replicate/wire.ts'
import type { OffloadEvents } from '../media/offload.ts'
import { addMember } from './members.ts'
import { runOffload, type OffloadRequest, type OffloadSummary } from './offload-job.ts'
import { runVerify, type VerifyReport, type VerifyRequest } from './verify-job.ts'
import { classifyStorageError } from './storage-errors.ts'
import { Production } from './production.ts'
import { emptyLive, type LiveState } from './status.ts'
import type { PeerEvents } from './events.ts'

export interface DaemonOptions {
  production: Production
  listen?: { host: string, port: number }
  connect?: { host: string, port: number }[]
  bootstrap?: { host: string, port: number }[]
  publicDht?: boolean
  /** bind the DHT node to this host (tests and the demo: 127.0.0.1) */
  dhtHost?: string
  /** this machine takes incoming UDP directly (set LAN, public server): the DHT skips its firewall probing */
  dhtReachable?: boolean
  /** LAN transport (libp2p; mDNS discovery unless mdns is false) */
  lan?: { listen?: string[], mdns?: boolean, connect?: string[] }
  /** which cards' media to fetch: every card, or only the ones this peer registered */
  want?: 'all' | 'own' | 'none'
  logger?: Logger
  clock?: () => number
  maxJoiners?: number
  /** the key file's passphrase (null when unprotected), to store new data-key epochs */
  savePassphrase?: string | null
}

export class PeerDaemon implements SyncHost {
  readonly p: Production
  readonly events = new TypedEmitter<PeerEvents>({ backlog: 500 })
  readonly live: LiveState = emptyLive()
  private readonly o: DaemonOptions
  private readonly transports: Transport[] = []
  private readonly sessions = new Set<SyncSession>()
  private readonly received = new Set<string>()
  private readonly failedAt = new Map<string, number>()
  private readonly alerted = new Map<string, number>()
  private replicating = false
  private dirty = false
  private stopped = false
  private readonly log: Logger
  private joiners = 0
  private wasWritable = false
  private readonly joined = new Set<string>()
  private readonly onUpdate = () => this.afterUpdate()

  constructor(o: DaemonOptions) {
    this.o = o
    this.p = o.production
    this.log = o.logger ?? silentLogger
    this.live.want = o.want ?? 'all'
  }

  get productionKey(): ProductionKey { return this.p.key }
  get lan(): LanTransport | undefined { return this.transports.find((t): t is LanTransport => t instanceof LanTransport) }
  get direct(): DirectTransport | undefined { return this.transports.find((t): t is DirectTransport => t instanceof DirectTransport) }
  private now(): number { return (this.o.clock ?? Date.now)() }

  async start(): Promise<void> {
    const identity = this.p.home.identity
    const gate = (k: PeerKey, address: string, kind: TransportKind) => this.gate(k, address, kind)
    if (this.o.listen || this.o.connect?.length) this.transports.push(new DirectTransport({ identity, gate, listen: this.o.listen, connect: this.o.connect }))
    if (this.o.lan) this.transports.push(new LanTransport({ identity, gate, listen: this.o.lan.listen, mdns: this.o.lan.mdns ?? true, connect: this.o.lan.connect }))
    if (this.o.bootstrap?.length || this.o.publicDht) {
      this.transports.push(new SwarmTransport({ identity, gate, topic: topicFor(ProductionKey.toBytes(this.p.key)), bootstrap: this.o.bootstrap, publicDht: this.o.publicDht, host: this.o.dhtHost, ...(this.o.dhtReachable ? { firewalled: false } : {}) }))
    }
    for (const t of this.transports) {
      t.on('connection', (c) => this.onConnection(c))
      t.on('refused', (r) => void this.onRefused(r.remoteKey, r.address, r.transport, r.reason))
      t.on('error', (err) => this.log.warn('transport error', { err: err.message }))
      await t.start()
    }
    this.p.log.on('update', this.onUpdate)
    this.afterUpdate()
  }

  /** The access gate: active members get a session; admins let strangers try to join. */
  private async gate(k: PeerKey, _address: string, _kind: TransportKind): Promise<Admission> {
    if (this.stopped) return 'refuse'
    // a peer that has not synced the log yet knows no members: it lets peers in to bootstrap.
    // It holds nothing to leak, and everything it receives is signed by the production's writers.
    if (!(await this.p.log.queries.production())) return 'member'
    const m = await this.p.log.queries.member(k, this.now())
    if (m && m.effective === 'active') return 'member'
    if (m) return 'refuse' // revoked or expired
    const me = await this.p.log.queries.member(this.p.home.identity.peerKey, this.now())
    if (me?.role === 'admin' && me.effective === 'active' && this.joiners < (this.o.maxJoiners ?? 8)) return 'joiner'
    return 'refuse'
  }

  private async onRefused(k: PeerKey | null, address: string, transport: TransportKind, reason: string): Promise<void> {
    this.events.emit('refused', { peer: k, address, transport, reason })
    // anonymous refusals are counted per host, not per host:port: a flood of connections from one
    // machine (each with a new source port) is one alert, not one custody-log entry per socket
    const key = k ?? address.replace(/:\d+$/, '')
    const last = this.alerted.get(key) ?? 0
    if (this.now() - last < 10 * 60_000) return // one alert per key per 10 minutes: a flood costs nothing
    this.alerted.set(key, this.now())
    if (!this.p.log.writable) return
    const m = k ? await this.p.log.queries.member(k, this.now()) : null
    const who = k ? `${PeerKey.short(k)}${m ? ` (${m.effective} ${m.role} ${m.name})` : ' (unknown key)'}` : 'a peer that did not complete the handshake'
    await this.p.log.append({ type: 'alert.raised', kind: 'unauthorized-connection', severity: 'warning', message: `refused a connection from ${who} at ${address} over ${transport}: ${reason}`, subject: k ?? address }).catch(() => {})
  }

  private onConnection(c: PeerConnection): void {
    if (this.stopped) { c.stream.destroy(); return }
    if (c.admission === 'joiner') this.joiners++
    const s = new SyncSession(c, this.p.key, this)
    this.sessions.add(s)
    let lastError = ''
    s.on('error', (err) => { lastError = err.message; this.log.debug('session error', { peer: c.remoteKey, err: err.message }) })
    s.on('closed', () => {
      this.sessions.delete(s)
      if (c.admission === 'joiner') {
        this.joiners--
        if (!this.joined.has(c.remoteKey)) void this.onRefused(c.remoteKey, c.address, c.transport, lastError || 'a non-member connected and did not join')
      } else if (lastError) {
        // a member cut for a malformed or oversized message: the operator hears of it too
        void this.onRefused(c.remoteKey, c.address, c.transport, `cut for a protocol violation: ${lastError}`)
      }
      if (![...this.sessions].some((x) => x.conn.remoteKey === c.remoteKey)) {
        this.live.peers.delete(c.remoteKey)
        this.live.lastSeen.set(c.remoteKey, this.now())
        this.events.emit('peer-disconnected', { peer: c.remoteKey })
      }
    })
    s.open()
    if (c.admission === 'member') {
      this.live.peers.set(c.remoteKey, { transport: c.transport, since: this.now() })
      void this.p.log.queries.member(c.remoteKey).then((m) => this.events.emit('peer-connected', { peer: c.remoteKey, name: m?.name ?? '', transport: c.transport, address: c.address }))
      this.kick()
    }
  }

  // ---- SyncHost

  role(): string | null { return null }

  binding(): WriterBinding | null { return this.p.log.binding() }

  async knownCores(): Promise<string[]> {
    const keys = new Set<string>([this.p.log.base.key.toString('hex')])
    for (const m of await this.p.log.queries.members()) if (m.writer) keys.add(m.writer)
    if (this.p.vault.ownCore) keys.add(this.p.vault.ownCore)
    for (const c of await this.p.log.queries.cards()) for (const f of await this.p.log.queries.files(c.card)) for (const k of f.chunks.cores) keys.add(k)
    return [...keys]
  }

  replicate(conn: PeerConnection): void {
    const s = this.p.log.replicate(conn.stream)
    s.on('error', () => {})
  }

  async onHello(remote: PeerKey, hello: Hello): Promise<void> {
    // a member whose writer core is not bound yet: record its signed binding (apply verifies it)
    const b = hello.binding
    if (!b || b.peer !== remote || !this.p.log.writable) return
    const m = await this.p.log.queries.member(remote)
    if (!m || m.writer || m.effective !== 'active') return
    if (!verifyBinding({ productionKey: this.p.key }, b)) return
    await this.p.log.append({ type: 'member.bound', binding: b }).catch((err: unknown) => this.log.warn('could not bind writer', { err: String(err) }))
  }

  async onJoin(remote: PeerKey, msg: JoinMsg, handshakeHash: Buffer): Promise<AdmittedMsg> {
    const prod = await this.p.log.queries.production()
    if (!msg.token) {
      const m = await this.p.log.queries.member(remote, this.now())
      if (!m || m.effective !== 'active') throw new OnsetError('PEER_REFUSED', 'not a current member of this production')
      return { name: prod?.name ?? this.p.held.name, secrets: m.secrets, role: m.role }
    }
    const t = msg.token
    const token: InviteToken = { production: ProductionKey.parse(t.production), issuer: PeerKey.parse(t.issuer), role: t.role, expiresAt: t.expiresAt, name: t.name, inviteKey: Buffer.from(t.inviteKey, 'hex'), signature: Buffer.from(t.signature, 'hex') }
    checkInviteProduction(token, this.p.key)
    checkInviteFresh(token, this.now())
    verifyJoinRequest({ token, proof: Buffer.from(msg.proof!, 'hex') }, remote, handshakeHash)
    const issuer = await this.p.log.queries.member(token.issuer, this.now())
    if (!issuer || issuer.role !== 'admin' || issuer.effective !== 'active') throw new OnsetError('TOKEN_INVALID', 'the invite was issued by someone who is not an admin (any more)')
    const used = await this.p.log.queries.inviteUse(inviteId(token))
    if (used) throw new OnsetError('TOKEN_REUSED', `this invite was already used (by ${PeerKey.short(used.peer)})`, { hint: 'ask the admin for a new invite' })
    const existing = await this.p.log.queries.member(remote)
    if (!existing) await addMember(this.p, { peer: remote, role: token.role, name: `${token.role} (by invite)`, expiresAt: null, invite: inviteId(token) })
    const m = await this.p.log.queries.member(remote)
    this.joined.add(remote)
    this.events.emit('admitted', { peer: remote, role: token.role, by: 'invite' })
    return { name: prod?.name ?? this.p.held.name, secrets: m?.secrets ?? null, role: token.role }
  }

  async onAttest(remote: PeerKey, msg: AttestMsg): Promise<void> {
    let a
    try { a = openAttestation(msg.attestation) } catch { return }
    if (a.peer !== remote || !this.p.log.writable) return
    const existing = await this.p.log.queries.attestations(a.card, a.path)
    if (existing.some((x) => x.peer === a.peer)) return
    await this.p.log.append({ type: 'attestation.recorded', attestation: msg.attestation }).catch(() => {})
  }

  // ---- replication of media

  private afterUpdate(): void {
    if (this.stopped) return
    this.events.emit('log-update', { length: this.p.log.base.length })
    if (this.p.log.writable && !this.wasWritable) { this.wasWritable = true; this.events.emit('writable', { writer: this.p.log.writerKey }) }
    void this.enforceMembership()
    void this.p.absorbSealedSecrets(this.o.savePassphrase ?? null).catch((err: unknown) => this.log.warn('could not store new secrets', { err: String(err) }))
    this.kick()
  }

  /** Close sessions of peers that are no longer members (revoked, expired). */
  private async enforceMembership(): Promise<void> {
    for (const s of [...this.sessions]) {
      if (s.conn.admission !== 'member') continue
      const m = await this.p.log.queries.member(s.conn.remoteKey, this.now())
      if (!m || m.effective !== 'active') {
        s.close()
        this.events.emit('refused', { peer: s.conn.remoteKey, address: s.conn.address, transport: s.conn.transport, reason: `membership ${m?.effective ?? 'gone'}: connection closed` })
      }
    }
  }

  /** Run the replicator (single flight; a kick while running schedules one more pass). */
  kick(): void {
    if (this.stopped) return
    if (this.replicating) { this.dirty = true; return }
    this.replicating = true
    void this.replicatePass().catch((err: unknown) => this.log.warn('replication pass failed', { err: String(err) })).finally(() => {
      this.replicating = false
      if (this.dirty && !this.stopped) { this.dirty = false; this.kick() }
    })
  }

  private async wanted(): Promise<{ card: CardId, files: FileRecord[] }[]> {
    const want = this.o.want ?? 'all'
    if (want === 'none') return []
    const self = this.p.home.identity.peerKey
    const out: { card: CardId, files: FileRecord[] }[] = []
    for (const c of await this.p.log.queries.cards()) {
      if (want === 'own' && c.registeredBy !== self) continue
      const files = (await this.p.log.queries.files(c.card)).filter((f) => !this.received.has(`${f.card}/${f.path}`))
      if (files.length) out.push({ card: c.card, files })
    }
    return out
  }

  private async replicatePass(): Promise<void> {
    if (!this.sessions.size) return
    const self = this.p.home.identity.peerKey
    const me = await this.p.log.queries.member(self)
    if (!me || me.effective !== 'active' || me.role === 'vault') return
    // a writer records what it received: wait until its writer core is bound and replicated back
    if ((me.role === 'dit' || me.role === 'lab' || me.role === 'admin') && !this.p.log.writable) return
    for (const { card, files } of await this.wanted()) {
      let pending = files.reduce((n, f) => n + f.size, 0)
      this.live.transfers.set(card, { pending, rate: 0 })
      const t0 = Date.now()
      let moved = 0
      for (const f of files) {
        if (this.stopped) return
        const key = `${f.card}/${f.path}`
        const copies = await this.p.log.queries.copies(f.card, f.path)
        const mine = copies.find((x) => x.location.kind === 'vault' && x.location.peer === self && x.verified?.result === 'ok')
        if (mine) { this.received.add(key); pending -= f.size; continue }
        const lastFail = this.failedAt.get(key) ?? 0
        if (Date.now() - lastFail < 5_000) continue
        try {
          await this.fetchFile(f)
          this.received.add(key)
          this.failedAt.delete(key)
          moved += f.size
          pending -= f.size
          const rate = moved / Math.max(0.001, (Date.now() - t0) / 1000)
          this.live.transfers.set(card, { pending, rate })
          this.events.emit('transfer', { card, path: f.path, bytes: f.size, pendingBytes: pending, rate })
        } catch (err) {
          this.failedAt.set(key, Date.now())
          this.events.emit('replica-failed', { card, path: f.path, error: (err as Error).message })
        }
      }
      this.live.transfers.set(card, { pending: Math.max(0, pending), rate: 0 })
      if (pending <= 0) this.live.transfers.delete(card)
    }
  }

  /** Fetch every chunk of a file from whichever peers have it, verify it, and record or attest it. */
  private async fetchFile(f: FileRecord): Promise<void> {
    const refs = Production.chunkRefs(f)
    // ask for all blocks up front so they stream in parallel from every peer that has them
    const byCore = new Map<string, number[]>()
    for (const r of refs) { const l = byCore.get(r.core) ?? []; l.push(r.block); byCore.set(r.core, l) }
    const downloads = []
    for (const [core, blocks] of byCore) {
      const c = await this.p.vault.core(core, f.epoch)
      downloads.push(c.download({ blocks }))
    }
    try {
      const hasher = await FileHasher.create(['xxh64', 'xxh128'])
      let n = 0
      const window = 16
      const pendingGets: Promise<Buffer>[] = []
      let next = 0
      const fill = () => { while (pendingGets.length < window && next < refs.length) pendingGets.push(this.p.vault.get(refs[next++]!, { timeout: 60_000 })) }
      fill()
      while (pendingGets.length) {
        const b = await pendingGets.shift()!
        hasher.update(b)
        n += b.length
        fill()
      }
      const seen = hasher.digest()
      const bad = hashMismatches(f.hashes, seen)
      if (n !== f.size || bad.length) throw new OnsetError('HASH_MISMATCH', `${f.card}/${f.path}: received ${n} bytes whose ${bad.join(', ') || 'size'} differ from the record`)
      for (const r of refs) await this.p.vault.recordReceived(r)
    } finally {
      for (const d of downloads) d.destroy()
    }
    const self = this.p.home.identity.peerKey
    if (this.p.log.writable) {
      await this.p.log.append({ type: 'replica.received', card: f.card, path: f.path, peer: self, hashes: { xxh64: f.hashes.xxh64!, xxh128: f.hashes.xxh128! } })
    } else {
      const attestation = signAttestation(this.p.home.identity, { production: this.p.key, card: f.card, path: f.path, size: f.size, hashes: { xxh64: f.hashes.xxh64!, xxh128: f.hashes.xxh128! }, verifiedAt: this.now(), mode: 'plaintext' })
      for (const s of this.sessions) if (s.conn.admission === 'member' && !s.closed) s.sendAttestation(attestation)
    }
    this.events.emit('replica-received', { card: f.card, path: f.path, from: '' })
  }

  /** Verify the vault against the log and repair bad chunks from peers. */
  async repairVault(): Promise<{ checked: number, repaired: string[], failed: string[] }> {
    const repaired: string[] = [], failed: string[] = []
    let checked = 0
    for (const c of await this.p.log.queries.cards()) {
      for (const f of await this.p.log.queries.files(c.card)) {
        const refs = Production.chunkRefs(f).filter((r) => this.received.has(`${f.card}/${f.path}`) || r.core === this.p.vault.ownCore)
        const problems = await this.p.vault.verifyRefs(refs)
        checked += refs.length
        for (const pr of problems) {
          try { await this.p.vault.repair(pr.ref, { timeout: 30_000 }); repaired.push(`${f.card}/${f.path}#${pr.ref.block}`) } catch { failed.push(`${f.card}/${f.path}#${pr.ref.block}`) }
        }
      }
    }
    return { checked, repaired, failed }
  }

  /** `onset offload` inside the peer: the card shows COPYING, then replicates as it is recorded. */
  async offload(req: OffloadRequest, tool: { name: string, version: string }): Promise<OffloadSummary> {
    const events = new TypedEmitter<OffloadEvents>()
    events.on('progress', (e) => this.events.emit('offload-progress', e))
    events.on('dest-failed', (e) => this.events.emit('dest-failed', e))
    events.on('skipped', (e) => this.events.emit('skipped', e))
    let r: OffloadSummary
    try {
      r = await runOffload(this.p, req, { tool, events, live: this.live })
    } catch (err) {
      throw (await classifyStorageError(err, this.p.home.paths.root)) ?? err
    }
    this.events.emit('offload-done', { card: r.card, ok: r.ok, files: r.files, bytes: r.bytes })
    this.kick()
    return r
  }

  /** `onset verify` inside the peer: with members connected, bad vault chunks are fetched again. */
  async verify(req: VerifyRequest, tool: { name: string, version: string }): Promise<VerifyReport> {
    try {
      return await runVerify(this.p, req, { tool, peersAvailable: this.sessions.size > 0, onRow: (row) => this.events.emit('verified', row) })
    } catch (err) {
      throw (await classifyStorageError(err, this.p.home.paths.root)) ?? err
    }
  }

  connectedPeers(): PeerKey[] {
    return [...new Set([...this.sessions].filter((s) => s.conn.admission === 'member').map((s) => s.conn.remoteKey))]
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.p.log.off('update', this.onUpdate)
    for (const s of this.sessions) s.close()
    for (const t of this.transports) await t.stop().catch(() => {})
  }
}
