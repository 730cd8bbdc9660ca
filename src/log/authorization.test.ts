// The authorization gate: every role × every event type, members admitted / expired / revoked
// at that point of the log. apply() runs over a real Hyperbee on a real Corestore; the Autobase
// host calls are recorded by a host that keeps the writer set the way Autobase does.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type Autobase from 'autobase'
import { generateIdentity, randomBytes, type Identity } from '../crypto/identity.ts'
import { CardId, ProductionKey } from '../crypto/ids.ts'
import { sign } from '../crypto/sign.ts'
import { signAttestation } from './attestation.ts'
import { bindingPayload, makeApply, type View } from './apply.ts'
import { EVENT_TYPES, ALLOWED, ROLES, type CustodyEvent, type EventType, type Role, type WriterBinding } from './events.ts'
import { Queries } from './queries.ts'

let dir: string
let store: Corestore
beforeAll(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-authz-')); store = new Corestore(dir) })
afterAll(async () => { await store.close(); await fs.rm(dir, { recursive: true, force: true }) })

class RecordingHost implements Autobase.Host {
  writers = new Map<string, boolean>()
  async addWriter(key: Uint8Array, opts: { indexer?: boolean } = {}) { this.writers.set(Buffer.from(key).toString('hex'), opts.indexer ?? true) }
  async removeWriter(key: Uint8Array) { this.writers.delete(Buffer.from(key).toString('hex')) }
  async ackWriter() {}
  removeable(key: Uint8Array) {
    const k = Buffer.from(key).toString('hex')
    const indexers = [...this.writers.entries()].filter(([, i]) => i).map(([w]) => w)
    return !(indexers.length === 1 && indexers[0] === k)
  }
  interrupt() {}
}

const production = ProductionKey.fromBytes(randomBytes(32))
const card = CardId.parse('A001')
let n = 0

interface Actor { id: Identity, writer: string, role: Role }

function binding(a: { id: Identity, writer: string }): WriterBinding {
  return { peer: a.id.peerKey, writer: a.writer, sig: sign(a.id, 'writer-binding', bindingPayload(production, a.writer)).toString('hex') }
}

async function freshView(): Promise<{ view: View, host: RecordingHost, q: Queries, run: (writer: string, value: unknown) => Promise<void>, admin: Actor }> {
  const view = new Hyperbee(store.get({ name: `view-${n++}` }), { keyEncoding: 'utf-8', valueEncoding: 'json', extension: false }) as unknown as View
  await view.ready()
  const host = new RecordingHost()
  const apply = makeApply({ productionKey: production })
  const run = async (writer: string, value: unknown) => apply([{ value, from: { key: Buffer.from(writer, 'hex') }, length: 1, indexed: true }], view, host)
  const admin: Actor = { id: generateIdentity(), writer: production, role: 'admin' }
  await run(admin.writer, { v: 1, type: 'production.created', at: 1000, name: 'P', policy: { copies: 2, peers: 1, offsite: 0 }, creatorName: 'a', secrets: 'AAAA', binding: binding(admin) })
  return { view, host, q: new Queries(view, production), run, admin }
}

async function member(run: (w: string, v: unknown) => Promise<void>, admin: Actor, role: Role, expiresAt: number | null = null): Promise<Actor> {
  const a: Actor = { id: generateIdentity(), writer: randomBytes(32).toString('hex'), role }
  await run(admin.writer, { v: 1, type: 'member.admitted', at: 2000, peer: a.id.peerKey, role, name: role, expiresAt, secrets: null, invite: null, binding: binding(a) })
  return a
}

/** A valid event of each type, appended by `by`, at time `at`. */
function sample(type: EventType, by: Actor, at: number, victim: Actor): CustodyEvent {
  const loc = { kind: 'vault' as const, peer: by.id.peerKey }
  switch (type) {
    case 'production.created': return { v: 1, type, at, name: 'again', policy: { copies: 1, peers: 1, offsite: 0 }, creatorName: '', secrets: 'AAAA', binding: binding(by) }
    case 'member.admitted': { const x = { id: generateIdentity(), writer: randomBytes(32).toString('hex') }; return { v: 1, type, at, peer: x.id.peerKey, role: 'lab', name: 'x', expiresAt: null, secrets: null, invite: null, binding: binding(x) } }
    case 'member.bound': { return { v: 1, type, at, binding: binding({ id: victim.id, writer: randomBytes(32).toString('hex') }) } }
    case 'member.revoked': return { v: 1, type, at, peer: victim.id.peerKey, reason: 'test', epoch: 1, sealed: {} }
    case 'card.registered': return { v: 1, type, at, card: by.role === 'admin' && at < 3000 ? card : CardId.parse('B001'), files: 1, bytes: 5, label: '' }
    case 'file.recorded': return { v: 1, type, at, card, path: 'a.mxf', size: 5, mtime: 1, hashes: { xxh64: '00000000000000aa' }, chunks: { cores: [], list: [] }, epoch: 0 }
    case 'copy.made': return { v: 1, type, at, card, path: 'a.mxf', location: loc }
    case 'copy.verified': return { v: 1, type, at, card, path: 'a.mxf', location: loc, result: 'ok', hashes: { xxh64: '00000000000000aa' }, detail: '' }
    case 'replica.received': return { v: 1, type, at, card, path: 'a.mxf', peer: by.id.peerKey, hashes: { xxh64: '00000000000000aa' } }
    case 'attestation.recorded': return { v: 1, type, at, attestation: signAttestation(by.id, { production, card, path: 'a.mxf', size: 5, hashes: { xxh64: '00000000000000aa' }, verifiedAt: at, mode: 'plaintext' }) }
    case 'policy.changed': return { v: 1, type, at, policy: { copies: 1, peers: 1, offsite: 0 } }
    case 'note.changed': return { v: 1, type, at, card, update: 'AAA=' }
    case 'alert.raised': return { v: 1, type, at, kind: 'k', severity: 'info', message: 'm', subject: '' }
    case 'alert.acked': return { v: 1, type, at, alert: 'nope' }
    case 'mhl.generation': return { v: 1, type, at, card, peer: by.id.peerKey, dir: '/x', generation: 1, process: 'in-place', c4: 'c4' + '1'.repeat(88) }
  }
}

describe('authorization: every role × every event type', () => {
  it('only allowed roles get their events applied; everything else is rejected with a reason and an alert', async () => {
    const results: string[] = []
    for (const role of ROLES) {
      for (const type of EVENT_TYPES) {
        const { run, q, admin } = await freshView()
        const actor = role === 'admin' ? await member(run, admin, 'admin') : await member(run, admin, role)
        const victim = await member(run, admin, 'lab')
        // an admitted member without a writer core yet, for member.bound
        const unbound = { id: generateIdentity(), writer: '', role: 'lab' as Role }
        await run(admin.writer, { v: 1, type: 'member.admitted', at: 2100, peer: unbound.id.peerKey, role: 'lab', name: 'u', expiresAt: null, secrets: null, invite: null, binding: null })
        // the card and file exist so that card/file events have a subject
        await run(admin.writer, sample('card.registered', admin, 2500, victim))
        await run(admin.writer, sample('file.recorded', admin, 2600, victim))
        const before = (await q.rejected()).length
        await run(actor.writer, sample(type, actor, 3000, type === 'member.bound' ? unbound : victim))
        const rej = await q.rejected()
        const allowed = ALLOWED[type].includes(role) && type !== 'production.created'
        const wasRejected = rej.length > before
        // production.created is only ever valid once, from the bootstrap writer
        if (allowed && wasRejected) {
          const reason = rej[rej.length - 1]!.reason
          // alert.acked of a missing alert is a data error, not an authorization one
          if (!(type === 'alert.acked' && /no alert/.test(reason))) results.push(`${role} ${type}: unexpectedly rejected (${reason})`)
        }
        if (!allowed && !wasRejected) results.push(`${role} ${type}: unexpectedly accepted`)
        if (!allowed && wasRejected) {
          expect(rej[rej.length - 1]!.reason.length).toBeGreaterThan(5)
          expect((await q.alerts()).some((a) => a.kind === 'rejected-event')).toBe(true)
        }
      }
    }
    expect(results).toEqual([])
  })

  it('post and vault members are recorded with their binding but never added as writers', async () => {
    const { run, host, admin } = await freshView()
    const post = await member(run, admin, 'post')
    const vault = await member(run, admin, 'vault')
    const lab = await member(run, admin, 'lab')
    expect(host.writers.has(post.writer)).toBe(false)
    expect(host.writers.has(vault.writer)).toBe(false)
    expect(host.writers.get(lab.writer)).toBe(false) // a writer, not an indexer
    const adm2 = await member(run, admin, 'admin')
    expect(host.writers.get(adm2.writer)).toBe(true) // admins index
  })

  it('expired: events claimed after expiry are rejected, before it accepted; the reader sees the member as expired', async () => {
    const { run, q, admin } = await freshView()
    const lab = await member(run, admin, 'lab', 5000)
    await run(lab.writer, sample('alert.raised', lab, 4999, lab))
    expect(await q.rejected()).toHaveLength(0)
    await run(lab.writer, sample('alert.raised', lab, 5000, lab))
    const rej = await q.rejected()
    expect(rej).toHaveLength(1)
    expect(rej[0]!.reason).toMatch(/expired/)
    expect((await q.member(lab.id.peerKey, 6000))?.effective).toBe('expired')
    expect((await q.member(lab.id.peerKey, 4000))?.effective).toBe('active')
  })

  it('revoked: later events rejected, the writer removed, the data key epoch advanced, no readmission', async () => {
    const { run, q, host, admin } = await freshView()
    const lab = await member(run, admin, 'lab')
    await run(admin.writer, sample('member.revoked', admin, 4000, lab))
    expect(host.writers.has(lab.writer)).toBe(false)
    expect(await q.epoch()).toBe(1)
    await run(lab.writer, sample('card.registered', lab, 4100, lab))
    expect((await q.rejected()).pop()!.reason).toMatch(/revoked/)
    await run(admin.writer, { v: 1, type: 'member.admitted', at: 4200, peer: lab.id.peerKey, role: 'lab', name: 'again', expiresAt: null, secrets: null, invite: null, binding: null })
    expect((await q.rejected()).pop()!.reason).toMatch(/never readmitted/)
    // a second revocation must use the next epoch
    const dit = await member(run, admin, 'dit')
    await run(admin.writer, { ...sample('member.revoked', admin, 4300, dit), epoch: 1 } as CustodyEvent)
    expect((await q.rejected()).pop()!.reason).toMatch(/epoch 2/)
  })

  it('a forged admission from a non-admin is rejected and raises an alert', async () => {
    const { run, q, host, admin } = await freshView()
    const lab = await member(run, admin, 'lab')
    const accomplice = { id: generateIdentity(), writer: randomBytes(32).toString('hex') }
    await run(lab.writer, { v: 1, type: 'member.admitted', at: 3000, peer: accomplice.id.peerKey, role: 'admin', name: 'evil', expiresAt: null, secrets: null, invite: null, binding: binding(accomplice) })
    expect(await q.member(accomplice.id.peerKey)).toBeNull()
    expect(host.writers.has(accomplice.writer)).toBe(false)
    expect((await q.rejected()).pop()!.reason).toMatch(/role lab may not append member.admitted/)
    expect((await q.alerts({ open: true }))[0]!.message).toMatch(/rejected member.admitted/)
  })

  it('a writer binding signed by someone else is rejected (nobody attaches a core to another identity)', async () => {
    const { run, q, admin } = await freshView()
    const victim = generateIdentity()
    const attacker = generateIdentity()
    const writer = randomBytes(32).toString('hex')
    const forged = { peer: victim.peerKey, writer, sig: sign(attacker, 'writer-binding', bindingPayload(production, writer)).toString('hex') }
    await run(admin.writer, { v: 1, type: 'member.admitted', at: 3000, peer: victim.peerKey, role: 'lab', name: 'v', expiresAt: null, secrets: null, invite: null, binding: forged })
    expect((await q.rejected()).pop()!.reason).toMatch(/binding .* does not verify/)
  })

  it('events from unknown writers and malformed values are rejected, never thrown', async () => {
    const { run, q } = await freshView()
    await run(randomBytes(32).toString('hex'), sample('alert.raised', { id: generateIdentity(), writer: '', role: 'lab' }, 1, { id: generateIdentity(), writer: '', role: 'lab' }))
    await run(production, { v: 2, type: 'alert.raised' })
    await run(production, 'just a string')
    await run(production, { v: 1, type: 'file.recorded', at: 1, card: '../etc', path: '/abs' })
    const reasons = (await q.rejected()).map((r) => r.reason)
    expect(reasons[0]).toMatch(/not bound to any member/)
    expect(reasons[1]).toMatch(/unsupported event version/)
    expect(reasons[2]).toMatch(/must be an object/)
    expect(reasons[3]).toMatch(/card must be a card name/)
  })
})

describe('apply: edge cases found in review', () => {
  it('the alert of a rejected event can be acknowledged by the id the queries show', async () => {
    const { run, q, admin } = await freshView()
    await run(randomBytes(32).toString('hex'), { v: 1, type: 'alert.raised', at: 1, kind: 'k', severity: 'info', message: 'm', subject: '' })
    const [a] = await q.alerts({ open: true })
    expect(a?.kind).toBe('rejected-event')
    await run(admin.writer, { v: 1, type: 'alert.acked', at: 3000, alert: a!.id })
    expect((await q.rejected()).map((r) => r.reason)).not.toContainEqual(expect.stringMatching(/no alert/))
    expect(await q.alerts({ open: true })).toEqual([])
  })

  it('a hash-mismatch alert survives the rejection of the event that raised it', async () => {
    const { run, q, admin } = await freshView()
    const victim = await member(run, admin, 'lab')
    await run(admin.writer, sample('card.registered', admin, 2500, victim))
    await run(admin.writer, sample('file.recorded', admin, 2600, victim))
    await run(admin.writer, { ...sample('copy.verified', admin, 2700, victim), hashes: { xxh64: '00000000000000bb' } } as CustodyEvent)
    const kinds = (await q.alerts()).map((a) => a.kind).sort()
    expect(kinds).toEqual(['hash-mismatch', 'rejected-event'])
    expect((await q.alerts()).find((a) => a.kind === 'hash-mismatch')!.message).toMatch(/00000000000000bb/)
  })

  it('a rejected admission leaves no trace but the rejection: no member record, the invite stays unused', async () => {
    const { run, q, admin } = await freshView()
    const victim = generateIdentity()
    const attacker = generateIdentity()
    const writer = randomBytes(32).toString('hex')
    const forged = { peer: victim.peerKey, writer, sig: sign(attacker, 'writer-binding', bindingPayload(production, writer)).toString('hex') }
    const invite = 'ab'.repeat(32)
    await run(admin.writer, { v: 1, type: 'member.admitted', at: 3000, peer: victim.peerKey, role: 'lab', name: 'v', expiresAt: null, secrets: null, invite, binding: forged })
    expect((await q.rejected()).pop()!.reason).toMatch(/does not verify/)
    expect(await q.member(victim.peerKey)).toBeNull()
    expect(await q.inviteUse(invite)).toBeNull()
  })

  it('expiry uses the writer\'s running maximum claimed time: backdating after an expired claim is rejected too', async () => {
    const { run, q, admin } = await freshView()
    const lab = await member(run, admin, 'lab', 5000)
    await run(lab.writer, sample('alert.raised', lab, 4000, lab))
    await run(lab.writer, sample('alert.raised', lab, 6000, lab))
    await run(lab.writer, sample('alert.raised', lab, 4500, lab)) // a clock turned back
    const rej = await q.rejected()
    expect(rej.map((r) => r.at)).toEqual([6000, 4500])
    expect(rej[1]!.reason).toMatch(/expired/)
    // a member without expiry may have its clock step back: nothing is rejected for that
    const dit = await member(run, admin, 'dit')
    await run(dit.writer, sample('alert.raised', dit, 9000, dit))
    await run(dit.writer, sample('alert.raised', dit, 8000, dit))
    expect(await q.rejected()).toHaveLength(2)
  })
})

describe('authorization: expired and revoked writers × every event type', () => {
  it('every event type from an expired or a revoked admin, dit or lab is rejected with that reason', async () => {
    const problems: string[] = []
    for (const role of ['admin', 'dit', 'lab'] as const) {
      for (const state of ['expired', 'revoked'] as const) {
        const { run, q, host, admin } = await freshView()
        host.writers.set(admin.writer, true) // the bootstrap writer indexes, as in Autobase
        const actor = await member(run, admin, role, state === 'expired' ? 2500 : null)
        const victim = await member(run, admin, 'lab')
        await run(admin.writer, sample('card.registered', admin, 2500, victim))
        await run(admin.writer, sample('file.recorded', admin, 2600, victim))
        if (state === 'revoked') await run(admin.writer, { v: 1, type: 'member.revoked', at: 2700, peer: actor.id.peerKey, reason: 'r', epoch: 1, sealed: {} })
        if (state === 'revoked') expect((await q.member(actor.id.peerKey))?.state).toBe('revoked')
        for (const type of EVENT_TYPES) {
          const before = await q.rejected()
          await run(actor.writer, sample(type, actor, 3000, victim))
          const after = await q.rejected()
          const last = after[after.length - 1]
          if (after.length !== before.length + 1) problems.push(`${state} ${role} ${type}: accepted`)
          else if (type !== 'production.created' && !new RegExp(state).test(last!.reason)) problems.push(`${state} ${role} ${type}: rejected for "${last!.reason}"`)
        }
        expect((await q.alerts()).filter((a) => a.kind === 'rejected-event').length).toBeGreaterThanOrEqual(EVENT_TYPES.length)
      }
    }
    expect(problems).toEqual([])
  })
})
