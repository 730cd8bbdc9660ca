// The internet transport through the real command line, on this machine only: `onset bootstrap`
// runs a HyperDHT bootstrap node on 127.0.0.1 (as it would on a set LAN with no internet); the
// DIT's peer, the lab's `join` and the lab's peer find each other on the production's topic
// through it (--bootstrap, --dht-host 127.0.0.1, --dht-reachable), and the card replicates.
import { spawn, type ChildProcess } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeSyntheticCard } from '../src/media/synthetic-card.ts'
import { BIN, onset, onsetJson, PeerProcess } from './helpers/processes.ts'
import { freeUdpPort } from './helpers/ports.ts'

let dir: string
const D = (n: string) => path.join(dir, n)
const procs: PeerProcess[] = []
let boot: ChildProcess | null = null

beforeAll(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-inet-')) })
afterAll(async () => {
  for (const p of procs) await p.stop()
  if (boot && boot.exitCode === null) {
    const gone = new Promise<void>((r) => boot!.once('exit', () => r()))
    boot.kill('SIGTERM')
    const t = setTimeout(() => boot!.kill('SIGKILL'), 10_000)
    await gone
    clearTimeout(t)
  }
  await fs.rm(dir, { recursive: true, force: true })
})

describe('internet transport from the command line (local bootstrap node on 127.0.0.1)', () => {
  it('a lab joins by invite through the DHT and receives the card; no direct address anywhere', async () => {
    const port = await freeUdpPort()
    boot = spawn(process.execPath, [BIN, '--json', 'bootstrap', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] })
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the bootstrap node did not start')), 20_000)
      boot!.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('"started"')) { clearTimeout(t); resolve() } })
      boot!.once('exit', (code) => { clearTimeout(t); reject(new Error(`bootstrap exited ${code}`)) })
    })
    const dht = ['--bootstrap', `127.0.0.1:${port}`, '--dht-host', '127.0.0.1', '--dht-reachable']

    expect(onset(D('dit'), ['--no-passphrase', 'init']).code).toBe(0)
    expect(onset(D('dit'), ['production', 'create', 'Inet Test', '--as', 'DIT cart']).code).toBe(0)
    const card = await makeSyntheticCard({ root: D('cards'), card: 'B001', clips: 2, clipBytes: 800_000, sidecars: 2 })
    expect(onsetJson(D('dit'), ['offload', card.dir, '--card', 'B001']).j.ok).toBe(true)
    const token = onsetJson(D('dit'), ['invite', '--role', 'lab']).j.token as string
    const dit = new PeerProcess(D('dit'), dht)
    procs.push(dit)
    await dit.started()

    expect(onset(D('lab'), ['--no-passphrase', 'init']).code).toBe(0)
    const j = onsetJson(D('lab'), ['join', token, ...dht])
    expect(j.code).toBe(0)
    expect(j.j.role).toBe('lab')
    expect(onset(D('lab2'), ['--no-passphrase', 'init']).code).toBe(0)
    expect(onset(D('lab2'), ['join', token]).err).toMatch(/say how to reach an admin peer/)

    const lab = new PeerProcess(D('lab'), dht)
    procs.push(lab)
    await lab.started()
    await lab.waitFor((l) => l.event === 'peer-connected' && l.transport === 'internet', 'the lab to connect over the internet transport')
    await lab.waitFor((l) => l.event === 'replica-received' && l.path === 'CARDINFO.xml', 'the lab to receive the card')
    const st = onsetJson(D('lab'), ['status']).j
    expect(st.cards[0].card).toBe('B001')
    expect(st.peers.find((p: { role: string, connected: boolean }) => p.role === 'admin').transport).toBe('internet')
  })
})
