/**
 * Custody log benchmark.
 *
 *   node sims/bench-log.ts [EVENTS_PER_WRITER=10000] [FILES=1000]
 *
 * 1. Two writers (DIT and lab) each append EVENTS_PER_WRITER events while partitioned, then
 *    reconnect (in-process replication over piped streams, real Corestores on disk): time until
 *    all three peers' views are identical.
 * 2. The view's query latency for a card of FILES files: files(card), cardStatus(card) (every
 *    file's copies and policy count), fileStatus of one file; median of 20.
 *
 * Convergence is detected by a cheap signature (applied seq, view core length and tree hash) and
 * then confirmed by comparing the three full canonical dumps (that comparison is reported).
 *
 * Measured 2026-11-24 on the shared 2-core dev VM (load average 2.5-6 from other work):
 *   appends while partitioned: 10,000 events per writer in 9.4 s (both writers at once)
 *   reconnect to identical views: 2,000 each 12 s, 5,000 each 47-54 s, 10,000 each 185 s
 *   (superlinear; not the indexer ack interval: 1 s and 10 s give the same time)
 *   1,000-file card: files 4.3 ms, card status 20.8 ms, one file's status 0.15 ms
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Corestore from 'corestore'
import { generateIdentity } from '../src/crypto/identity.ts'
import { CardId } from '../src/crypto/ids.ts'
import { ProductionSecrets } from '../src/crypto/secrets.ts'
import { CustodyLog, sealSecretsTo, type NewEvent } from '../src/log/custody-log.ts'

const N = Number(process.argv[2] ?? 10_000)
const FILES = Number(process.argv[3] ?? 1000)
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-bench-log-'))
const secrets = ProductionSecrets.create()
const stores: Corestore[] = []
const logs: CustodyLog[] = []
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function peer(name: string, key?: string) {
  const store = new Corestore(path.join(dir, name)); stores.push(store)
  const identity = generateIdentity()
  const log = key
    ? await CustodyLog.open({ store: store.namespace('p'), identity, secrets, productionKey: key as never })
    : await CustodyLog.create({ store: store.namespace('p'), identity, secrets, name: 'bench', policy: { copies: 2, peers: 1, offsite: 0 } })
  logs.push(log)
  return { log, identity }
}

function link(a: CustodyLog, b: CustodyLog) {
  const s1 = a.replicate(true), s2 = b.replicate(false)
  s1.on('error', () => {}); s2.on('error', () => {})
  s1.pipe(s2).pipe(s1)
  return () => { s1.destroy(); s2.destroy() }
}

/** A cheap signature of a view: applied sequence number and the view core's length and tree hash. */
async function signature(l: CustodyLog): Promise<string> {
  const core = (l.base.view as unknown as { core: { length: number, treeHash(): Promise<Buffer> } }).core
  const seq = await l.base.view.get('meta/seq')
  return `${String(seq?.value)}:${core.length}:${(await core.treeHash()).toString('hex')}`
}

/** Wait until every view has the same signature, then confirm with a full canonical dump. */
async function converge(ls: CustodyLog[], limitMs = 600_000): Promise<{ dumpMs: number }> {
  const t0 = Date.now()
  for (;;) {
    await Promise.all(ls.map((l) => l.update()))
    const sig = await Promise.all(ls.map(signature))
    if (sig.every((x) => x === sig[0])) {
      const t1 = Date.now()
      const d = await Promise.all(ls.map(async (l) => JSON.stringify(await l.queries.dump())))
      if (d.every((x) => x === d[0])) return { dumpMs: Date.now() - t1 }
    }
    if (Date.now() - t0 > limitMs) throw new Error('no convergence')
    await new Promise((r) => setTimeout(r, 50))
  }
}

