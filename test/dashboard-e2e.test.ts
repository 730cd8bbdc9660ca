// End to end, as a DIT sees it: the real `onset peer` (its own dashboard, in a pseudo-terminal)
// and `onset dash` (attached to another running peer, in a pseudo-terminal), an offload through
// the running peer and a sync on loopback. The screen shows the card UNSAFE after the offload
// (its copies are on one machine), PROTECTED once the lab holds a verified replica, and
// DEGRADED when a plain copy is found corrupt.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeSyntheticCard } from '../src/media/synthetic-card.ts'
import { onset, onsetJson, PeerProcess } from './helpers/processes.ts'
import { hasPty, plain, Pty } from './helpers/pty.ts'

let dir: string
const D = (n: string) => path.join(dir, n)
const procs: PeerProcess[] = []
const ptys: Pty[] = []

beforeAll(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-dash-e2e-')) })
afterAll(async () => {
  for (const t of ptys) await t.kill()
  for (const p of procs) await p.stop()
  await fs.rm(dir, { recursive: true, force: true })
})

/** A card row of the overview in that state (the frame redraws whole lines). */
const row = (card: string, state: string) => new RegExp(`${card}[^\\r\\n]*${state}|${state}[^\\r\\n]*${card}`)

describe('the dashboard end to end, in a pseudo-terminal', () => {
  it.skipIf(!hasPty)('shows A001 go UNSAFE → PROTECTED → DEGRADED through an offload, a sync and a corrupted copy (needs util-linux script)', async () => {
    expect(onset(D('dit'), ['--no-passphrase', 'init']).code).toBe(0)
    expect(onset(D('dit'), ['production', 'create', 'Dash E2E', '--as', 'DIT cart']).code).toBe(0)
    // 3 verified copies on 2 machines: the cart's vault and shuttle drive are not enough alone
    expect(onset(D('dit'), ['policy', 'set', '--copies', '3', '--peers', '2', '--offsite', '0']).code).toBe(0)
    const invite = onsetJson(D('dit'), ['invite', '--role', 'lab']).j.token as string
    const card = await makeSyntheticCard({ root: D('cards'), card: 'A001', clips: 2, clipBytes: 1_500_000, sidecars: 2 })

    const dit = new PeerProcess(D('dit'), ['--listen', '127.0.0.1:0'])
    procs.push(dit)
    const port = (await dit.started()).port!
    const dash = new Pty(['--data', D('dit'), 'dash'])
    ptys.push(dash)
    await dash.waitFor('Dash E2E', 'the production name in the dashboard header')

    // the offload goes through the running peer (it holds the data directory)
    const mark = dash.mark
    const off = onsetJson(D('dit'), ['offload', card.dir, '--card', 'A001', '--dest', D('shuttle')])
    expect(off.code).toBe(0)
    expect(off.j.via).toBe('peer')
    await dash.waitFor(row('A001', 'UNSAFE'), 'A001 UNSAFE after the offload', { from: mark })

    // the lab joins and runs its peer with its own dashboard, in a terminal
    expect(onset(D('lab'), ['--no-passphrase', 'init']).code).toBe(0)
    expect(onset(D('lab'), ['join', invite, '--connect', `127.0.0.1:${port}`]).code).toBe(0)
    const lab = new Pty(['--data', D('lab'), 'peer', '--connect', `127.0.0.1:${port}`])
    ptys.push(lab)
    const m2 = dash.mark
    await dash.waitFor(row('A001', 'PROTECTED'), 'A001 PROTECTED once the lab holds it', { from: m2 })
    await lab.waitFor(row('A001', 'PROTECTED'), 'A001 PROTECTED on the lab\'s own dashboard')

    // a flipped byte in the shuttle copy, found by verify (through the peer, not repaired): DEGRADED
    const clip = (await fs.readdir(path.join(D('shuttle'), 'A001', 'Clips'))).find((n) => n.endsWith('.mxf'))!
    const fh = await fs.open(path.join(D('shuttle'), 'A001', 'Clips', clip), 'r+')
    await fh.write(Buffer.from([0x5a]), 0, 1, 1000)
    await fh.close()
    const m3 = dash.mark
    const v = onsetJson(D('dit'), ['verify', '--no-repair', '--card', 'A001', '--dest', D('shuttle')])
    expect(v.code).toBe(1)
    await dash.waitFor(row('A001', 'DEGRADED'), 'A001 DEGRADED after the failed verification', { from: m3 })
    await dash.waitFor('1 open alert', 'the open alert count in the header', { from: m3 })
    const m4 = dash.mark
    dash.write('3') // the alerts view names the failed copy
    await dash.waitFor(/copy-failed/, 'the copy-failed alert in the alerts view', { from: m4 })

    expect(await dash.quit()).toBe(0)
    expect(await lab.quit()).toBe(0)
    expect(plain(lab.out)).toMatch(/stopped cleanly/)
  })
})
