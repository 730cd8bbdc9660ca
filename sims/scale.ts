/**
 * Scale runs of the custody log and the chunk store, in-process (real Corestores on disk, real
 * Autobase, replication over counted in-process links: sims/harness/link.ts). Each point runs in
 * its own child process so memory is per point; the parent writes the tables and SVG plots.
 *
 *   node sims/scale.ts                 every sweep (bounded: points stop growing past a time budget)
 *   node sims/scale.ts --quick         tiny sizes (a smoke run)
 *   node sims/scale.ts --extra-peers E n1,n2…   more peer points with E events, added to the saved results
 *   node sims/scale.ts --extra reconcile 1000,2500   more points of a sweep, added to the saved results
 *   node sims/scale.ts --render                      rewrite scale.md and the plots from scale.json
 *   node sims/scale.ts --point <kind> <args…>   one point, JSON on stdout (what the parent runs)
 *
 * Sweeps:
 *   peers     N peers (admin + ≤3 more writers, the rest read-only post members), each linked to the
 *             admin and to 2 random earlier peers; all writers append E events together while
 *             connected: time until all N views are identical, bytes on the wire, memory
 *   live      3 peers, 2 writers appending E events in total while connected (the normal case)
 *   reconcile 3 peers, 2 writers appending E events each while partitioned, then reconnecting
 *   catchup   a log of C cards (10 files of 16 chunk entries, 2 verified copies each): a fresh peer
 *             joins and replicates it all; time, bytes, on-disk size; the all-cards status query
 *   chunks    one writer's blobs core of S MiB in chunks of 4 KiB / 64 KiB / 1 MiB read by a
 *             second peer: time and bytes on the wire per payload byte
 * Results: sims/results/scale.md (+ scale.json, peers.svg, events.svg).
 */
import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Corestore from 'corestore'
import { identityFromSeed, type Identity } from '../src/crypto/identity.ts'
import { CardId, type ChunkId } from '../src/crypto/ids.ts'
import { ProductionSecrets } from '../src/crypto/secrets.ts'
import { CustodyLog, sealSecretsTo, type NewEvent } from '../src/log/custody-log.ts'
import type { ChunkEntry, Role } from '../src/log/events.ts'
import { HypercoreChunkStore } from '../src/store/hypercore-chunk-store.ts'
import { makeLink, type Link, type WireCounter } from './harness/link.ts'
import { Rng } from './harness/prng.ts'

const MiB = 1024 * 1024

// ───────────────────────── one point (child) ─────────────────────────

interface Peer { name: string, identity: Identity, store: Corestore, log: CustodyLog }

async function peerSetup(dir: string, n: number, rng: Rng, writers: number) {
  const secrets = ProductionSecrets.create()
  const peers: Peer[] = []
  const mk = async (name: string, key?: string) => {
    const identity = identityFromSeed(rng.fork(name).bytes(32))
    const store = new Corestore(path.join(dir, name))
    const log = key
      ? await CustodyLog.open({ store: store.namespace('p'), identity, secrets, productionKey: key as never })
      : await CustodyLog.create({ store: store.namespace('p'), identity, secrets, name: 'scale', policy: { copies: 2, peers: 2, offsite: 1 } })
    const p = { name, identity, store, log }
    peers.push(p)
    return p
  }
  const admin = await mk('p0')
  for (let i = 1; i < n; i++) await mk(`p${i}`, admin.log.key)
  for (let i = 1; i < n; i++) {
    const p = peers[i]!
    const role: Role = i < writers ? (i % 2 ? 'dit' : 'lab') : 'post'
    await admin.log.append({ type: 'member.admitted', peer: p.identity.peerKey, role, name: p.name, expiresAt: null, secrets: sealSecretsTo(p.identity.peerKey, secrets), invite: null, binding: p.log.binding() })
  }
  return { peers, admin, secrets }
}

function connect(a: Peer, b: Peer, wire: WireCounter): Link {
  return makeLink(a.name, b.name, a.log.replicate(true), b.log.replicate(false), {}, wire)
}

async function signature(l: CustodyLog): Promise<string> {
  const core = (l.base.view as unknown as { core: { length: number, treeHash(): Promise<Buffer> } }).core
  const seq = await l.base.view.get('meta/seq')
  return `${String(seq?.value)}:${core.length}:${(await core.treeHash()).toString('hex')}`
}

