// Offline reconcile across processes on loopback: a DIT cart and a lab, both writers, each
// offload a different card while disconnected; when they reconnect both converge with nothing
// lost or duplicated. The lab's peer is killed with SIGKILL in the middle of the transfer and
// restarted: it resumes and completes.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeSyntheticCard } from '../src/media/synthetic-card.ts'
import { onset, onsetJson, PeerProcess } from './helpers/processes.ts'

let dir: string
const procs: PeerProcess[] = []
const D = (n: string) => path.join(dir, n)
beforeAll(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-reconcile-')) })
afterAll(async () => {
  for (const p of procs) await p.stop()
  await fs.rm(dir, { recursive: true, force: true })
})

function start(data: string, args: string[]): PeerProcess {
  const p = new PeerProcess(data, args)
  procs.push(p)
  return p
}

describe('offline reconcile between two writers', () => {
  it('each offloads while disconnected; reconnect (with a kill -9 mid-transfer) converges, nothing lost or duplicated', async () => {
    expect(onset(D('dit'), ['--no-passphrase', 'init']).code).toBe(0)
    expect(onset(D('dit'), ['production', 'create', 'Reconcile', '--as', 'DIT cart']).code).toBe(0)
    const token = onsetJson(D('dit'), ['invite', '--role', 'lab']).j.token as string
    let dit = start(D('dit'), ['--listen', '127.0.0.1:0'])
    let port = (await dit.started()).port!
    expect(onset(D('lab'), ['--no-passphrase', 'init']).code).toBe(0)
    expect(onset(D('lab'), ['join', token, '--connect', `127.0.0.1:${port}`]).code).toBe(0)
    let lab = start(D('lab'), ['--connect', `127.0.0.1:${port}`])
    await lab.waitFor((l) => l.event === 'writable', 'the lab to become a writer')
    await lab.stop(); await dit.stop()

    // disconnected: each records its own card
    const a = await makeSyntheticCard({ root: D('cards'), card: 'A001', clips: 3, clipBytes: 3_000_000, sidecars: 3, seed: 'a' })
    const b = await makeSyntheticCard({ root: D('cards'), card: 'B001', clips: 2, clipBytes: 2_000_000, sidecars: 2, seed: 'b' })
    expect(onsetJson(D('dit'), ['offload', a.dir, '--card', 'A001', '--dest', D('dit-raid')]).j.ok).toBe(true)
    expect(onsetJson(D('lab'), ['offload', b.dir, '--card', 'B001', '--dest', D('lab-raid')]).j.ok).toBe(true)
    expect(onsetJson(D('dit'), ['status']).j.cards.map((c: { card: string }) => c.card)).toEqual(['A001'])
    expect(onsetJson(D('lab'), ['status']).j.cards.map((c: { card: string }) => c.card)).toEqual(['B001'])

    // reconnect; kill the lab's peer as soon as the first file of A001 has arrived
    dit = start(D('dit'), ['--listen', '127.0.0.1:0'])
    port = (await dit.started()).port!
    lab = start(D('lab'), ['--connect', `127.0.0.1:${port}`])
    await lab.waitFor((l) => l.event === 'replica-received' && l.card === 'A001', 'the first A001 file at the lab')
    lab.child.kill('SIGKILL')
    await new Promise<void>((r) => lab.child.once('exit', () => r()))
    lab = start(D('lab'), ['--connect', `127.0.0.1:${port}`])
    await lab.started()
    const bothProtected = async (data: string) => {
      const j = onsetJson(data, ['status']).j as { cards: { card: string, state: string }[] }
      return j.cards.length === 2 && j.cards.every((c) => c.state === 'PROTECTED') ? j : null
    }
    let s = null
    for (let i = 0; i < 300 && !s; i++) { s = await bothProtected(D('dit')); if (!s) await new Promise((r) => setTimeout(r, 200)) }
    expect(s, 'both cards PROTECTED on the DIT').not.toBeNull()
    let t = null
    for (let i = 0; i < 300 && !t; i++) { t = await bothProtected(D('lab')); if (!t) await new Promise((r) => setTimeout(r, 200)) }
    expect(t, 'both cards PROTECTED on the lab').not.toBeNull()
    await lab.stop(); await dit.stop()

    // nothing lost, nothing duplicated: the same files on both sides, each recorded once; the lab rebuilds A001 byte for byte
    for (const data of [D('dit'), D('lab')]) {
      for (const [card, c] of [['A001', a], ['B001', b]] as const) {
        const st = onsetJson(data, ['safe-to-format', card]).j as { safe: boolean, files: { path: string }[], unrecorded: number }
        expect(st.safe).toBe(true)
        expect(st.unrecorded).toBe(0)
        expect(st.files.map((f) => f.path).sort()).toEqual(c.files.map((f) => f.path).sort())
      }
      const log = onsetJson(data, ['log']).j as { rejected: unknown[], events: { type: string }[] }
      expect(log.rejected).toEqual([])
      // the custody timeline keeps one entry per recorded file on both peers
      expect(log.events.filter((e) => e.type === 'file.recorded')).toHaveLength(a.files.length + b.files.length)
    }
    const ex = onsetJson(D('lab'), ['export', 'A001', D('lab-export')])
    expect(ex.j.ok).toBe(true)
    for (const f of a.files) {
      expect((await fs.readFile(path.join(D('lab-export'), 'A001', f.path))).equals(await fs.readFile(path.join(a.dir, f.path)))).toBe(true)
    }
  }, 240_000)
})
