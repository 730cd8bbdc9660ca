// Multi-process replication on loopback: a DIT cart (admin) ingests; a lab joins by invite and
// receives and verifies every byte; a post house joins read-only, decrypts, and its signed
// attestations reach the log through a writer; unknown, expired and revoked keys are refused
// before any data flows, each raising an alert.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateIdentity } from '../src/crypto/identity.ts'
import { makeSyntheticCard } from '../src/media/synthetic-card.ts'
import { ControlClient } from '../src/peer/control/client.ts'
import type { Snapshot } from '../src/peer/snapshot.ts'
import { DirectTransport } from '../src/replicate/transport/direct.ts'
import type { CardId } from '../src/crypto/ids.ts'
import { damageStoredChunk } from './helpers/damage.ts'
import { onset, onsetJson, PeerProcess } from './helpers/processes.ts'

let dir: string
const procs: PeerProcess[] = []
const D = (n: string) => path.join(dir, n)

beforeAll(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-repl-')) })
afterAll(async () => {
  for (const p of procs) await p.stop()
  await fs.rm(dir, { recursive: true, force: true })
})

async function status(data: string): Promise<Snapshot> {
  const c = await ControlClient.connect(path.join(data, 'control.sock'))
  try { return await c.call<Snapshot>('status', undefined, 10_000) } finally { c.close() }
}

async function until<T>(fn: () => Promise<T | null | undefined | false>, what: string, ms = 60_000): Promise<T> {
  const t0 = Date.now()
  for (let i = 0; i < 10_000; i++) {
    const v = await fn().catch(() => null)
    if (v) return v
    if (Date.now() - t0 > ms) break
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('replication between peers in separate processes (loopback)', () => {
  let port = 0
  let dit: PeerProcess
  let lab: PeerProcess

  it('DIT ingests, lab (invite) receives and verifies every byte, card becomes PROTECTED', async () => {
    expect(onset(D('dit'), ['--no-passphrase', 'init']).code).toBe(0)
    expect(onset(D('dit'), ['production', 'create', 'Repl Test', '--as', 'DIT cart']).code).toBe(0)
    const card = await makeSyntheticCard({ root: D('cards'), card: 'A001', clips: 3, clipBytes: 2_000_000, sidecars: 4 })
    expect(onsetJson(D('dit'), ['offload', card.dir, '--card', 'A001', '--dest', D('shuttle')]).j.ok).toBe(true)
    const labInvite = onsetJson(D('dit'), ['invite', '--role', 'lab']).j.token as string
    const postInvite = onsetJson(D('dit'), ['invite', '--role', 'post']).j.token as string
    await fs.writeFile(D('post-invite'), postInvite)
    // an expiring member, admitted now, whose membership lapses before it tries to connect
    expect(onset(D('late'), ['--no-passphrase', 'init']).code).toBe(0)
    const lateKey = onsetJson(D('late'), ['whoami']).j.peer as string
    await fs.writeFile(D('late-key'), lateKey)
    expect(onset(D('dit'), ['member', 'add', lateKey, '--role', 'lab', '--expires', '1s', '--name', 'temp']).code).toBe(0)

    dit = new PeerProcess(D('dit'), ['--listen', '127.0.0.1:0'])
    procs.push(dit)
    port = (await dit.started()).port!
    expect(onset(D('lab'), ['--no-passphrase', 'init']).code).toBe(0)
    const j = onsetJson(D('lab'), ['join', labInvite, '--connect', `127.0.0.1:${port}`])
    expect(j.code).toBe(0)
    expect(j.j.role).toBe('lab')
    // the same invite cannot be used twice
    expect(onset(D('lab2'), ['--no-passphrase', 'init']).code).toBe(0)
    const again = onset(D('lab2'), ['join', labInvite, '--connect', `127.0.0.1:${port}`])
    expect(again.code).not.toBe(0)
    expect(again.err).toMatch(/already used/)

    lab = new PeerProcess(D('lab'), ['--connect', `127.0.0.1:${port}`])
    procs.push(lab)
    await lab.started()
    await lab.waitFor((l) => l.event === 'replica-received' && l.path === 'CARDINFO.xml', 'the lab to receive the card')
    const s = await until(async () => { const x = await status(D('dit')); return x.cards[0]?.state === 'PROTECTED' ? x : null }, 'A001 to become PROTECTED on the DIT')
    expect(s.cards[0]!.where.some((w) => w.includes('vault') && w.includes('lab'))).toBe(true)
    // the CLI answers through the running peer (its data directory is in use)
    const viaCli = onsetJson(D('dit'), ['status'])
    expect(viaCli.code).toBe(0)
    expect(viaCli.j.cards[0].state).toBe('PROTECTED')
    expect(onset(D('dit'), ['safe-to-format', 'A001']).code).toBe(0)
    const ls = await status(D('lab'))
    expect(ls.self.role).toBe('lab')
    expect(ls.cards[0]!.state).toBe('PROTECTED')
  })

  it('a flipped byte in a chunk the lab holds: verify (through the lab\'s peer) finds it, re-fetches it from the DIT, and the log keeps the failure and the repair', async () => {
    const clip = (await fs.readdir(path.join(D('cards'), 'A001', 'Clips'))).find((n) => n.endsWith('.mxf'))!
    await lab.stop()
    const ref = await damageStoredChunk(D('lab'), 'A001' as CardId, `Clips/${clip}`, 1)
    lab = new PeerProcess(D('lab'), ['--connect', `127.0.0.1:${port}`])
    procs.push(lab)
    await lab.started()
    await until(async () => (await status(D('lab'))).peers.some((x) => x.connected), 'the lab to reconnect to the DIT')
    // --no-repair only reports: the damage is named, exactly that chunk
    const check = onsetJson(D('lab'), ['verify', '--vault', '--card', 'A001', '--no-repair'])
    expect(check.code).toBe(1)
    expect(check.j.failed.map((f: { path: string }) => f.path)).toEqual([`Clips/${clip}`])
    expect(check.j.failed[0].detail).toContain(`chunk 1 (${ref.id.slice(0, 12)}, block ${ref.block} of core ${ref.core.slice(0, 8)}) corrupt`)
    const v = onsetJson(D('lab'), ['verify', '--vault', '--card', 'A001'])
    expect(v.code).toBe(0)
    expect(v.j.via).toBe('peer')
    expect(v.j.repaired.map((f: { path: string }) => f.path)).toEqual([`Clips/${clip}`])
    expect(v.j.failed).toEqual([])
    // whole again: a second pass finds nothing, and the card is PROTECTED on both peers
    const again = onsetJson(D('lab'), ['verify', '--vault', '--card', 'A001'])
    expect(again.j.repaired).toEqual([])
    expect(again.j.ok).toBe(true)
    const tl = onsetJson(D('lab'), ['log', '--card', 'A001', '--file', `Clips/${clip}`]).j.events.map((e: { text: string }) => e.text).join('\n')
    expect(tl).toMatch(/: failed \(1 of \d+ chunk\(s\) bad: chunk 1/)
    expect(tl).toMatch(/: ok \(repaired: 1 of \d+ chunk/)
    await until(async () => (await status(D('dit'))).alerts.some((a) => a.kind === 'copy-failed' && a.message.includes(clip)), 'the lab\'s failure to reach the DIT\'s log')
    await until(async () => (await status(D('dit'))).cards[0]?.state === 'PROTECTED', 'A001 PROTECTED on the DIT after the repair')
    expect((await status(D('lab'))).cards[0]!.state).toBe('PROTECTED')
  })

  it('post joins read-only, decrypts every byte, and its attestations are recorded by a writer; it cannot write', async () => {
    expect(onset(D('post'), ['--no-passphrase', 'init']).code).toBe(0)
    expect(onset(D('post'), ['join', await fs.readFile(D('post-invite'), 'utf8'), '--connect', `127.0.0.1:${port}`]).code).toBe(0)
    // before post syncs, the DIT owes it the whole card, and owes the lab nothing
    const postKey = onsetJson(D('post'), ['whoami']).j.peer as string
    const before = await until(async () => { const x = await status(D('dit')); return x.peers.some((m) => m.peer === postKey) ? x : null }, 'post to be a member on the DIT')
    const cardBytes = before.cards[0]!.bytes
    expect(before.peers.find((m) => m.peer === postKey)!.bytesOwedTo).toBe(cardBytes)
    expect(before.peers.find((m) => m.role === 'lab' && m.state === 'active')!.bytesOwedTo).toBe(0)
    const post = new PeerProcess(D('post'), ['--connect', `127.0.0.1:${port}`])
    procs.push(post)
    await post.started()
    await post.waitFor((l) => l.event === 'replica-received' && l.path === 'CARDINFO.xml', 'post to receive and decrypt the card')
    await until(async () => (await status(D('dit'))).cards[0]!.where.some((w) => w.startsWith('post')), 'the post attestations to be recorded')
    await until(async () => (await status(D('dit'))).peers.find((m) => m.peer === postKey)!.bytesOwedTo === 0, 'nothing owed to post once every file is attested')
    await post.stop()
    const w = onset(D('post'), ['note', 'A001', 'A001C001', 'post wants to write'])
    expect(w.code).toBe(5)
    expect(w.err).toMatch(/not a writer/)
  })

  it('an unknown key and an expired member are refused before any data flows, each raising an alert', async () => {
    for (const who of ['stranger', 'late']) {
      const id = who === 'stranger' ? generateIdentity() : (await import('../src/peer/home.ts').then((h) => h.openHome(D('late'), undefined))).identity
      const t = new DirectTransport({ identity: id, gate: () => 'member' })
      let got = 0
      t.on('connection', (c) => { c.stream.on('data', (d: unknown) => { got += (d as Buffer).length }); c.stream.on('error', () => {}) })
      await t.start()
      t.dial({ host: '127.0.0.1', port })
      const line = await dit.waitFor((l) => l.event === 'refused' && l.peer === id.peerKey, `the DIT to refuse ${who}`)
      await t.stop()
      // an expired member gets nothing; a stranger gets only the join channel's opening frame, no production data
      if (who === 'late') expect(got).toBe(0)
      else expect(got).toBeLessThan(512)
      expect(String(line.address)).toMatch(/^127\.0\.0\.1:/)
      if (who === 'stranger') {
        // the admin lets unknown keys try to join: they are cut when they do not
        expect(line.reason).toMatch(/did not ask to join|not a current member/)
      }
    }
    await until(async () => (await status(D('dit'))).alerts.filter((a) => a.kind === 'unauthorized-connection').length >= 2, 'alerts for refused connections')
    const late = await fs.readFile(D('late-key'), 'utf8')
    await until(async () => (await status(D('dit'))).alerts.some((a) => a.message.includes(late.slice(0, 8))), 'the alert for the expired member')
    const s = await status(D('dit'))
    const msgs = s.alerts.filter((a) => a.kind === 'unauthorized-connection').map((a) => a.message)
    expect(msgs.some((m) => m.includes(late.slice(0, 8)) && m.includes('expired'))).toBe(true)
  })

  it('a revoked member is disconnected at once and refused afterwards; the data key rotates', async () => {
    const labKey = onsetJson(D('lab'), ['whoami']).j.peer as string
    const lab = procs[1]!
    const c = await ControlClient.connect(path.join(D('dit'), 'control.sock'))
    const r = await c.call<{ epoch: number }>('member-revoke', { peer: labKey, reason: 'laptop lost' }, 10_000)
    c.close()
    expect(r.epoch).toBe(1)
    await lab.waitFor((l) => l.event === 'peer-disconnected', 'the lab to be disconnected')
    await dit.waitFor((l) => l.event === 'refused' && l.peer === labKey, 'the DIT to refuse the revoked lab')
    const s = await status(D('dit'))
    expect(s.peers.find((p) => p.peer === labKey)!.state).toBe('revoked')
    await lab.stop()
  })
})