/** Wait until every view has the same signature (and, for `confirm` of them, the same full dump). */
async function converge(peers: Peer[], limitMs: number, confirm = 3): Promise<void> {
  const t0 = Date.now()
  for (;;) {
    await Promise.all(peers.map((p) => p.log.update()))
    const sig = await Promise.all(peers.map((p) => signature(p.log)))
    if (sig.every((x) => x === sig[0])) {
      const some = peers.slice(0, confirm)
      const d = await Promise.all(some.map(async (p) => JSON.stringify(await p.log.queries.dump())))
      if (d.every((x) => x === d[0])) return
    }
    if (Date.now() - t0 > limitMs) throw new Error(`no convergence in ${limitMs} ms`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** Events for `cards` cards of `files` files with `chunks` chunk entries each and 2 verified copies. */
function cardEvents(rng: Rng, prefix: string, cards: number, files: number, chunks: number, me: string, core: string): NewEvent[] {
  const ev: NewEvent[] = []
  for (let c = 0; c < cards; c++) {
    const card = CardId.parse(`${prefix}${String(c).padStart(5, '0')}`)
    ev.push({ type: 'card.registered', card, files, bytes: files * chunks * MiB, label: '' })
    for (let f = 0; f < files; f++) {
      const p = `Clips/${card}C${String(f).padStart(3, '0')}.mxf`
      const list: ChunkEntry[] = []
      for (let k = 0; k < chunks; k++) list.push([rng.bytes(32).toString('hex') as ChunkId, 0, c * files * chunks + f * chunks + k, MiB])
      const hashes = { xxh64: rng.bytes(8).toString('hex') }
      ev.push({ type: 'file.recorded', card, path: p, size: chunks * MiB, mtime: 0, hashes, chunks: { cores: [core], list }, epoch: 0 })
      ev.push({ type: 'copy.verified', card, path: p, location: { kind: 'vault', peer: me as never }, result: 'ok', hashes, detail: '' })
      ev.push({ type: 'copy.verified', card, path: p, location: { kind: 'dest', peer: me as never, path: '/Volumes/RAID', volume: 'RAID' }, result: 'ok', hashes, detail: '' })
    }
  }
  return ev
}

/** E events for one writer: whole cards (3 files of 4 chunk entries: 1 + 9 events per card), trimmed to E. */
function eventsFor(rng: Rng, prefix: string, e: number, p: Peer): NewEvent[] {
  return cardEvents(rng, prefix, Math.ceil(e / 10), 3, 4, p.identity.peerKey, p.log.writerKey).slice(0, e)
}

async function appendAll(l: CustodyLog, ev: NewEvent[]): Promise<void> {
  for (let i = 0; i < ev.length; i += 250) await l.appendMany(ev.slice(i, i + 250))
}

let peakRss = 0, peakHeap = 0
const sampler = setInterval(() => { const m = process.memoryUsage(); peakRss = Math.max(peakRss, m.rss); peakHeap = Math.max(peakHeap, m.heapUsed) }, 100)
sampler.unref()
const mem = () => {
  const m = process.memoryUsage()
  peakRss = Math.max(peakRss, m.rss); peakHeap = Math.max(peakHeap, m.heapUsed)
  // what stays reachable once everything has converged (garbage collected twice; needs --expose-gc)
  const gc = (globalThis as { gc?: () => void }).gc
  let retained: number | null = null
  if (gc) { gc(); gc(); const a = process.memoryUsage(); retained = a.heapUsed / MiB }
  return { rssMiB: peakRss / MiB, heapMiB: peakHeap / MiB, heapAfterGcMiB: retained, rssAfterGcMiB: process.memoryUsage().rss / MiB }
}

async function duMiB(dir: string): Promise<number> {
  let total = 0
  const walk = async (d: string) => { for (const e of await fs.readdir(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) await walk(p); else total += (await fs.stat(p)).size } }
  await walk(dir)
  return total / MiB
}

async function point(kind: string, args: number[]): Promise<Record<string, unknown>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `onset-scale-${kind}-`))
  const rng = new Rng(1234)
  const links: Link[] = []
  let all: Peer[] = []
  try {
    if (kind === 'peers' || kind === 'live' || kind === 'reconcile') {
      const n = kind === 'peers' ? args[0]! : 3
      const e = kind === 'peers' ? args[1]! : args[0]!
      const writers = Math.min(n, 4)
      const t0 = Date.now()
      const { peers } = await peerSetup(dir, n, rng, kind === 'peers' ? writers : 3)
      all = peers
      const wire: WireCounter = { bytes: 0 }
      const linkAll = () => {
        for (let i = 1; i < n; i++) {
          const others = new Set([0])
          for (let k = 0; k < 2 && i > 1; k++) others.add(rng.int(1, i - 1))
          for (const j of others) links.push(connect(peers[j]!, peers[i]!, wire))
        }
      }
      linkAll()
      const ws = peers.slice(0, kind === 'peers' ? writers : 3).slice(kind === 'peers' ? 0 : 1)
      for (let i = 0; i < 100000 && !ws.every((p) => p.log.writable); i++) { await Promise.all(peers.map((p) => p.log.update())); await new Promise((r) => setTimeout(r, 10)) }
      await converge(peers, 600_000)
      const joinS = (Date.now() - t0) / 1000
      console.error(`progress: ${n} peers admitted and converged in ${joinS} s`)
      if (kind === 'reconcile') { for (const l of links.splice(0)) l.cut() }
      const wire0 = wire.bytes
      const per = Math.ceil(e / ws.length)
      const t1 = Date.now()
      await Promise.all(ws.map((p, i) => appendAll(p.log, eventsFor(rng.fork(`w${i}`), `W${i}X`, per, p))))
      const appendS = (Date.now() - t1) / 1000
      console.error(`progress: ${per * ws.length} events appended in ${appendS} s`)
      const t2 = Date.now()
      if (kind === 'reconcile') linkAll()
      await converge(peers, 1_500_000)
      const convergeS = (Date.now() - t2) / 1000
      const seq = Number((await peers[0]!.log.base.view.get('meta/seq'))?.value)
      return { kind, n, events: per * ws.length, writers: ws.length, joinS, appendS, convergeS, totalS: (Date.now() - t1) / 1000, wireMiB: (wire.bytes - wire0) / MiB, seq, diskMiB: await duMiB(dir), ...mem() }
    }
    if (kind === 'catchup') {
      const cards = args[0]!
      const { peers, admin, secrets } = await peerSetup(dir, 1, rng, 1)
      all = peers
      const t0 = Date.now()
      await appendAll(admin.log, cardEvents(rng, 'C', cards, 10, 16, admin.identity.peerKey, admin.log.writerKey))
      const appendS = (Date.now() - t0) / 1000
      const seq = Number((await admin.log.base.view.get('meta/seq'))?.value)
      const srcDisk = await duMiB(path.join(dir, 'p0'))
      const identity = identityFromSeed(rng.fork('fresh').bytes(32))
      const store = new Corestore(path.join(dir, 'fresh'))
      const log = await CustodyLog.open({ store: store.namespace('p'), identity, secrets, productionKey: admin.log.key })
      const fresh = { name: 'fresh', identity, store, log }
      all.push(fresh)
      const wire: WireCounter = { bytes: 0 }
      const t1 = Date.now()
      links.push(connect(admin, fresh, wire))
      await converge([admin, fresh], 1_500_000, 2)
      const catchupS = (Date.now() - t1) / 1000
      // the dashboard's question: the status of every card
      const t2 = Date.now()
      let prot = 0
      for (const c of await fresh.log.queries.cards()) if ((await fresh.log.queries.cardStatus(c.card))?.state === 'PROTECTED') prot++
      const statusAllS = (Date.now() - t2) / 1000
      return { kind, cards, files: cards * 10, chunkEntries: cards * 160, seq, appendS, catchupS, wireMiB: wire.bytes / MiB, srcDiskMiB: srcDisk, freshDiskMiB: await duMiB(path.join(dir, 'fresh')), statusAllS, protectedCards: prot, ...mem() }
    }
    if (kind === 'chunks') {
      const [sizeKiB, totalMiB] = args as [number, number]
      const secrets = ProductionSecrets.create()
      const stores = [new Corestore(path.join(dir, 'a')), new Corestore(path.join(dir, 'b'))]
      const cs = await Promise.all(stores.map((s) => HypercoreChunkStore.open({ store: s.namespace('p'), chunkIdKey: secrets.chunkIdKey, dataKey: (e) => secrets.dataKey(e), epoch: 0, timeout: 60_000 })))
      const [a, b] = cs as [HypercoreChunkStore, HypercoreChunkStore]
      const count = Math.round((totalMiB * 1024) / sizeKiB)
      const refs = []
      const t0 = Date.now()
      for (let i = 0; i < count; i++) refs.push(await a.put(rng.bytes(sizeKiB * 1024)))
      await a.flush()
      const putS = (Date.now() - t0) / 1000
      const wire: WireCounter = { bytes: 0 }
      const link = makeLink('a', 'b', stores[0]!.replicate(true), stores[1]!.replicate(false), {}, wire)
      const t1 = Date.now()
      const core = await b.core(refs[0]!.core, 0)
      await core.download({ start: 0, end: count }).done()
      for (const r of refs) await b.get(r) // decrypt + re-hash every chunk
      const getS = (Date.now() - t1) / 1000
      link.cut()
      const payload = count * sizeKiB * 1024
      const out = { kind, chunkKiB: sizeKiB, chunks: count, payloadMiB: payload / MiB, putS, transferS: getS, wireMiB: wire.bytes / MiB, overhead: wire.bytes / payload - 1, diskMiB: await duMiB(path.join(dir, 'b')), ...mem() }
      for (const c of cs) await c.close()
      for (const s of stores) await s.close()
      return out
    }
    throw new Error(`unknown point ${kind}`)
  } finally {
    for (const l of links) l.cut()
    for (const p of all) { await p.log.close().catch(() => {}); await p.store.close().catch(() => {}) }
    await fs.rm(dir, { recursive: true, force: true })
  }
}


