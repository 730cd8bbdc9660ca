/**
 * An open production on this peer: the Corestore, the custody log, the vault, and the helpers
 * commands use (the "small core API" the CLI and the daemon stand on).
 */
import path from 'node:path'
import { existsSync, promises as fs, rmSync, statSync } from 'node:fs'
import Corestore from 'corestore'
import { OnsetError } from '../base/errors.ts'
import { randomBytes } from '../crypto/identity.ts'
import type { ProductionKey} from '../crypto/ids.ts';
import { type CardId } from '../crypto/ids.ts'
import type { HeldProduction } from '../crypto/keyfile.ts'
import { ProductionSecrets } from '../crypto/secrets.ts'
import { CustodyLog, openSealedSecrets } from '../log/custody-log.ts'
import type { Policy } from '../log/events.ts'
import type { FileRecord } from '../log/view.ts'
import { HypercoreChunkStore } from '../store/hypercore-chunk-store.ts'
import type { ChunkRef } from '../store/chunk-store.ts'
import type { Home } from './home.ts'
import { saveHome } from './home.ts'

export interface OpenProductionOptions {
  clock?: () => number
}

export class Production {
  readonly home: Home
  readonly held: HeldProduction
  readonly store: Corestore
  readonly log: CustodyLog
  readonly vault: HypercoreChunkStore

  private constructor(home: Home, held: HeldProduction, store: Corestore, log: CustodyLog, vault: HypercoreChunkStore) {
    this.home = home
    this.held = held
    this.store = store
    this.log = log
    this.vault = vault
  }

  get key(): ProductionKey { return this.held.key }
  get secrets(): ProductionSecrets { return this.held.secrets }

  static openStore(home: Home): Corestore {
    // a kill -9 while the store was first being created leaves an empty device file and no
    // database: nothing was ever stored, so the file is cleared and the store made afresh
    // (otherwise it reads as a store moved from elsewhere, forever)
    const device = path.join(home.paths.corestore, 'CORESTORE')
    try { if (statSync(device).size === 0 && !existsSync(path.join(home.paths.corestore, 'db'))) rmSync(device) } catch { /* none yet */ }
    return new Corestore(home.paths.corestore)
  }

  /** Create a new production with this peer as its admin, and remember it in the key file. */
  static async create(home: Home, passphrase: string | null, o: { name: string, creatorName?: string, policy?: Policy } & OpenProductionOptions): Promise<Production> {
    await fs.mkdir(home.paths.root, { recursive: true, mode: 0o700 })
    const store = Production.openStore(home)
    const secrets = ProductionSecrets.create()
    const ns = randomBytes(32).toString('hex')
    try {
      const log = await CustodyLog.create({ store: store.namespace(ns), identity: home.identity, secrets, name: o.name, creatorName: o.creatorName ?? '', policy: o.policy, clock: o.clock })
      const held: HeldProduction = { key: log.key, name: o.name, ns, secrets }
      home.productions.push(held)
      await saveHome(home, passphrase)
      const vault = await Production.openVault(store, ns, secrets)
      return new Production(home, held, store, log, vault)
    } catch (err) {
      if (err instanceof Error && /invalid device file|no device file present/i.test(err.message)) { await store.close().catch(() => {}); throw storeMoved(home, err) }
      await store.close().catch(() => {})
      throw err
    }
  }

  static async openVault(store: Corestore, ns: string, secrets: ProductionSecrets): Promise<HypercoreChunkStore> {
    return HypercoreChunkStore.open({ store: store.namespace(ns), chunkIdKey: secrets.chunkIdKey, dataKey: (e) => secrets.dataKey(e), epoch: secrets.currentEpoch })
  }

  /** Open the production this peer holds (the only one, or the one named by key or prefix). */
  static async open(home: Home, which?: string, o: OpenProductionOptions = {}): Promise<Production> {
    const held = pickProduction(home, which)
    const store = Production.openStore(home)
    try {
      const log = await CustodyLog.open({ store: store.namespace(held.ns), identity: home.identity, secrets: held.secrets, productionKey: held.key, clock: o.clock })
      const vault = await Production.openVault(store, held.ns, held.secrets)
      return new Production(home, held, store, log, vault)
    } catch (err) {
      await store.close().catch(() => {})
      if (err instanceof Error && /invalid device file|no device file present/i.test(err.message)) throw storeMoved(home, err)
      if (err instanceof Error && /could not be locked|lock/i.test(err.message)) {
        throw new OnsetError('LOCKED', `the data directory ${home.paths.root} is in use by another onset process`, { hint: 'stop the running `onset peer`, or run this command through it' })
      }
      throw err
    }
  }

  /** Learn secrets sealed to us in the log (new data-key epochs after a revocation). Returns true if the key file changed. */
  async absorbSealedSecrets(passphrase: string | null): Promise<boolean> {
    let changed = false
    for (const e of await this.log.queries.epochs()) {
      if (this.held.secrets.hasEpoch(e.epoch)) continue
      const sealed = e.sealed[this.home.identity.peerKey]
      if (!sealed) continue
      for (const [epoch, secret] of openSealedSecrets(this.home.identity, sealed)) {
        if (!this.held.secrets.hasEpoch(epoch) && epoch > 0) { this.held.secrets.addEpoch(epoch, secret); changed = true }
      }
    }
    if (changed) await saveHome(this.home, passphrase)
    return changed
  }

  /** The chunk refs of a recorded file, in file order. */
  static chunkRefs(f: FileRecord): ChunkRef[] {
    return f.chunks.list.map(([id, core, block, size]) => ({ id, core: f.chunks.cores[core]!, block, size, epoch: f.epoch }))
  }

  async requireCard(card: CardId) {
    const c = await this.log.queries.card(card)
    if (!c) throw new OnsetError('NOT_FOUND', `no card ${card} in production ${this.held.name}`, { hint: 'see `onset status` for the cards' })
    return c
  }

  async close(): Promise<void> {
    await this.vault.close().catch(() => {})
    await this.log.close().catch(() => {})
    await this.store.close()
  }
}

/**
 * The Corestore's device file (corestore/CORESTORE) records where the store was made. A copy of
 * a data directory (a restore from backup, a cp to another disk) does not match it, and running
 * a copy as a peer while the original may still run would fork that peer's writer core. So the
 * copy is refused with what to do, not opened.
 */
function storeMoved(home: Home, err: Error): OnsetError {
  return new OnsetError('STORE_MOVED', `the data directory ${home.paths.root} was copied or moved from elsewhere (${err.message.replace(/^Invalid device file, /i, '')}): a copy must not run as the same peer while the original might, or its log forks`, {
    hint: `use the original directory; if this is a restore and the original will never run again, delete ${path.join(home.paths.corestore, 'CORESTORE')} and run the command again`,
    cause: err,
  })
}

export function pickProduction(home: Home, which?: string): HeldProduction {
  if (home.productions.length === 0) throw new OnsetError('NO_PRODUCTION', 'this peer is not part of any production yet', { hint: 'create one with `onset production create <name>`, or join one with `onset join <token>`' })
  if (!which) {
    if (home.productions.length > 1) throw new OnsetError('USAGE', `this peer holds ${home.productions.length} productions: choose one with --production`, { hint: home.productions.map((p) => `${p.key.slice(0, 8)} ${p.name}`).join(', ') })
    return home.productions[0]!
  }
  const m = home.productions.filter((p) => p.key.startsWith(which.toLowerCase()) || p.name === which)
  if (m.length !== 1) throw new OnsetError('NOT_FOUND', m.length ? `"${which}" matches several productions` : `no production "${which}" on this peer`)
  return m[0]!
}
