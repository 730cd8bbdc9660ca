// Hostile peers against a real `onset peer` process over loopback: slow-loris connections, a
// connection flood, strangers that never join, a revoked key, a member that sends malformed and
// oversized protocol messages, forged and replayed custody events, and blocks that fail
// verification. Each is cut or rejected, memory stays bounded, the operator sees it (a `refused`
// or `replica-failed` event, an alert in the log), and an honest member still syncs afterwards.
import net from 'node:net'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import NoiseSecretStream from '@hyperswarm/secret-stream'
import c from 'compact-encoding'
import Protomux from 'protomux'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashStream } from '../../src/crypto/hashes.ts'
import { generateIdentity, type Identity } from '../../src/crypto/identity.ts'
import { CardId } from '../../src/crypto/ids.ts'
import { readKeyFile } from '../../src/crypto/keyfile.ts'
import { makeSyntheticCard, type SyntheticCard } from '../../src/media/synthetic-card.ts'
import { openHome } from '../../src/peer/home.ts'
import { Production } from '../../src/peer/production.ts'
import { SYNC_PROTOCOL } from '../../src/replicate/wire.ts'
import { onset, onsetJson, PeerProcess } from '../helpers/processes.ts'
import { rng, scale, tmpDir } from './helpers.ts'

let dir: string
let card: SyntheticCard
let dit: PeerProcess
let port = 0
let production = ''
let ditKey = ''
const procs: PeerProcess[] = []
const D = (n: string) => path.join(dir, n)
const start = (data: string, args: string[]) => { const p = new PeerProcess(data, args); procs.push(p); return p }