// ───────────────────────── the sweeps (parent) ─────────────────────────

interface Row { [k: string]: unknown }

function runPoint(kind: string, args: number[], timeoutS: number): Promise<Row | { kind: string, error: string }> {
  return new Promise((resolve) => {
    const t0 = Date.now()
    // its own process group, so a timeout kills node itself and not only GNU time above it
    const child = spawn('/usr/bin/time', ['-f', '__TIME__ %e %U %S %M', process.execPath, '--expose-gc', 'sims/scale.ts', '--point', kind, ...args.map(String)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let out = '', err = ''
    child.stdout.on('data', (d: Buffer) => { out += d })
    child.stderr.on('data', (d: Buffer) => { err += d })
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL') } catch { child.kill('SIGKILL') } }, timeoutS * 1000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      const m = /__TIME__ ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err)
      const line = out.trim().split('\n').pop() ?? ''
      const progress = [...err.matchAll(/progress: (.*)/g)].map((x) => x[1]).pop()
      if (code !== 0 || !line.startsWith('{')) { resolve({ kind, error: code === null ? `killed after ${timeoutS} s${progress ? ` (last: ${progress})` : ' (before the peers had joined)'}` : `exit ${code}: ${err.replace(/__TIME__.*/, '').trim().slice(-300)}`, args: args.join(' '), wallS: (Date.now() - t0) / 1000 } as never); return }
      const row = JSON.parse(line) as Row
      if (m) { row.cpuS = Number(m[2]) + Number(m[3]); row.maxRssMiB = Number(m[4]) / 1024 }
      resolve(row)
    })
  })
}

