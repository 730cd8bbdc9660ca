// LAN discovery for real: two peers, each a child process inside its own network namespace that
// this test creates, joined by a veth pair on a private test subnet that exists only inside those
// namespaces. mDNS is on and no address is given: they must find each other, connect over the
// LAN transport (libp2p + the onset secret stream), prove their keys and exchange bytes.
// Skipped, saying why, where namespaces cannot be created (not root, no `ip`, EPERM).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { deterministicBytes, identityFromSeed } from '../src/crypto/identity.ts'

const REPO = path.resolve(import.meta.dirname, '..')
const NODE = path.join(REPO, 'node_modules', '.bin', 'node')
const PEER = path.join(REPO, 'test', 'transport-lan-peer.ts')
const tag = `${process.pid % 100000}`
const NS = [`onset-t${tag}-a`, `onset-t${tag}-b`] as const
const VETH = [`ot${tag}a`, `ot${tag}b`] as const
const IP = ['10.213.47.1', '10.213.47.2'] as const

function ip(...args: string[]): void { execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] }) }

const createdNs: string[] = []
/** Creates the namespaces and the veth pair; returns why it cannot, or null. */
function setUp(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root'
  try { execFileSync('ip', ['-V'], { stdio: 'ignore' }) } catch { return 'the `ip` command (iproute2) is not installed' }
  try {
    for (const ns of NS) { ip('netns', 'add', ns); createdNs.push(ns) }
  } catch (err) {
    return `cannot create a network namespace here (${String((err as { stderr?: Buffer }).stderr ?? err).trim() || 'EPERM'})`
  }
  try {
    for (let i = 0; i < 2; i++) {
      if (i === 0) ip('link', 'add', VETH[0], 'netns', NS[0], 'type', 'veth', 'peer', 'name', VETH[1], 'netns', NS[1])
      ip('-n', NS[i]!, 'link', 'set', 'lo', 'up')
      ip('-n', NS[i]!, 'addr', 'add', `${IP[i]}/24`, 'dev', VETH[i]!)
      ip('-n', NS[i]!, 'link', 'set', VETH[i]!, 'up', 'multicast', 'on')
      ip('-n', NS[i]!, 'route', 'add', '224.0.0.0/4', 'dev', VETH[i]!)
    }
  } catch (err) {
    for (const ns of createdNs.splice(0)) { try { ip('netns', 'del', ns) } catch { /* gone */ } }
    return `cannot set up a veth pair between test namespaces (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`
  }
  return null
}

const skipReason = setUp()
const children: ChildProcess[] = []

afterAll(async () => {
  for (const c of children) {
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise<void>((r) => c.once('exit', () => r()))
      process.kill(c.pid, 'SIGTERM')
      const t = setTimeout(() => { if (c.exitCode === null && c.pid !== undefined) process.kill(c.pid, 'SIGKILL') }, 5_000)
      await exited
      clearTimeout(t)
    }
  }
  for (const ns of createdNs) { try { ip('netns', 'del', ns) } catch { /* already gone */ } }
})

type Line = { event: string, [k: string]: unknown }

function startPeer(ns: string, seed: Buffer, allow: string): { lines: Line[], child: ChildProcess } {
  const child = spawn('ip', ['netns', 'exec', ns, NODE, PEER, seed.toString('hex'), allow], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  const lines: Line[] = []
  readline.createInterface({ input: child.stdout! }).on('line', (l) => { try { lines.push(JSON.parse(l) as Line) } catch { lines.push({ event: 'garbage', l }) } })
  let err = ''
  child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  child.on('exit', (code) => { if (code) lines.push({ event: 'exit', code, err }) })
  return { lines, child }
}

async function until(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe(`LAN transport discovery in network namespaces${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it.skipIf(skipReason !== null)('two peers find each other by mDNS over a veth pair, prove their keys and exchange bytes', async () => {
    const seeds = [deterministicBytes(32, Buffer.alloc(32, 0xa1)), deterministicBytes(32, Buffer.alloc(32, 0xb2))] as const
    const ids = seeds.map((s) => identityFromSeed(s))
    const a = startPeer(NS[0], seeds[0], ids[1]!.peerKey)
    const b = startPeer(NS[1], seeds[1], ids[0]!.peerKey)
    const has = (p: { lines: Line[] }, f: (l: Line) => boolean) => p.lines.some(f)
    const dump = () => JSON.stringify({ a: a.lines, b: b.lines })
    await until(() => [a, b].every((p) => has(p, (l) => l.event === 'data')) || [a, b].some((p) => has(p, (l) => l.event === 'exit')), 30_000, () => `both peers to connect and exchange bytes: ${dump()}`)
    const connA = a.lines.find((l) => l.event === 'connected')
    const connB = b.lines.find((l) => l.event === 'connected')
    expect(connA?.remoteKey, dump()).toBe(ids[1]!.peerKey)
    expect(connB?.remoteKey, dump()).toBe(ids[0]!.peerKey)
    // over the veth, not loopback: each saw the other's namespace address
    expect(String(connA?.address)).toContain(`/ip4/${IP[1]}/tcp/`)
    expect(String(connB?.address)).toContain(`/ip4/${IP[0]}/tcp/`)
    expect(a.lines.find((l) => l.event === 'data')?.text).toBe(`hello from ${ids[1]!.peerKey}`)
    expect(b.lines.find((l) => l.event === 'data')?.text).toBe(`hello from ${ids[0]!.peerKey}`)
    expect([...a.lines, ...b.lines].filter((l) => l.event === 'refused' || l.event === 'error')).toEqual([])
  }, 40_000)
})
