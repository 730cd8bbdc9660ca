/**
 * The demo production: four real peers on loopback in one process — DIT cart (admin), near-set
 * lab, post house (read-only, joined by invite) and off-site vault (blind) — each with its own
 * data directory, Corestore and identity, talking over real TCP + Noise connections. It offloads
 * deterministic camera cards, replicates them, demonstrates a failure and its repair and an
 * unauthorized peer being refused, and reports every check. Nothing leaves 127.0.0.1.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { TypedEmitter } from '../base/events.ts'
import { generateIdentity } from '../crypto/identity.ts'
import { CardId, PeerKey } from '../crypto/ids.ts'
import { exportCard } from '../media/export.ts'
import { offload } from '../media/offload.ts'
import { makeSyntheticCard } from '../media/synthetic-card.ts'
import { verifyDest } from '../media/verify.ts'
import { createInvite } from '../replicate/invite.ts'
import { DirectTransport } from '../replicate/transport/direct.ts'
import { BlindDaemon, readBlind } from './blind.ts'
import { PeerDaemon } from './daemon.ts'
import { initHome, openHome, type Home } from './home.ts'
import { join } from './join.ts'
import { LogCustodySink } from './log-sink.ts'
import { Production } from './production.ts'
import { buildSnapshot } from './status.ts'
import type { Snapshot } from './snapshot.ts'
import type { TimelineRecord } from '../log/view.ts'

export interface DemoCheck { name: string, ok: boolean, detail: string }

export interface DemoEvents extends Record<string, unknown> {
  step: { text: string }
  snapshot: { snapshot: Snapshot }
  check: DemoCheck
  /** the DIT cart's live view, for a dashboard */
  live: { status: () => Promise<Snapshot>, timeline: (card: CardId) => Promise<TimelineRecord[]>, ack: (id: string) => Promise<void> }
}

export interface DemoOptions {
  dir?: string
  keep?: boolean
  cards?: number
  clipBytes?: number
  clips?: number
  timeoutMs?: number
}

export interface DemoResult { ok: boolean, checks: DemoCheck[], dir: string, seconds: number, bytes: number, final: Snapshot | null }

const VERSION = { name: 'onset', version: 'demo' }

async function until<T>(fn: () => Promise<T | null | false | undefined>, ms: number): Promise<T | null> {
  const t0 = Date.now()
  for (let i = 0; i < 100_000; i++) {
    const v = await fn().catch(() => null)
    if (v) return v
    if (Date.now() - t0 > ms) return null
    await new Promise((r) => setTimeout(r, 150))
  }
  return null
}