const f1 = (x: unknown, d = 1) => typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : String(x ?? '-')

function table(rows: Row[], cols: [string, string, number?][]): string {
  const head = `| ${cols.map((c) => c[1]).join(' | ')} |\n|${cols.map(() => '---').join('|')}|`
  return [head, ...rows.map((r) => 'error' in r ? `| ${String(r.args ?? '')} | ${String(r.error)} |` : `| ${cols.map(([k, , d]) => f1(r[k], d ?? 1)).join(' | ')} |`)].join('\n')
}

/** A small line plot: x (log scale) against one or more series; written by hand, no dependency. */
function svgPlot(title: string, xLabel: string, yLabel: string, all: { name: string, color: string, pts: [number, number][] }[], note = ''): string {
  const series = all.filter((se) => se.pts.length > 0)
  const W = 640, H = 400, L = 70, R = 20, T = 40, B = 55
  const xs = series.flatMap((s) => s.pts.map((p) => p[0])), ys = series.flatMap((s) => s.pts.map((p) => p[1]))
  if (xs.length === 0) return ''
  const x0 = Math.log10(Math.min(...xs)), x1 = Math.log10(Math.max(...xs)) || x0 + 1
  const y0 = 0, y1 = Math.max(...ys) * 1.1 || 1
  const X = (x: number) => L + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * (W - L - R)
  const Y = (y: number) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B)
  for (const se of series) se.pts.sort((a, b) => a[0] - b[0])
  const ticks = [...new Set(xs)].sort((a, b) => a - b)
  const yt = Array.from({ length: 6 }, (_, i) => (y1 * i) / 5)
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${title}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
    ...ticks.map((t) => `<line x1="${X(t)}" y1="${H - B}" x2="${X(t)}" y2="${H - B + 5}" stroke="black"/><text x="${X(t)}" y="${H - B + 18}" text-anchor="middle">${t >= 1000 ? `${Number((t / 1000).toFixed(1))}k` : t}</text>`),
    ...yt.map((t) => `<line x1="${L - 5}" y1="${Y(t)}" x2="${W - R}" y2="${Y(t)}" stroke="#ddd"/><text x="${L - 8}" y="${Y(t) + 4}" text-anchor="end">${t >= 100 ? t.toFixed(0) : t.toFixed(1)}</text>`),
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${xLabel}</text>`,
    `<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${yLabel}</text>`,
    note ? `<text x="${W - R}" y="${T + 12}" text-anchor="end" fill="#b00">${note}</text>` : '',
    ...series.map((s, i) => [
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.pts.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' ')}"/>`,
      ...s.pts.map((p) => `<circle cx="${X(p[0]).toFixed(1)}" cy="${Y(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`),
      `<rect x="${L + 12}" y="${T + 6 + i * 18}" width="12" height="3" fill="${s.color}"/><text x="${L + 30}" y="${T + 12 + i * 18}">${s.name}</text>`,
    ].join('')),
    '</svg>',
  ]
  return parts.join('\n')
}

