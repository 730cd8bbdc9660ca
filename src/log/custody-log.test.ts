import { afterEach, describe, expect, it } from 'vitest'
import { CardId } from '../crypto/ids.ts'
import { LogCluster, type TestPeer } from '../../test/helpers/log-peers.ts'
import { sealSecretsTo, openSealedSecrets } from './custody-log.ts'
import { buildNotes, notesOf, setNote, addTag, setCircled } from './notes.ts'

let cluster: LogCluster | null = null
afterEach(async () => { await cluster?.close(); cluster = null })

const A001 = CardId.parse('A001')
const A002 = CardId.parse('A002')
const chunks = { cores: [], list: [] }

async function admit(admin: TestPeer, p: TestPeer, role: 'dit' | 'lab' | 'post' | 'vault' | 'admin', extra: { expiresAt?: number | null } = {}) {
  await admin.log.append({ type: 'member.admitted', peer: p.identity.peerKey, role, name: p.name, expiresAt: extra.expiresAt ?? null, secrets: sealSecretsTo(p.identity.peerKey, cluster!.secrets), invite: null, binding: p.log.binding() })
}

/** A production with a dit and a lab admitted, bound and writable, every view converged. */
async function withWriters(): Promise<{ c: LogCluster, admin: TestPeer, dit: TestPeer, lab: TestPeer }> {
  const { cluster: c, admin } = await LogCluster.create()
  cluster = c
  const dit = await c.addPeer('dit')
  const lab = await c.addPeer('lab')
  c.connectAll()
  await admit(admin, dit, 'dit')
  await admit(admin, lab, 'lab')
  await c.until(() => dit.log.writable && lab.log.writable, 'dit and lab to become writers')
  return { c, admin, dit, lab }
}

describe('custody log', () => {
  it('creates a production whose creator is its admin, with secrets sealed to it', async () => {
    const { cluster: c, admin } = await LogCluster.create({ name: 'Night Shoot' })
    cluster = c
    const p = await admin.log.queries.production()
    expect(p?.name).toBe('Night Shoot')
    const [m] = await admin.log.queries.members()
    expect(m?.role).toBe('admin')
    expect(m?.peer).toBe(admin.identity.peerKey)
    const opened = openSealedSecrets(admin.identity, m!.secrets!)
    expect(opened[0]![1].equals(c.secrets.root)).toBe(true)
  })

  it('two writers append while partitioned, reconnect, and all three views are identical; concurrent notes merge', async () => {
    const { c, admin, dit, lab } = await withWriters()
    await dit.log.append({ type: 'card.registered', card: A001, files: 1, bytes: 10, label: '' })
    await c.converge()

    // partition: every link down
    c.disconnectAll()
    await dit.log.append({ type: 'card.registered', card: A002, files: 2, bytes: 20, label: 'B cam' })
    await dit.log.append({ type: 'file.recorded', card: A002, path: 'Clips/A002C001.mxf', size: 10, mtime: 1, hashes: { xxh64: '0123456789abcdef' }, chunks, epoch: 0 })
    const dDoc = buildNotes((await dit.log.queries.noteUpdates(A001)).map((n) => n.update))
    const lDoc = buildNotes((await lab.log.queries.noteUpdates(A001)).map((n) => n.update))
    await dit.log.append({ type: 'note.changed', card: A001, update: setNote(dDoc, 'A001C001', 'focus buzz at 00:12')! })
    await dit.log.append({ type: 'note.changed', card: A001, update: setCircled(dDoc, 'A001C001', true)! })
    await lab.log.append({ type: 'note.changed', card: A001, update: addTag(lDoc, 'A001C001', 'hero')! })
    await lab.log.append({ type: 'note.changed', card: A001, update: setNote(lDoc, 'A001C002', 'flare')! })
    await lab.log.append({ type: 'alert.raised', kind: 'test', severity: 'info', message: 'lab was offline', subject: '' })
    const before = await c.dumps()
    expect(before[1]).not.toBe(before[2])

    c.connectAll()
    await c.converge()
    const notes = notesOf(buildNotes((await admin.log.queries.noteUpdates(A001)).map((n) => n.update)))
    expect(notes.A001C001).toEqual({ note: 'focus buzz at 00:12', circled: true, tags: ['hero'] })
    expect(notes.A001C002?.note).toBe('flare')
    expect((await lab.log.queries.cards()).map((x) => x.card)).toEqual(['A001', 'A002'])
    expect((await admin.log.queries.files(A002)).map((f) => f.path)).toEqual(['Clips/A002C001.mxf'])
  })

  it('the log is encrypted: a peer without the log key sees ciphertext only', async () => {
    const { cluster: c, admin } = await LogCluster.create({ name: 'SECRET-TITLE-xyz' })
    cluster = c
    const core = admin.store.get({ key: admin.log.base.local.key, encryption: null })
    await core.ready()
    const raw = Buffer.concat(await Promise.all(Array.from({ length: core.length }, (_, i) => core.get(i, { decrypt: false }) as Promise<Buffer>)))
    expect(raw.length).toBeGreaterThan(0)
    expect(raw.includes(Buffer.from('SECRET-TITLE-xyz'))).toBe(false)
    expect(raw.includes(Buffer.from('production.created'))).toBe(false)
    await core.close()
  })

  it('a non-writer (post) cannot append: clear NOT_AUTHORIZED error', async () => {
    const { cluster: c, admin } = await LogCluster.create()
    cluster = c
    const post = await c.addPeer('post')
    c.connectAll()
    await admit(admin, post, 'post')
    await c.converge()
    expect(post.log.writable).toBe(false)
    await expect(post.log.append({ type: 'alert.raised', kind: 'x', severity: 'info', message: 'hi', subject: '' })).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' })
    const m = await admin.log.queries.member(post.identity.peerKey)
    expect(m?.role).toBe('post')
    expect(m?.writer).toBe(post.log.writerKey)
  })
})

describe('custody log: revocation while partitioned', () => {
  it("a writer revoked while offline: its later events never take effect anywhere, and the views converge", async () => {
    const { c, admin, dit, lab } = await withWriters()
    await lab.log.append({ type: 'card.registered', card: A001, files: 1, bytes: 1, label: '' })
    await c.converge()
    c.disconnect(admin, lab); c.disconnect(dit, lab)
    // the admin revokes the lab; the lab, unaware, keeps writing
    await admin.log.append({ type: 'member.revoked', peer: lab.identity.peerKey, reason: 'laptop stolen', epoch: 1, sealed: {} })
    await lab.log.append({ type: 'card.registered', card: A002, files: 1, bytes: 1, label: 'written after revocation' })
    c.connectAll()
    await c.converge([admin, dit], 'admin and dit to converge')
    expect(await admin.log.queries.card(A002)).toBeNull()
    expect((await admin.log.queries.member(lab.identity.peerKey))?.effective).toBe('revoked')
    expect(await admin.log.queries.epoch()).toBe(1)
    expect((await dit.log.queries.card(A002))).toBeNull()
  })
})
