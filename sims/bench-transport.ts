/**
 * Transport throughput: SIZE MiB (1 MiB blocks) replicated through Corestore between two node
 * processes on loopback, over each transport (direct TCP, internet = Hyperswarm on a local
 * HyperDHT testnet, lan = libp2p with mDNS off, dialed by multiaddr). Every byte is encrypted by
 * the onset Noise stream (and, on lan, again by libp2p's Noise).
 *
 *   node sims/bench-transport.ts [SIZE_MIB=256] [RUNS=1] [TRANSPORTS=direct,internet,lan]
 *
 * The seeder process writes the core first (not timed), then starts its transport; the leecher's
 * time runs from the start of its transport until every block is downloaded and verified by
 * Hypercore. Prints MB/s (10^6 bytes) per run and the median. A benchmark, not a test: nothing
 * is asserted. Both processes share the machine's cores.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import Corestore from 'corestore'
import createTestnet from 'hyperdht/testnet.js'
import { deterministicBytes, identityFromSeed } from '../src/crypto/identity.ts'
import { DirectTransport } from '../src/replicate/transport/direct.ts'
import { LanTransport } from '../src/replicate/transport/libp2p.ts'
import { SwarmTransport } from '../src/replicate/transport/swarm.ts'
import type { AccessGate, PeerConnection, Transport, TransportKind } from '../src/replicate/transport/transport.ts'
import { fmt, median, MiB } from './lib.ts'

const SELF = path.resolve(import.meta.dirname, 'bench-transport.ts')
const SEEDS = { seeder: Buffer.alloc(32, 0x5e), leecher: Buffer.alloc(32, 0x1e) }
const TOPIC = Buffer.alloc(32, 0x70)
const BLOCK = MiB

type Role = 'seeder' | 'leecher'
const say = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + '\n')

function makeTransport(kind: TransportKind, role: Role, peer: string): Transport {
  const identity = identityFromSeed(SEEDS[role])
  const other = identityFromSeed(SEEDS[role === 'seeder' ? 'leecher' : 'seeder']).peerKey
  const gate: AccessGate = (k) => (k === other ? 'member' : 'refuse')
  if (kind === 'direct') {
    if (role === 'seeder') return new DirectTransport({ identity, gate, listen: { host: '127.0.0.1', port: 0 } })
    const [host, port] = peer.split(':')
    return new DirectTransport({ identity, gate, connect: [{ host: host!, port: Number(port) }] })
  }
  if (kind === 'internet') {
    const [host, port] = peer.split(':')
    return new SwarmTransport({ identity, gate, topic: TOPIC, bootstrap: [{ host: host!, port: Number(port) }], host: '127.0.0.1', firewalled: false })
  }
  return new LanTransport({ identity, gate, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, connect: role === 'leecher' ? [peer] : [] })
}

/** child: the seeder (writes the core, serves it) or the leecher (downloads it, times it). */
async function child(role: Role, kind: TransportKind, dir: string, sizeMiB: number, peer: string, key?: string): Promise<void> {
  const store = new Corestore(dir, { unsafe: true })
  const t = makeTransport(kind, role, peer)
  t.on('error', () => {})
  t.on('connection', (c: PeerConnection) => { c.stream.on('error', () => {}); store.replicate(c.stream) })
  process.on('SIGTERM', () => { void t.stop().then(() => store.close()).then(() => process.exit(0)) })
  if (role === 'seeder') {
    const core = store.get({ name: 'bench' })
    await core.ready()
    for (let i = core.length; i < sizeMiB; i++) await core.append(deterministicBytes(BLOCK, Buffer.alloc(32, i % 256)))
    await t.start()
    const address = t instanceof DirectTransport ? `${t.address()!.host}:${t.address()!.port}` : t instanceof LanTransport ? t.addresses()[0] : peer
    say({ event: 'ready', key: core.key.toString('hex'), address })
    return
  }
  const t0 = process.hrtime.bigint()
  const connected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('leecher: no connection within 60 s')), 60_000)
    t.once('connection', () => { clearTimeout(timer); resolve() })
  })
  await t.start()
  await connected
  const copy = store.get({ key: Buffer.from(key!, 'hex') })
  await copy.ready()
  const connectSeconds = Number(process.hrtime.bigint() - t0) / 1e9
  // the leecher knows the size: a range download waits for blocks it has not yet heard of
  await copy.download({ start: 0, end: sizeMiB }).done()
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  if (copy.contiguousLength !== sizeMiB) throw new Error(`leecher: got ${copy.contiguousLength} of ${sizeMiB} blocks`)
  say({ event: 'done', seconds, connectSeconds, bytes: copy.contiguousLength * BLOCK, blocks: copy.contiguousLength })
  await t.stop()
  await store.close()
  process.exit(0)
}