export async function runDemo(o: DemoOptions = {}, events = new TypedEmitter<DemoEvents>()): Promise<DemoResult> {
  const t0 = Date.now()
  const dir = o.dir ?? await fs.mkdtemp(path.join(os.tmpdir(), 'onset-demo-'))
  const checks: DemoCheck[] = []
  const check = (name: string, ok: boolean, detail: string) => { const c = { name, ok, detail }; checks.push(c); events.emit('check', c) }
  const step = (text: string) => events.emit('step', { text })
  const timeout = o.timeoutMs ?? 60_000
  const stops: (() => Promise<void>)[] = []
  let final: Snapshot | null = null
  let totalBytes = 0
  try {
    step('creating four peers: DIT cart, lab, post house, vault')
    const homes: Record<string, Home> = {}
    for (const n of ['dit', 'lab', 'post', 'vault']) homes[n] = await initHome(path.join(dir, n), null, { kdf: 'interactive' })
    const dit = await Production.create(homes.dit!, null, { name: 'Demo Production', creatorName: 'DIT cart', policy: { copies: 3, peers: 2, offsite: 1 } })
    stops.push(() => dit.close())

    step('generating camera cards')
    const cards: CardId[] = []
    const ncards = o.cards ?? 2
    for (let i = 1; i <= ncards; i++) {
      const id = CardId.parse(`A00${i}`)
      const c = await makeSyntheticCard({ root: path.join(dir, 'cards'), card: id, clips: o.clips ?? 4, clipBytes: o.clipBytes ?? 24 * 1024 * 1024, sidecars: 8, seed: 'onset-demo' })
      totalBytes += c.bytes
      cards.push(id)
    }

    step('offloading on the DIT cart: vault + two plain destinations, verified, ASC MHL')
    const sink = new LogCustodySink(dit.log, homes.dit!.identity.peerKey, 0)
    for (const card of cards) {
      const r = await offload({ cardDir: path.join(dir, 'cards', card), card, dests: [path.join(dir, 'dit', 'SHUTTLE-1'), path.join(dir, 'dit', 'RAID')], vault: dit.vault, custody: sink, journalDir: path.join(dir, 'dit', 'journal'), self: homes.dit!.identity.peerKey, tool: VERSION })
      check(`offload ${card}`, r.ok, `${r.files} files, ${(r.bytes / 1048576).toFixed(0)} MiB, ${r.mhl.length} MHL generations`)
    }
    events.emit('snapshot', { snapshot: await buildSnapshot(dit) })

    step('inviting the lab and the post house; admitting the vault')
    const invite = (role: 'lab' | 'post' | 'vault') => createInvite(homes.dit!.identity, { production: dit.key, role, expiresAt: Date.now() + 3_600_000, name: 'Demo Production' }).token
    const ditd = new PeerDaemon({ production: dit, listen: { host: '127.0.0.1', port: 0 }, want: 'own' })
    await ditd.start()
    events.emit('live', { status: () => buildSnapshot(dit, ditd.live), timeline: (card) => dit.log.queries.timeline(card), ack: async (id) => { await dit.log.append({ type: 'alert.acked', alert: id }) } })
    stops.unshift(() => ditd.stop())
    const addr = ditd.direct!.address()!
    const connect = [{ host: '127.0.0.1', port: addr.port }]
    for (const n of ['lab', 'post', 'vault'] as const) {
      const r = await join(homes[n]!, null, { target: invite(n), connect: connect[0]! })
      check(`${n} joins by invite`, r.role === n, `admitted as ${r.role}`)
    }

    step('starting the lab, post and vault peers; replicating over loopback')
    const lab = await Production.open(await openHome(path.join(dir, 'lab'), undefined))
    const post = await Production.open(await openHome(path.join(dir, 'post'), undefined))
    stops.push(() => lab.close(), () => post.close())
    const labd = new PeerDaemon({ production: lab, connect, want: 'all' })
    const postd = new PeerDaemon({ production: post, connect, want: 'all' })
    const vaultHome = await openHome(path.join(dir, 'vault'), undefined)
    const vaultd = new BlindDaemon(vaultHome, (await readBlind(vaultHome))[0]!, { connect })
    for (const d of [labd, postd, vaultd]) { await d.start(); stops.unshift(() => d.stop()) }

    const tick = setInterval(() => { void buildSnapshot(dit, ditd.live).then((s) => events.emit('snapshot', { snapshot: s })).catch(() => {}) }, 250)
    stops.unshift(async () => clearInterval(tick))
    const protectedSnap = await until(async () => { const s = await buildSnapshot(dit, ditd.live); return s.cards.length === cards.length && s.cards.every((c) => c.state === 'PROTECTED') ? s : null }, timeout)
    check('every card PROTECTED (3 verified copies, 2 peers, 1 off the cart)', protectedSnap !== null, protectedSnap ? protectedSnap.cards.map((c) => `${c.card}: ${c.copies} copies at ${c.where.length} places`).join('; ') : 'timed out')
    const labSnap = await buildSnapshot(lab)
    const labFiles = (await Promise.all(cards.map((c) => lab.log.queries.files(c)))).flat()
    const labHas = await until(async () => { for (const f of labFiles) { const cs = await lab.log.queries.copies(f.card, f.path); if (!cs.some((x) => x.location.kind === 'vault' && x.location.peer === homes.lab!.identity.peerKey && x.verified?.result === 'ok')) return false } return true }, timeout)
    check('lab received and verified every byte', Boolean(labHas) && labSnap.cards.length === cards.length, `${labFiles.length} files, every chunk re-hashed and every file's xxh64/xxh128 matched`)
    const attested = await until(async () => { let n = 0; for (const f of labFiles) n += (await dit.log.queries.attestations(f.card, f.path)).filter((a) => a.peer === homes.post!.identity.peerKey).length; return n === labFiles.length ? n : null }, timeout)
    check('post decrypted everything; its signed attestations were recorded by a writer', attested !== null, `${attested ?? 0} attestations`)
    const postWrite = await post.log.append({ type: 'alert.raised', kind: 'x', severity: 'info', message: 'post tries to write', subject: '' }).then(() => 'accepted', (e: Error) => e.message)
    check('post cannot write custody events', postWrite !== 'accepted', postWrite)
    const blobCore = dit.vault.ownCore!
    // cores that never got a block (a read-only member's unused writer core) have nothing to mirror
    const vaultFull = await until(async () => {
      const h = (await vaultd.holdings()).filter((x) => x.length > 0)
      return h.some((x) => x.core === blobCore) && h.every((x) => x.held === x.length) ? h : null
    }, timeout)
    const raw = await vaultd.rawBlock(blobCore, 0)
    const plain = await dit.vault.get(Production.chunkRefs((await dit.log.queries.files(cards[0]!))[0]!)[0]!)
    check('vault mirrors every block as ciphertext (Merkle-verified) and cannot read it', Boolean(vaultFull) && raw !== null && !raw.subarray(8, 40).equals(plain.subarray(0, 32)), vaultFull ? `${vaultFull.length} cores, ${vaultFull.reduce((n, x) => n + x.held, 0)} blocks` : 'timed out')

    step('failure drill: a flipped byte in the lab\'s copy, detected and repaired from a peer')
    const card = cards[0]!
    const labSink = new LogCustodySink(lab.log, homes.lab!.identity.peerKey, 0)
    const files = await lab.log.queries.files(card)
    const expected = files.map((f) => ({ path: f.path, size: f.size, mtime: f.mtime, hashes: f.hashes, chunks: Production.chunkRefs(f) }))
    const labCopy = path.join(dir, 'lab', 'LTO-STAGING', card)
    const ex = await exportCard({ vault: lab.vault, files: expected, outDir: labCopy, tool: VERSION })
    const loc = { kind: 'dest' as const, peer: homes.lab!.identity.peerKey, path: labCopy, volume: 'LTO-STAGING' }
    for (const f of files) { await labSink.copyMade(card, f.path, loc); await labSink.copyVerified(card, f.path, loc, 'ok', f.hashes, 'exported from the vault and verified') }
    await labSink.flush()
    const victim = files.find((f) => f.path.endsWith('.mxf'))!
    const fh = await fs.open(path.join(labCopy, victim.path), 'r+')
    const b = Buffer.alloc(1); await fh.read(b, 0, 1, 4096); b[0]! ^= 0x20; await fh.write(b, 0, 1, 4096); await fh.close()
    const v = await verifyDest(labCopy, expected)
    const bad = v.files.filter((f) => f.result !== 'ok')
    for (const f of bad) await labSink.copyVerified(card, f.path, loc, f.result, f.seen, f.detail)
    await labSink.flush()
    check('the flipped byte is detected and named', ex.ok && bad.length === 1 && bad[0]!.path === victim.path, bad.map((f) => `${f.path}: ${f.detail}`).join('; ') || 'not detected')
    // repair: drop the lab's local blocks of that clip and fetch them again from the DIT (Merkle- and id-verified), then rewrite the copy
    for (const ref of Production.chunkRefs(victim)) await lab.vault.repair(ref, { timeout: 30_000 })
    await fs.rm(path.join(labCopy, victim.path))
    const re = await exportCard({ vault: lab.vault, files: expected.filter((f) => f.path === victim.path), outDir: path.join(dir, 'lab', 'repair-tmp'), tool: VERSION })
    await fs.rename(path.join(dir, 'lab', 'repair-tmp', victim.path), path.join(labCopy, victim.path))
    const v2 = await verifyDest(labCopy, expected.filter((f) => f.path === victim.path))
    await labSink.copyVerified(card, victim.path, loc, v2.ok ? 'ok' : 'failed', v2.files[0]!.seen, v2.ok ? 'repaired from a peer and re-verified' : 'repair failed')
    await labSink.flush()
    check('repaired from a peer and re-verified', re.ok && v2.files[0]!.result === 'ok', `${Production.chunkRefs(victim).length} chunks re-fetched from the DIT cart`)

    step('an unauthorized peer tries to connect')
    const intruder = generateIdentity()
    const refused = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000)
      ditd.events.on('refused', (r) => { if (r.peer === intruder.peerKey) { clearTimeout(timer); resolve(true) } })
    })
    const t = new DirectTransport({ identity: intruder, gate: () => 'member' })
    await t.start()
    t.dial(connect[0]!)
    const wasRefused = await refused
    await t.stop()
    const alerted = await until(async () => (await dit.log.queries.alerts()).some((a) => a.kind === 'unauthorized-connection' && a.message.includes(PeerKey.short(intruder.peerKey))), 10_000)
    check('an unknown peer is refused before any data flows, with an alert', wasRefused && Boolean(alerted), `key ${PeerKey.short(intruder.peerKey)} at 127.0.0.1`)

    final = await buildSnapshot(dit, ditd.live)
    events.emit('snapshot', { snapshot: final })
  } catch (err) {
    check('the demo ran to the end', false, (err as Error).stack ?? String(err))
  } finally {
    for (const s of stops) await s().catch(() => {})
    if (!o.keep && !o.dir) await fs.rm(dir, { recursive: true, force: true })
  }
  return { ok: checks.length > 0 && checks.every((c) => c.ok), checks, dir, seconds: (Date.now() - t0) / 1000, bytes: totalBytes, final }
}