async function sweeps(quick: boolean): Promise<void> {
  const out = path.join('sims', 'results')
  await fs.mkdir(out, { recursive: true })
  const started = new Date().toISOString()
  const t0 = Date.now()
  const budget = (s: number) => (Date.now() - t0) / 1000 < s
  const res: Record<string, Row[]> = { peers: [], live: [], reconcile: [], catchup: [], chunks: [] }
  const say = (r: Row) => console.error(JSON.stringify(r))
  const PE = quick ? 100 : 1000
  for (const n of quick ? [2, 5] : [2, 5, 10, 20, 35, 50]) {
    if (!budget(quick ? 300 : 420)) break
    const r = await runPoint('peers', [n, PE], 300); say(r); res.peers!.push(r)
    if ('error' in r || Number(r.totalS) > 300) break
  }
  for (const e of quick ? [1000] : [10_000, 20_000, 40_000, 80_000, 160_000, 320_000]) {
    if (!budget(quick ? 400 : 900)) break
    const r = await runPoint('live', [e], 400); say(r); res.live!.push(r)
    if ('error' in r || Number(r.totalS) > 200) break
  }
  for (const e of quick ? [200] : [1000, 2500, 5000]) {
    if (!budget(quick ? 500 : 1080)) break
    const r = await runPoint('reconcile', [e], 300); say(r); res.reconcile!.push(r)
    if ('error' in r || Number(r.totalS) > 120) break
  }
  for (const c of quick ? [20] : [100, 300, 1000, 3000]) {
    if (!budget(quick ? 600 : 1320)) break
    const r = await runPoint('catchup', [c], 300); say(r); res.catchup!.push(r)
    if ('error' in r || Number(r.catchupS) + Number(r.appendS) > 200) break
  }
  for (const k of [4, 64, 1024]) {
    const r = await runPoint('chunks', [k, quick ? 4 : 64], 300); say(r); res.chunks!.push(r)
  }
  await render({ commands: [`node sims/scale.ts${quick ? ' --quick' : ''}`], started, minutes: (Date.now() - t0) / 60000, host: hostLine(), PE, res })
}

const hostLine = () => `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`

interface Saved { commands: string[], started: string, minutes: number, host: string, PE: number, res: Record<string, Row[]> }