function spawnChild(args: string[]): { p: ChildProcess, next: (event: string, ms?: number) => Promise<Record<string, unknown>> } {
  const p = spawn(process.execPath, [SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: Record<string, unknown>[] = []
  const waiters: (() => void)[] = []
  readline.createInterface({ input: p.stdout! }).on('line', (l) => { lines.push(JSON.parse(l) as Record<string, unknown>); for (const w of waiters.splice(0)) w() })
  p.on('exit', () => { for (const w of waiters.splice(0)) w() })
  const next = (event: string, ms = 600_000) => new Promise<Record<string, unknown>>((resolve, reject) => {
    const deadline = Date.now() + ms
    const check = () => {
      const l = lines.find((x) => x.event === event)
      if (l) return resolve(l)
      if (p.exitCode !== null || Date.now() > deadline) return reject(new Error(`child ${args.slice(0, 2).join(' ')} ended without '${event}'`))
      waiters.push(check)
      setTimeout(check, Math.max(0, deadline - Date.now())).unref()
    }
    check()
  })
  return { p, next }
}

async function stopChild(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.pid === undefined) return
  const exited = new Promise<void>((r) => p.once('exit', () => r()))
  process.kill(p.pid, 'SIGTERM')
  const t = setTimeout(() => { if (p.exitCode === null && p.pid !== undefined) process.kill(p.pid, 'SIGKILL') }, 10_000)
  await exited
  clearTimeout(t)
}

async function main(): Promise<void> {
  const sizeMiB = Number(process.argv[2] ?? 256)
  const runs = Number(process.argv[3] ?? 1)
  const kinds = (process.argv[4] ?? 'direct,internet,lan').split(',') as TransportKind[]
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-bench-transport-'))
  const testnet = kinds.includes('internet') ? await createTestnet(3, { host: '127.0.0.1' }) : null
  const results: string[] = []
  try {
    for (const kind of kinds) {
      const rates: number[] = []
      for (let r = 0; r < runs; r++) {
        const seedDir = path.join(root, `${kind}-${r}-seeder`), leechDir = path.join(root, `${kind}-${r}-leecher`)
        const bs = testnet ? `${testnet.bootstrap[0]!.host}:${testnet.bootstrap[0]!.port}` : '-'
        const seeder = spawnChild(['seeder', kind, seedDir, String(sizeMiB), bs])
        try {
          const ready = await seeder.next('ready')
          const leecher = spawnChild(['leecher', kind, leechDir, String(sizeMiB), String(ready.address), String(ready.key)])
          try {
            const done = await leecher.next('done')
            const mbs = Number(done.bytes) / 1e6 / Number(done.seconds)
            rates.push(mbs)
            process.stdout.write(`${kind.padEnd(9)} run ${r + 1}: ${fmt(Number(done.bytes) / MiB, 0)} MiB in ${fmt(Number(done.seconds), 2)} s (connected after ${fmt(Number(done.connectSeconds), 2)} s) = ${fmt(mbs)} MB/s\n`)
          } finally { await stopChild(leecher.p) }
        } finally { await stopChild(seeder.p) }
        await fs.rm(seedDir, { recursive: true, force: true })
        await fs.rm(leechDir, { recursive: true, force: true })
      }
      results.push(`${kind.padEnd(9)} median ${fmt(median(rates))} MB/s over ${rates.length} run(s) of ${sizeMiB} MiB`)
    }
  } finally {
    await testnet?.destroy()
    await fs.rm(root, { recursive: true, force: true })
  }
  process.stdout.write(`\nCorestore replication over each transport, two processes on loopback:\n${results.join('\n')}\n`)
}

const [role, kind, dir, size, peer, key] = process.argv.slice(2)
if (role === 'seeder' || role === 'leecher') await child(role, kind as TransportKind, dir!, Number(size), peer!, key)
else await main()
