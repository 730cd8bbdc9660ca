// Real multi-peer custody logs in one process: real Corestores on temp dirs, real Autobase,
// replication over in-process piped streams that a test can cut and restore.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Corestore from 'corestore'
import type { Duplex } from 'node:stream'
import { generateIdentity, type Identity } from '../../src/crypto/identity.ts'
import { ProductionSecrets } from '../../src/crypto/secrets.ts'
import { CustodyLog } from '../../src/log/custody-log.ts'
import type { Policy } from '../../src/log/events.ts'

export interface TestPeer {
  name: string
  identity: Identity
  store: Corestore
  log: CustodyLog
}

export class LogCluster {
  readonly dir: string
  readonly peers: TestPeer[] = []
  private readonly links = new Map<string, [Duplex, Duplex]>()
  secrets!: ProductionSecrets

  private constructor(dir: string) { this.dir = dir }

  static async create(opts: { name?: string, policy?: Policy, clock?: () => number } = {}): Promise<{ cluster: LogCluster, admin: TestPeer }> {
    const c = new LogCluster(await fs.mkdtemp(path.join(os.tmpdir(), 'onset-log-')))
    c.secrets = ProductionSecrets.create()
    const identity = generateIdentity()
    const store = new Corestore(path.join(c.dir, 'admin'))
    const log = await CustodyLog.create({ store: store.namespace('p'), identity, secrets: c.secrets, name: opts.name ?? 'Test Production', creatorName: 'admin', policy: opts.policy, clock: opts.clock })
    const admin = { name: 'admin', identity, store, log }
    c.peers.push(admin)
    return { cluster: c, admin }
  }

  /** A new peer that opens the production (not yet a member). */
  async addPeer(name: string, clock?: () => number): Promise<TestPeer> {
    const identity = generateIdentity()
    const store = new Corestore(path.join(this.dir, name))
    const log = await CustodyLog.open({ store: store.namespace('p'), identity, secrets: this.secrets, productionKey: this.peers[0]!.log.key, clock })
    const p = { name, identity, store, log }
    this.peers.push(p)
    return p
  }

  connect(a: TestPeer, b: TestPeer): void {
    const id = [a.name, b.name].sort().join('~')
    if (this.links.has(id)) return
    const s1 = a.log.replicate(true)
    const s2 = b.log.replicate(false)
    s1.on('error', () => {})
    s2.on('error', () => {})
    s1.pipe(s2).pipe(s1)
    this.links.set(id, [s1, s2])
  }

  connectAll(): void {
    for (let i = 0; i < this.peers.length; i++) for (let j = i + 1; j < this.peers.length; j++) this.connect(this.peers[i]!, this.peers[j]!)
  }

  disconnect(a: TestPeer, b: TestPeer): void {
    const id = [a.name, b.name].sort().join('~')
    const l = this.links.get(id)
    if (!l) return
    l[0].destroy(); l[1].destroy()
    this.links.delete(id)
  }

  disconnectAll(): void {
    for (const [s1, s2] of this.links.values()) { s1.destroy(); s2.destroy() }
    this.links.clear()
  }

  /** Update until `cond` holds, bounded in rounds and time. */
  async until(cond: () => Promise<boolean> | boolean, what: string, limitMs = 20_000): Promise<void> {
    const t0 = Date.now()
    for (let round = 0; round < 5000; round++) {
      await Promise.all(this.peers.map((p) => p.log.update()))
      if (await cond()) return
      if (Date.now() - t0 > limitMs) break
      await new Promise((r) => setTimeout(r, 10))
    }
    throw new Error(`timed out waiting for: ${what}`)
  }

  async dumps(peers = this.peers): Promise<string[]> {
    return Promise.all(peers.map(async (p) => JSON.stringify(await p.log.queries.dump())))
  }

  async converge(peers = this.peers, what = 'views to converge'): Promise<void> {
    await this.until(async () => {
      const d = await this.dumps(peers)
      return d.every((x) => x === d[0])
    }, what)
  }

  async close(): Promise<void> {
    this.disconnectAll()
    for (const p of this.peers) { await p.log.close(); await p.store.close() }
    await fs.rm(this.dir, { recursive: true, force: true })
  }
}