async function loadSaved(): Promise<Saved> {
  const j = JSON.parse(await fs.readFile(path.join('sims', 'results', 'scale.json'), 'utf8')) as Saved & { command?: string }
  // results written before render() existed had one command and no duration
  if (!j.commands) return { commands: [j.command ?? 'node sims/scale.ts'], started: j.started, minutes: (Date.now() - Date.parse(j.started)) / 60000, host: j.host, PE: 1000, res: j.res }
  return j
}

/**
 * More points added to the saved results, where the main sweep ran out of its time budget:
 *   --extra-peers E n1,n2…     peers sweep with E events (table peersSmall)
 *   --extra reconcile e1,e2…   or catchup c1,c2…, live e1,…
 */
async function extra(kind: string, list: number[], events?: number): Promise<void> {
  const saved = await loadSaved()
  const t0 = Date.now()
  const table = kind === 'peers' ? 'peersSmall' : kind
  saved.res[table] ??= []
  for (const x of list) {
    const r = await runPoint(kind, kind === 'peers' ? [x, events!] : [x], 420); console.error(JSON.stringify(r))
    saved.res[table] = [...saved.res[table]!.filter((o) => o.error !== undefined || JSON.stringify(o) !== JSON.stringify(r)), r]
  }
  saved.commands.push(kind === 'peers' ? `node sims/scale.ts --extra-peers ${events} ${list.join(',')}` : `node sims/scale.ts --extra ${kind} ${list.join(',')}`)
  saved.minutes += (Date.now() - t0) / 60000
  saved.host = hostLine()
  await render(saved)
}