const garbage = (seed: number, n = 1024) => { const r = rng(seed); return Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256))) }
async function cpuSeconds(pid: number): Promise<number> {
  const f = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
  return (Number(f[11]) + Number(f[12])) / 100 // utime + stime (clock ticks at 100 Hz)
}
async function rssKiB(pid: number): Promise<number> {
  const s = await fs.readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? NaN)
}
/** resolves when the server side closes the socket; rejects after ms */
function closedWithin(sock: { once(e: 'close', f: () => void): unknown }, ms: number, what: string): Promise<number> {
  const t0 = Date.now()
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} was not cut within ${ms} ms`)), ms)
    sock.once('close', () => { clearTimeout(t); resolve(Date.now() - t0) })
  })
}
function noise(id: Identity): NoiseSecretStream {
  const sock = net.connect(port, '127.0.0.1')
  sock.on('error', () => {})
  const s = new NoiseSecretStream(true, sock, { keyPair: { publicKey: id.publicKey, secretKey: id.secretKey } })
  s.on('error', () => {})
  return s
}
async function join(data: string, role: string): Promise<Identity> {
  const token = onsetJson(D('dit'), ['invite', '--role', role]).j?.token as string | undefined
  // invites are issued by the stopped CLI or through the running peer
  expect(token, 'an invite token').toBeTruthy()
  expect(onset(data, ['--no-passphrase', 'init']).code).toBe(0)
  const j = onset(data, ['join', token!, '--connect', `127.0.0.1:${port}`])
  expect(j.code, j.err).toBe(0)
  return (await readKeyFile(path.join(data, 'identity.key'), undefined)).identity
}
async function ditStopped<T>(fn: () => Promise<T> | T): Promise<T> {
  await dit.stop()
  try { return await fn() } finally {
    dit = start(D('dit'), ['--listen', `127.0.0.1:${port}`])
    await dit.started()
  }
}
const refusals = () => dit.lines.filter((l) => l.event === 'refused')

beforeAll(async () => {
  dir = await tmpDir('hostile')
  card = await makeSyntheticCard({ root: D('cards'), card: 'A001', clips: 2, clipBytes: 1_200_000, sidecars: 2, seed: 'hostile' })
  expect(onset(D('dit'), ['--no-passphrase', 'init']).code).toBe(0)
  expect(onset(D('dit'), ['production', 'create', 'Hostile', '--as', 'cart']).code).toBe(0)
  expect(onsetJson(D('dit'), ['offload', card.dir, '--card', 'A001', '--dest', D('dit-raid')]).j?.ok).toBe(true)
  ditKey = onsetJson(D('dit'), ['whoami']).j.peer as string
  dit = start(D('dit'), ['--listen', '127.0.0.1:0'])
  const s = await dit.started()
  port = s.port!
  production = (dit.lines.find((l) => l.event === 'started')!.production as string)
}, 120_000)
afterAll(async () => {
  for (const p of procs) await p.stop()
  await fs.rm(dir, { recursive: true, force: true })
})

describe('hostile connections', () => {
  it('slow-loris: silent and trickling sockets are cut after the handshake timeout, with a refusal each; memory bounded', async () => {
    const before = await rssKiB(dit.child.pid!)
    const n = scale(20, 100)
    const socks = Array.from({ length: n }, (_, i) => {
      const s = net.connect(port, '127.0.0.1')
      s.on('error', () => {})
      if (i % 2) s.on('connect', () => s.write(Buffer.from([0x40, 0x00]))) // a partial Noise frame, then nothing
      return s
    })
    const times = await Promise.all(socks.map((s, i) => closedWithin(s, 20_000, `slow-loris socket ${i}`)))
    expect(Math.max(...times)).toBeLessThan(20_000)
    await dit.waitFor(() => refusals().filter((l) => /handshake/.test(String(l.reason))).length >= n, `${n} handshake refusals`, 20_000)
    const after = await rssKiB(dit.child.pid!)
    expect(after - before, `RSS grew by ${after - before} KiB`).toBeLessThan(100 * 1024)
  }, 60_000)

  it('a flood of connections sending garbage is cut; an honest member joins and syncs the card meanwhile; memory bounded', async () => {
    const before = await rssKiB(dit.child.pid!)
    const cpu0 = await cpuSeconds(dit.child.pid!)
    const n = scale(300, 1000)
    const socks: net.Socket[] = []
    const closed: Promise<number>[] = []
    for (let i = 0; i < n; i++) {
      const s = net.connect(port, '127.0.0.1')
      s.on('error', () => {})
      s.on('connect', () => s.write(garbage(i)))
      socks.push(s)
      closed.push(closedWithin(s, 60_000, `flood socket ${i}`))
    }
    const labId = await join(D('lab'), 'lab')
    const lab = start(D('lab'), ['--connect', `127.0.0.1:${port}`])
    let got = 0
    await lab.waitFor((l) => l.event === 'replica-received' && ++got >= card.files.length, 'every file at the lab during the flood', 90_000)
    await Promise.all(closed)
    const after = await rssKiB(dit.child.pid!)
    const cpu = (await cpuSeconds(dit.child.pid!)) - cpu0
    expect(after - before, `RSS grew by ${after - before} KiB`).toBeLessThan(200 * 1024)
    // the cart's whole CPU over the flood, the join and serving the card: a few ms per hostile socket at most
    expect(cpu, `cart CPU ${cpu.toFixed(1)} s for ${n} hostile sockets`).toBeLessThan(5 + n * 0.02)
    process.stdout.write(`flood: ${n} sockets, cart RSS +${Math.round((after - before) / 1024)} MiB, CPU ${cpu.toFixed(1)} s\n`)
    await lab.stop()
    expect(labId.peerKey).toMatch(/^[0-9a-f]{64}$/)
  }, 180_000)

  it('strangers that complete the handshake but never join are cut after the join timeout; beyond 8 at once they are refused at once', async () => {
    const n = scale(12, 30)
    const streams = Array.from({ length: n }, () => noise(generateIdentity()))
    const closed = streams.map((s, i) => closedWithin(s, 20_000, `stranger ${i}`))
    const opened = await Promise.all(streams.map((s) => s.opened.catch(() => false)))
    expect(opened.every(Boolean)).toBe(true) // the handshake completes: the gate is what cuts them
    const times = (await Promise.all(closed)).sort((a, b) => a - b)
    expect(times.filter((t) => t < 4000).length, `cut at once: ${times.join(', ')}`).toBeGreaterThanOrEqual(n - 8) // over the joiner cap
    expect(times.at(-1)).toBeGreaterThanOrEqual(7000) // the others get the 8 s join window, then are cut
    const keys = new Set(streams.map((s) => (s.publicKey as Buffer).toString('hex')))
    await dit.waitFor(() => refusals().filter((l) => keys.has(String(l.peer))).length >= n, `${n} stranger refusals`, 20_000)
  }, 60_000)

  it('a revoked member is refused before any data flows, and the refusal names it', async () => {
    const revId = await join(D('rev'), 'lab')
    await ditStopped(() => expect(onset(D('dit'), ['member', 'revoke', revId.peerKey, '--reason', 'laptop stolen']).code).toBe(0))
    const s = noise(revId)
    const ms = await closedWithin(s, 10_000, 'the revoked member')
    expect(ms).toBeLessThan(10_000)
    await dit.waitFor((l) => l.event === 'refused' && l.peer === revId.peerKey, 'a refusal naming the revoked key', 10_000)
    // its real peer process gets nowhere either
    const rev = start(D('rev'), ['--connect', `127.0.0.1:${port}`])
    await dit.waitFor(() => refusals().filter((l) => l.peer === revId.peerKey).length >= 2, 'the revoked peer process refused', 20_000)
    expect(rev.lines.some((l) => l.event === 'replica-received')).toBe(false)
    await rev.stop()
  }, 90_000)

  it('a member sending malformed, unknown and oversized protocol messages is cut; the peer stays up and honest peers still sync', async () => {
    const labId = (await readKeyFile(path.join(D('lab'), 'identity.key'), undefined)).identity
    const before = await rssKiB(dit.child.pid!)
    const attacks: [string, (s: NoiseSecretStream) => void][] = [
      ['a hello of the wrong shape', (s) => { const m = Protomux.from(s); const ch = m.createChannel({ protocol: SYNC_PROTOCOL, id: Buffer.from(production, 'hex') })!; const hello = ch.addMessage({ encoding: c.json }); ch.open(); hello.send({ v: 1, cores: 'all of them', role: 7 }) }],
      ['a hello that is not JSON', (s) => { const m = Protomux.from(s); const ch = m.createChannel({ protocol: SYNC_PROTOCOL, id: Buffer.from(production, 'hex') })!; const hello = ch.addMessage({ encoding: c.raw }); ch.open(); hello.send(Buffer.from('{{{{ not json')) }],
      ['an oversized hello (16 MiB)', (s) => { const m = Protomux.from(s); const ch = m.createChannel({ protocol: SYNC_PROTOCOL, id: Buffer.from(production, 'hex') })!; const hello = ch.addMessage({ encoding: c.json }); ch.open(); hello.send({ v: 1, role: null, binding: null, cores: Array.from({ length: 250_000 }, () => 'ab'.repeat(32)) }) }],
      ['raw garbage frames after the handshake', (s) => { const r = rng(666); for (let i = 0; i < 64; i++) s.write(Buffer.from(Array.from({ length: 4096 }, () => Math.floor(r() * 256)))) }],
    ]
    for (const [what, attack] of attacks) {
      const s = noise(labId)
      expect(await s.opened.catch(() => false), what).toBe(true)
      attack(s)
      await closedWithin(s, 20_000, `the member sending ${what}`)
    }
    const after = await rssKiB(dit.child.pid!)
    expect(after - before, `RSS grew by ${after - before} KiB`).toBeLessThan(200 * 1024)
    expect(dit.child.exitCode).toBeNull()
    // the honest lab (same key, its real peer) still syncs a new card
    const b = await makeSyntheticCard({ root: D('cards'), card: 'B001', clips: 1, clipBytes: 600_000, sidecars: 1, seed: 'b' })
    await ditStopped(() => expect(onsetJson(D('dit'), ['offload', b.dir, '--card', 'B001']).j?.ok).toBe(true))
    const lab = start(D('lab'), ['--connect', `127.0.0.1:${port}`])
    let got = 0
    await lab.waitFor((l) => l.event === 'replica-received' && l.card === 'B001' && ++got >= b.files.length, 'B001 at the lab after the attacks', 60_000)
    await lab.stop()
  }, 180_000)
})

describe('what the operator sees', () => {
  it('the attacks above raised alerts in the custody log, and a flood cannot flood the log', async () => {
    await ditStopped(async () => {
      const log = onsetJson(D('dit'), ['log']).j as { events: { type: string, text: string }[] }
      const alerts = log.events.filter((e) => e.type === 'alert.raised')
      const texts = alerts.map((a) => a.text)
      expect(texts.some((t) => /did not complete the handshake/.test(t)), 'an alert for the slow-loris / flood').toBe(true)
      expect(texts.some((t) => /unknown key/.test(t)), 'an alert for the strangers').toBe(true)
      expect(texts.some((t) => /revoked/.test(t)), 'an alert naming the revoked member').toBe(true)
      // hundreds of anonymous connections from one address are one alert, not hundreds of log entries
      expect(alerts.length, `${alerts.length} alerts`).toBeLessThan(60)
    })
  }, 60_000)

  // a member is authenticated, so it is not 'refused' at the gate, but a session it breaks is cut and alerted
  it('a member cut for malformed protocol messages raises an alert', async () => {
    await ditStopped(async () => {
      const log = onsetJson(D('dit'), ['log']).j as { events: { type: string, text: string }[] }
      expect(log.events.some((e) => e.type === 'alert.raised' && /malformed|protocol/i.test(e.text))).toBe(true)
    })
  }, 60_000)
})

describe('hostile events and blocks (from a member that turned bad)', () => {
  it('forged admin events, replayed events and malformed events are rejected with a reason and an alert; bad blocks fail verification and are not recorded; the log advances', async () => {
    // the lab, stopped, writes a hostile history into its own writer core
    const home = await openHome(D('lab'), undefined)
    const p = await Production.open(home)
    const now = Date.now()
    let badPath = ''
    try {
      expect(p.log.writable).toBe(true)
      const admitted = (await p.log.queries.members()).find((m) => m.peer === home.identity.peerKey)
      expect(admitted?.role).toBe('lab')
      // forged: admin-only events from a lab
      await p.log.appendRawForTests({ v: 1, type: 'member.revoked', at: now, peer: ditKey, reason: 'coup', epoch: 9, sealed: {} })
      await p.log.appendRawForTests({ v: 1, type: 'member.admitted', at: now, peer: generateIdentity().peerKey, role: 'admin', name: 'mallory', expiresAt: null, secrets: null, invite: null, binding: null })
      await p.log.appendRawForTests({ v: 1, type: 'policy.changed', at: now, policy: { copies: 1, peers: 1, offsite: 0 } })
      // replayed: the production's own creation, a second time
      await p.log.appendRawForTests({ v: 1, type: 'production.created', at: now, name: 'Hostile', policy: { copies: 1, peers: 1, offsite: 0 }, creatorName: 'mallory', secrets: 'x', binding: { peer: home.identity.peerKey, writer: 'ab'.repeat(32), sig: 'cd'.repeat(64) } })
      // malformed and unknown
      await p.log.appendRawForTests({ v: 1, type: 'file.recorded', at: now, card: 'A001', path: '../../etc/passwd', size: -1 })
      await p.log.appendRawForTests({ v: 2, type: 'future.event', at: now })
      await p.log.appendRawForTests('not an object')
      // bad blocks: a real block in the lab's vault, recorded under a chunk id it does not have
      const bytes = garbage(1, 300_000)
      const ref = await p.vault.put(bytes)
      await p.vault.flush()
      const h = await hashStream((async function* () { yield bytes })(), ['xxh64', 'xxh128'])
      badPath = 'Clips/EVIL.mxf'
      await p.log.append({ type: 'card.registered', card: CardId.parse('X001'), files: 2, bytes: bytes.length * 2, label: 'evil' })
      await p.log.append({ type: 'file.recorded', card: CardId.parse('X001'), path: badPath, size: bytes.length, mtime: now, hashes: { xxh64: h.xxh64!, xxh128: h.xxh128! }, chunks: { cores: [ref.core], list: [[garbage(2, 32).toString('hex'), 0, ref.block, ref.size]] }, epoch: ref.epoch ?? 0 } as never)
      // and an honest file on the same card, so the log must keep advancing past the bad ones
      const good = garbage(3, 200_000)
      const gref = await p.vault.put(good)
      await p.vault.flush()
      const gh = await hashStream((async function* () { yield good })(), ['xxh64', 'xxh128'])
      await p.log.append({ type: 'file.recorded', card: CardId.parse('X001'), path: 'Clips/GOOD.mxf', size: good.length, mtime: now, hashes: { xxh64: gh.xxh64!, xxh128: gh.xxh128! }, chunks: { cores: [gref.core], list: [[gref.id, 0, gref.block, gref.size]] }, epoch: gref.epoch ?? 0 } as never)
    } finally {
      await p.close()
    }
    const lab = start(D('lab'), ['--connect', `127.0.0.1:${port}`])
    await dit.waitFor((l) => l.event === 'replica-received' && l.path === 'Clips/GOOD.mxf', 'the honest file of X001 at the cart', 60_000)
    await dit.waitFor((l) => l.event === 'replica-failed' && l.path === badPath, 'the bad block refused at the cart', 60_000)
    await lab.stop()
    await ditStopped(async () => {
      const log = onsetJson(D('dit'), ['log']).j as { rejected: { type: string, reason: string }[], events: { type: string, text: string, path: string | null }[] }
      const types = log.rejected.map((r) => r.type)
      for (const t of ['member.revoked', 'member.admitted', 'policy.changed', 'production.created', 'file.recorded', 'future.event']) expect(types, `rejected ${t}`).toContain(t)
      expect(log.rejected.every((r) => r.reason.length > 0)).toBe(true)
      // the coup changed nothing: the cart is still an active admin, the policy unchanged, no mallory
      const members = onsetJson(D('dit'), ['members']).j as { members?: { name: string, role: string, state?: string, effective?: string }[] } | { name: string }[]
      expect(JSON.stringify(members)).not.toContain('mallory')
      const st = onsetJson(D('dit'), ['status']).j as { self: { role: string }, production: { policy: { copies: number } }, alerts?: unknown[] }
      expect(st.self.role).toBe('admin')
      expect(st.production.policy.copies).toBe(3)
      // each rejection raised an alert
      const alerts = log.events.filter((e) => e.type === 'alert.raised' || /rejected/.test(e.text))
      expect(alerts.length).toBeGreaterThanOrEqual(6)
      // the bad file is not received at the cart; the good one is
      const x = onsetJson(D('dit'), ['safe-to-format', 'X001']).j as { files: { path: string, copies: { where: string }[] }[] }
      const where = (p: string) => x.files.find((f) => f.path === p)!.copies.map((c) => c.where)
      expect(where(badPath).some((w) => /cart vault/.test(w))).toBe(false)
      expect(where('Clips/GOOD.mxf').some((w) => /cart vault/.test(w))).toBe(true)
    })
  }, 180_000)
})