try {
  const admin = await peer('admin')
  const dit = await peer('dit', admin.log.key)
  const lab = await peer('lab', admin.log.key)
  let cuts = [link(admin.log, dit.log), link(admin.log, lab.log), link(dit.log, lab.log)]
  for (const [p, role] of [[dit, 'dit'], [lab, 'lab']] as const) {
    await admin.log.append({ type: 'member.admitted', peer: p.identity.peerKey, role, name: role, expiresAt: null, secrets: sealSecretsTo(p.identity.peerKey, secrets), invite: null, binding: p.log.binding() })
  }
  for (let i = 0; i < 2000 && !(dit.log.writable && lab.log.writable); i++) { await Promise.all(logs.map((l) => l.update())); await new Promise((r) => setTimeout(r, 10)) }
  await converge(logs)
  for (const c of cuts) c()

  const writeMany = async (l: CustodyLog, who: string) => {
    const batch: NewEvent[] = [{ type: 'card.registered', card: CardId.parse(`${who}1`), files: N, bytes: N, label: '' }]
    for (let i = 1; i < N; i++) batch.push({ type: 'note.changed', card: CardId.parse(`${who}1`), update: Buffer.from(`n${i}`).toString('base64') })
    const t0 = Date.now()
    for (let i = 0; i < batch.length; i += 500) await l.appendMany(batch.slice(i, i + 500))
    return (Date.now() - t0) / 1000
  }
  const [wd, wl] = await Promise.all([writeMany(dit.log, 'D'), writeMany(lab.log, 'L')])
  console.log(`partitioned: DIT appended ${N} events in ${wd.toFixed(1)} s, lab ${N} in ${wl.toFixed(1)} s`)
  const t0 = Date.now()
  cuts = [link(admin.log, dit.log), link(admin.log, lab.log), link(dit.log, lab.log)]
  const { dumpMs } = await converge(logs)
  const conv = (Date.now() - t0) / 1000
  const rows = (await admin.log.queries.dump()).length
  console.log(`| two writers × ${N} events, reconnect → identical views on 3 peers | ${conv.toFixed(1)} s (of which ${(dumpMs / 1000).toFixed(1)} s comparing the three full dumps, ${rows} keys each) |`)
  for (const c of cuts) c()

  // a card of FILES files with two verified copies each
  const card = CardId.parse('Q001')
  const ev: NewEvent[] = [{ type: 'card.registered', card, files: FILES, bytes: FILES, label: '' }]
  const me = admin.identity.peerKey
  for (let i = 0; i < FILES; i++) {
    const p = `Clips/Q001C${String(i).padStart(4, '0')}.mxf`
    ev.push({ type: 'file.recorded', card, path: p, size: 1, mtime: 0, hashes: { xxh64: '0000000000000001' }, chunks: { cores: [], list: [] }, epoch: 0 })
    ev.push({ type: 'copy.verified', card, path: p, location: { kind: 'vault', peer: me }, result: 'ok', hashes: { xxh64: '0000000000000001' }, detail: '' })
    ev.push({ type: 'copy.verified', card, path: p, location: { kind: 'dest', peer: me, path: '/x', volume: 'X' }, result: 'ok', hashes: { xxh64: '0000000000000001' }, detail: '' })
  }
  for (let i = 0; i < ev.length; i += 500) await admin.log.appendMany(ev.slice(i, i + 500))
  const q = admin.log.queries
  const time = async (fn: () => Promise<unknown>) => { const xs: number[] = []; for (let i = 0; i < 20; i++) { const t = process.hrtime.bigint(); await fn(); xs.push(Number(process.hrtime.bigint() - t) / 1e6) } return median(xs) }
  const tf = await time(() => q.files(card))
  const tc = await time(() => q.cardStatus(card))
  const t1 = await time(() => q.fileStatus(card, 'Clips/Q001C0500.mxf'))
  const st = await q.cardStatus(card)
  console.log(`| query: files of a ${FILES}-file card | ${tf.toFixed(1)} ms |`)
  console.log(`| query: card status (policy over every file's copies) | ${tc.toFixed(1)} ms (state ${st!.state}) |`)
  console.log(`| query: one file's status | ${t1.toFixed(2)} ms |`)
} finally {
  for (const l of logs) await l.close().catch(() => {})
  for (const s of stores) await s.close().catch(() => {})
  await fs.rm(dir, { recursive: true, force: true })
}