async function render(saved: Saved): Promise<void> {
  const { res, PE, started } = saved
  res.peersSmall ??= []
  const out = path.join('sims', 'results')
  const cmd = saved.commands.join('` then `')
  const ok = (rows: Row[]) => rows.filter((r) => !('error' in r))
  await fs.writeFile(path.join(out, 'scale.json'), JSON.stringify(saved, null, 2))
  await fs.writeFile(path.join(out, 'peers.svg'), svgPlot('Custody log: time to converge vs peers', `peers (each linked to the admin and 2 others), ${PE} events from ≤4 writers`, 'seconds', [
    { name: 'append + converge (s)', color: '#1f77b4', pts: ok(res.peers!).map((r) => [Number(r.n), Number(r.totalS)]) },
    { name: 'join: admit and converge (s)', color: '#ff7f0e', pts: ok(res.peers!).map((r) => [Number(r.n), Number(r.joinS)]) },
    { name: `append + converge, fewer events (s)`, color: '#8c564b', pts: ok(res.peersSmall ?? []).map((r) => [Number(r.n), Number(r.totalS)]) },
    { name: 'join, in those runs (s)', color: '#e377c2', pts: ok(res.peersSmall ?? []).map((r) => [Number(r.n), Number(r.joinS)]) },
    { name: 'peak RSS of the whole process (×100 MiB)', color: '#2ca02c', pts: ok(res.peers!).map((r) => [Number(r.n), Number(r.maxRssMiB ?? r.rssMiB) / 100]) },
  ], [...res.peers!, ...res.peersSmall].some((r) => 'error' in r) ? 'larger points did not finish: see scale.md' : ''))
  await fs.writeFile(path.join(out, 'events.svg'), svgPlot('Custody log: seconds vs events (3 peers, 2 writers)', 'events in total', 'seconds', [
    { name: 'live: appended while connected, until identical', color: '#1f77b4', pts: ok(res.live!).filter((r) => r.heapAfterGcMiB == null).map((r) => [Number(r.events), Number(r.totalS)]) },
    { name: 'live, re-run alone (machine less loaded)', color: '#17becf', pts: ok(res.live!).filter((r) => r.heapAfterGcMiB != null).map((r) => [Number(r.events), Number(r.totalS)]) },
    { name: 'reconcile: appended apart, reconnect → identical', color: '#d62728', pts: ok(res.reconcile!).map((r) => [Number(r.events), Number(r.convergeS)]) },
    { name: 'catch-up: a fresh peer replicates the whole log', color: '#9467bd', pts: ok(res.catchup!).map((r) => [Number(r.seq), Number(r.catchupS)]) },
  ]))
  const md = `# Scale runs

Made by \`${cmd}\` (started ${started}, ${saved.minutes.toFixed(1)} min) on ${saved.host} (the machine is shared: other work ran too). Rows added by a later \`--extra\` command come last in their table.
Every point is its own process: real Corestores on disk (tmpfs or not, whatever os.tmpdir() is), real Autobase custody logs, replication over in-process piped links that count bytes (no latency or bandwidth limit here). "max RSS" is the whole process, all peers together (GNU time). Events are a card mix: card.registered, then per file file.recorded (with its chunk entries) and two copy.verified.

## Peers (${PE} events appended by up to 4 writers while connected; the others read-only)

${table(res.peers!, [['n', 'peers', 0], ['joinS', 'admit all → identical (s)'], ['appendS', 'append (s)'], ['convergeS', 'then → all identical (s)'], ['wireMiB', 'wire MiB (all links)', 2], ['maxRssMiB', 'max RSS MiB', 0], ['heapMiB', 'peak heap MiB', 0], ['diskMiB', 'disk MiB (all peers)', 1], ['cpuS', 'CPU s']])}

${res.peersSmall?.length ? `Where ${PE} events did not fit, fewer:\n\n${table(res.peersSmall, [['n', 'peers', 0], ['events', 'events', 0], ['joinS', 'admit all → identical (s)'], ['appendS', 'append (s)'], ['convergeS', 'then → all identical (s)'], ['wireMiB', 'wire MiB (all links)', 2], ['maxRssMiB', 'max RSS MiB', 0], ['heapMiB', 'peak heap MiB', 0], ['diskMiB', 'disk MiB (all peers)', 1], ['cpuS', 'CPU s']])}\n` : ''}
![peers](peers.svg)

## Events, live (3 peers, 2 writers appending at once while connected)

${table(res.live!, [['events', 'events', 0], ['appendS', 'append (s)'], ['convergeS', 'then → identical (s)'], ['totalS', 'total (s)'], ['wireMiB', 'wire MiB', 1], ['maxRssMiB', 'max RSS MiB', 0], ['heapMiB', 'peak heap MiB', 0], ['heapAfterGcMiB', 'heap after GC MiB', 0], ['diskMiB', 'disk MiB (3 peers)', 1]])}

## Events, reconcile (2 writers append apart, then reconnect)

${table(res.reconcile!, [['events', 'events (both)', 0], ['appendS', 'append apart (s)'], ['convergeS', 'reconnect → identical (s)'], ['wireMiB', 'wire MiB', 1], ['maxRssMiB', 'max RSS MiB', 0]])}

![events](events.svg)

## Cards: a fresh peer catching up on a whole log (10 files × 16 chunk entries per card)

${table(res.catchup!, [['cards', 'cards', 0], ['seq', 'events', 0], ['chunkEntries', 'chunk entries', 0], ['appendS', 'writer appends (s)'], ['catchupS', 'fresh peer → identical (s)'], ['wireMiB', 'wire MiB', 1], ['srcDiskMiB', 'writer disk MiB', 1], ['freshDiskMiB', 'fresh peer disk MiB', 1], ['statusAllS', 'status of every card (s)', 2], ['maxRssMiB', 'max RSS MiB', 0]])}

## Chunks: one blobs core read by a second peer (decrypt + re-hash every chunk)

${table(res.chunks!, [['chunkKiB', 'chunk KiB', 0], ['chunks', 'chunks', 0], ['payloadMiB', 'payload MiB', 0], ['putS', 'put (s)'], ['transferS', 'replicate + read (s)'], ['wireMiB', 'wire MiB', 2], ['overhead', 'wire overhead', 3], ['diskMiB', 'reader disk MiB', 1], ['maxRssMiB', 'max RSS MiB', 0]])}
`
  await fs.writeFile(path.join(out, 'scale.md'), md)
  console.log(md)
}

const argv = process.argv.slice(2)
if (argv[0] === '--point') {
  const r = await point(argv[1]!, argv.slice(2).map(Number))
  console.log(JSON.stringify(r))
  process.exit(0)
} else if (argv[0] === '--extra-peers') {
  await extra('peers', argv[2]!.split(',').map(Number), Number(argv[1]))
} else if (argv[0] === '--render') {
  await render(await loadSaved())
} else if (argv[0] === '--extra') {
  await extra(argv[1]!, argv[2]!.split(',').map(Number))
} else {
  await sweeps(argv.includes('--quick'))
}
