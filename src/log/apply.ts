/**
 * apply(): the deterministic, pure reducer from linearized custody events to the view, and the
 * authorization gate. No clock, no randomness, no I/O besides the view and the Autobase host.
 *
 * For each node: decode and validate the event; find the writer's member record (the writer
 * core key is bound to a peer identity by a verified signature, see WriterBinding); check the
 * role allows the event type and the membership is active and not expired at the event's claimed
 * time; then apply it. Anything else becomes a `rejected/<seq>` record plus an alert: a bad event
 * never throws out of apply() and never stops the log.
 */
import type Hyperbee from 'hyperbee'
import type Autobase from 'autobase'
import { PeerKey, ProductionKey } from '../crypto/ids.ts'
import { verify } from '../crypto/sign.ts'
import { openAttestation } from './attestation.ts'
import { ALLOWED, WRITER_ROLES, decodeEvent, describeEvent, locationKey, subjectOf, type CustodyEvent, type Location, type WriterBinding } from './events.ts'
import { countCopies } from './policy.ts'
import { K, prefixEnd, type AlertRecord, type CardRecord, type CopyRecord, type FileRecord, type MemberRecord, type ProductionRecord } from './view.ts'

export type View = Hyperbee<string, unknown>

export interface ApplyContext {
  /** the production key (the Autobase key): bindings are signed over it */
  productionKey: ProductionKey
}

class Reject extends Error {}
const reject = (why: string): never => { throw new Reject(why) }

export function bindingPayload(production: ProductionKey, writerHex: string): Buffer {
  return Buffer.concat([ProductionKey.toBytes(production), Buffer.from(writerHex, 'hex')])
}

export function verifyBinding(ctx: ApplyContext, b: WriterBinding): boolean {
  return verify(PeerKey.toBytes(b.peer), 'writer-binding', bindingPayload(ctx.productionKey, b.writer), Buffer.from(b.sig, 'hex'))
}

async function get<T>(view: View, key: string): Promise<T | null> {
  const e = await view.get(key)
  return e ? (e.value as T) : null
}

async function list<T>(view: View, prefix: string): Promise<T[]> {
  const out: T[] = []
  for await (const e of view.createReadStream({ gte: prefix, lt: prefixEnd(prefix) })) out.push(e.value as T)
  return out
}

export function makeApply(ctx: ApplyContext) {
  return async function apply(nodes: Autobase.ApplyNode<unknown>[], view: View, host: Autobase.Host): Promise<void> {
    let seq = (await get<number>(view, K.seq)) ?? 0
    for (const node of nodes) {
      if (node.value === null || node.value === undefined) continue // acks
      seq++
      const writer = node.from.key.toString('hex')
      const d = decodeEvent(node.value)
      if (!d.ok) {
        await rejected(view, seq, writer, typeof (node.value as { type?: unknown })?.type === 'string' ? String((node.value as { type: string }).type).slice(0, 64) : '?', d.reason, null)
        continue
      }
      try {
        await applyEvent(ctx, view, host, seq, writer, d.event)
      } catch (err) {
        if (!(err instanceof Reject)) throw err // a bug: let Autobase surface it
        await rejected(view, seq, writer, d.event.type, err.message, d.event.at)
      }
    }
    await view.put(K.seq, seq)
  }
}

async function rejected(view: View, seq: number, writer: string, type: string, reason: string, at: number | null): Promise<void> {
  const peer = await get<PeerKey>(view, K.writer(writer))
  let rkey = K.rejected(seq)
  for (let i = 1; await get(view, rkey); i++) rkey = `${K.rejected(seq)}.${i}`
  await view.put(rkey, { seq, writer, peer, type, reason, at })
  // through raise(): an alert the event raised before its rejection (e.g. hash-mismatch) is kept,
  // and the id is the padded one that `alert.acked` names
  await raise(view, seq, at ?? 0, null, 'critical', 'rejected-event',
    `rejected ${type} from ${peer ? PeerKey.short(peer) : `unknown writer ${writer.slice(0, 8)}`}: ${reason}`, peer ?? writer)
}

async function applyEvent(ctx: ApplyContext, view: View, host: Autobase.Host, seq: number, writer: string, e: CustodyEvent): Promise<void> {
  const production = await get<ProductionRecord>(view, K.production)

  if (e.type === 'production.created') {
    if (production) reject('the production already exists')
    if (writer !== ctx.productionKey) reject('only the bootstrap writer can create the production')
    if (e.binding.writer !== writer || !verifyBinding(ctx, e.binding)) reject('the creator\'s writer binding does not verify')
    const rec: ProductionRecord = { name: e.name, policy: e.policy, createdBy: e.binding.peer, createdAt: e.at }
    await view.put(K.production, rec)
    await view.put(K.epoch, 0)
    const m: MemberRecord = {
      peer: e.binding.peer, role: 'admin', name: e.creatorName, expiresAt: null, state: 'active', writer,
      admittedBy: e.binding.peer, admittedAt: e.at, revokedAt: null, revokeReason: null, secrets: e.secrets, invite: null,
    }
    await view.put(K.member(m.peer), m)
    await view.put(K.writer(writer), m.peer)
    await timeline(view, seq, e, m.peer)
    return
  }

  if (!production) return reject('no production yet: the first event must be production.created')
  const peer = await get<PeerKey>(view, K.writer(writer))
  if (!peer) return reject('the writer is not bound to any member')
  const me = await get<MemberRecord>(view, K.member(peer))
  if (!me) return reject('the writer is not a member')
  // The writer's clock, as it claims it, never goes back for expiry purposes: once a member has
  // claimed a time past its expiry, backdating later events does not bring it back. Expiry is
  // fixed at admission, so only members that have one need the running maximum.
  let claimed = e.at
  if (me.expiresAt !== null) {
    const prevClaim = (await get<number>(view, K.clock(peer))) ?? 0
    claimed = Math.max(prevClaim, e.at)
    if (claimed !== prevClaim) await view.put(K.clock(peer), claimed)
  }
  if (me.state === 'revoked') reject(`${PeerKey.short(peer)} was revoked${me.revokeReason ? ` (${me.revokeReason})` : ''}`)
  if (me.expiresAt !== null && claimed >= me.expiresAt) reject(`${PeerKey.short(peer)}'s membership expired at ${new Date(me.expiresAt).toISOString()} (event claims ${new Date(e.at).toISOString()}${claimed !== e.at ? `, after claiming ${new Date(claimed).toISOString()}` : ''})`)
  if (!ALLOWED[e.type].includes(me.role)) reject(`role ${me.role} may not append ${e.type}`)

  switch (e.type) {
    case 'member.admitted': {
      const existing = await get<MemberRecord>(view, K.member(e.peer))
      if (existing && existing.state === 'active') reject(`${PeerKey.short(e.peer)} is already a member`)
      if (existing && existing.state === 'revoked') reject(`${PeerKey.short(e.peer)} was revoked; a revoked identity is never readmitted (use a new identity)`)
      // every check before the first write: a rejected admission leaves nothing behind
      if (e.binding) await checkBinding(ctx, view, { peer: e.peer, writer: null }, e.binding)
      if (e.invite) {
        if (await get(view, K.invite(e.invite))) reject(`invite ${e.invite.slice(0, 8)} was already used`)
        await view.put(K.invite(e.invite), { peer: e.peer, at: e.at, by: peer })
      }
      const m: MemberRecord = {
        peer: e.peer, role: e.role, name: e.name, expiresAt: e.expiresAt, state: 'active', writer: null,
        admittedBy: peer, admittedAt: e.at, revokedAt: null, revokeReason: null, secrets: e.secrets, invite: e.invite,
      }
      await view.put(K.member(e.peer), m)
      if (e.binding) await bind(ctx, view, host, m, e.binding)
      break
    }
    case 'member.bound': {
      const m = await get<MemberRecord>(view, K.member(e.binding.peer))
      if (!m || m.state !== 'active') reject(`${PeerKey.short(e.binding.peer)} is not an active member`)
      await bind(ctx, view, host, m!, e.binding)
      break
    }
    case 'member.revoked': {
      const m = await get<MemberRecord>(view, K.member(e.peer))
      if (!m) reject(`${PeerKey.short(e.peer)} is not a member`)
      if (m!.state === 'revoked') reject(`${PeerKey.short(e.peer)} is already revoked`)
      if (e.peer === peer) reject('an admin cannot revoke itself')
      const epoch = (await get<number>(view, K.epoch)) ?? 0
      if (e.epoch !== epoch + 1) reject(`revocation must start data-key epoch ${epoch + 1}, not ${e.epoch}`)
      if (m!.writer) {
        const key = Buffer.from(m!.writer, 'hex')
        if (!host.removeable(key)) reject(`${PeerKey.short(e.peer)} is the last indexer and cannot be removed`)
        await host.removeWriter(key)
      }
      await view.put(K.member(e.peer), { ...m!, state: 'revoked', revokedAt: e.at, revokeReason: e.reason })
      await view.put(K.epoch, e.epoch)
      await view.put(K.epochRec(e.epoch), { epoch: e.epoch, at: e.at, by: peer, revoked: e.peer, sealed: e.sealed })
      break
    }
    case 'policy.changed': {
      await view.put(K.production, { ...production, policy: e.policy })
      for await (const entry of view.createReadStream({ gte: 'card/', lt: prefixEnd('card/') })) {
        await recountCard(view, entry.value as CardRecord, e.policy)
      }
      break
    }
    case 'card.registered': {
      const c = await get<CardRecord>(view, K.card(e.card))
      if (c && c.registeredBy !== peer) reject(`card ${e.card} was registered by ${PeerKey.short(c.registeredBy)}`)
      const rec: CardRecord = c
        ? { ...c, files: e.files, bytes: e.bytes, label: e.label || c.label }
        : { card: e.card, files: e.files, bytes: e.bytes, label: e.label, registeredBy: peer, registeredAt: e.at, recorded: 0, met: 0, everProtected: false, firstRecordedAt: e.at }
      await putCard(view, rec)
      break
    }
    case 'file.recorded': {
      const c = await get<CardRecord>(view, K.card(e.card))
      if (!c) reject(`card ${e.card} is not registered`)
      const prev = await get<FileRecord>(view, K.file(e.card, e.path))
      if (prev) {
        if (prev.size !== e.size || prev.hashes.xxh64 !== e.hashes.xxh64) {
          await raise(view, seq, e.at, peer, 'critical', 'hash-mismatch', `${e.card}/${e.path} recorded again with a different size or hash (was ${prev.size} bytes xxh64 ${prev.hashes.xxh64}, now ${e.size} bytes xxh64 ${e.hashes.xxh64})`, `${e.card}/${e.path}`)
          reject(`${e.card}/${e.path} is already recorded with different content`)
        }
        break // identical re-record (a resumed offload): nothing changes
      }
      const f: FileRecord = { card: e.card, path: e.path, size: e.size, mtime: e.mtime, hashes: e.hashes, chunks: e.chunks, epoch: e.epoch, recordedBy: peer, at: e.at, met: false }
      await view.put(K.file(e.card, e.path), f)
      await putCard(view, { ...c!, recorded: c!.recorded + 1 })
      break
    }
    case 'copy.made':
    case 'copy.verified':
    case 'replica.received': {
      const f = await get<FileRecord>(view, K.file(e.card, e.path))
      if (!f) reject(`${e.card}/${e.path} is not recorded`)
      const location: Location = e.type === 'replica.received' ? { kind: 'vault', peer: e.peer } : e.location
      if (e.type === 'replica.received' && e.peer !== peer) reject('a writer records only its own received replicas (others attest)')
      if (location.peer !== peer && e.type !== 'replica.received') reject(`a writer records only copies on its own machine, not on ${PeerKey.short(location.peer)}`)
      const key = K.copy(e.card, e.path, locationKey(location))
      const prev = await get<CopyRecord>(view, key)
      const rec: CopyRecord = prev ?? { location, madeBy: peer, madeAt: e.at, verified: null, history: [] }
      if (e.type !== 'copy.made') {
        const result = e.type === 'replica.received' ? 'ok' : e.result
        const detail = e.type === 'replica.received' ? 'received and verified' : e.detail
        if (result === 'ok' && f!.hashes.xxh64 && e.hashes.xxh64 && e.hashes.xxh64 !== f!.hashes.xxh64) {
          await raise(view, seq, e.at, peer, 'critical', 'hash-mismatch', `${e.card}/${e.path}: copy at ${locationKey(location)} reported ok with xxh64 ${e.hashes.xxh64}, recorded ${f!.hashes.xxh64}`, `${e.card}/${e.path}`)
          reject('verification result ok contradicts the recorded hash')
        }
        const v = { result, at: e.at, by: peer, hashes: e.hashes, detail }
        rec.verified = v
        rec.history = [...rec.history, v].slice(-20)
        if (result !== 'ok') await raise(view, seq, e.at, peer, 'critical', result === 'missing' ? 'copy-missing' : 'copy-failed', `${e.card}/${e.path}: copy at ${locationKey(location)} ${result}${detail ? ` (${detail})` : ''}`, `${e.card}/${e.path}`)
      }
      await view.put(key, rec)
      await refreshFile(view, f!, production.policy)
      break
    }
    case 'attestation.recorded': {
      let a
      try { a = openAttestation(e.attestation) } catch (err) { return reject((err as Error).message) }
      if (a.production !== ctx.productionKey) reject('the attestation is for another production')
      const attester = await get<MemberRecord>(view, K.member(a.peer))
      if (!attester || attester.state !== 'active') reject(`attesting peer ${PeerKey.short(a.peer)} is not an active member`)
      const f = await get<FileRecord>(view, K.file(a.card, a.path))
      if (!f) reject(`${a.card}/${a.path} is not recorded`)
      if (a.size !== f!.size || (a.hashes.xxh64 && f!.hashes.xxh64 && a.hashes.xxh64 !== f!.hashes.xxh64)) {
        await raise(view, seq, e.at, peer, 'critical', 'hash-mismatch', `${PeerKey.short(a.peer)} attests ${a.card}/${a.path} with size ${a.size} xxh64 ${a.hashes.xxh64 ?? '-'}, recorded ${f!.size} ${f!.hashes.xxh64}`, `${a.card}/${a.path}`)
        reject('the attested hashes differ from the recorded ones')
      }
      await view.put(K.attest(a.card, a.path, a.peer), { attestation: e.attestation, peer: a.peer, recordedBy: peer, at: e.at, verifiedAt: a.verifiedAt, mode: a.mode, hashes: a.hashes })
      const location: Location = { kind: 'vault', peer: a.peer }
      const key = K.copy(a.card, a.path, locationKey(location))
      const prev = await get<CopyRecord>(view, key)
      const v = { result: 'ok' as const, at: a.verifiedAt, by: a.peer, hashes: a.hashes, detail: `attested (${a.mode})` }
      await view.put(key, { location, madeBy: a.peer, madeAt: prev?.madeAt ?? a.verifiedAt, verified: v, history: [...(prev?.history ?? []), v].slice(-20) } satisfies CopyRecord)
      await refreshFile(view, f!, production.policy)
      await timeline(view, seq, e, peer, a.card, a.path, `recorded ${PeerKey.short(a.peer)}'s signed attestation: holds ${a.card}/${a.path} (${a.mode}), verified ${new Date(a.verifiedAt).toISOString()}`)
      return
    }
    case 'note.changed': {
      if (!(await get(view, K.card(e.card)))) reject(`card ${e.card} is not registered`)
      await view.put(K.note(e.card, seq), { update: e.update, by: peer, at: e.at })
      break
    }
    case 'alert.raised':
      await raise(view, seq, e.at, peer, e.severity, e.kind, e.message, e.subject)
      break
    case 'alert.acked': {
      const key = `alert/${e.alert}`
      const a = await get<AlertRecord>(view, key)
      if (!a) reject(`no alert ${e.alert}`)
      await view.put(key, { ...a!, acked: true, ackedBy: peer })
      break
    }
    case 'mhl.generation': {
      if (!(await get(view, K.card(e.card)))) reject(`card ${e.card} is not registered`)
      if (e.peer !== peer) reject('a writer records only MHL generations it wrote')
      break
    }
  }
  await timeline(view, seq, e, peer)
}

async function checkBinding(ctx: ApplyContext, view: View, m: Pick<MemberRecord, 'peer' | 'writer'>, b: WriterBinding): Promise<void> {
  if (b.peer !== m.peer) reject('the writer binding is for another peer')
  if (!verifyBinding(ctx, b)) reject(`the writer binding of ${PeerKey.short(m.peer)} does not verify`)
  if (m.writer) reject(`${PeerKey.short(m.peer)} already has a writer core`)
  const other = await get<PeerKey>(view, K.writer(b.writer))
  if (other) reject('that writer core is already bound')
}

async function bind(ctx: ApplyContext, view: View, host: Autobase.Host, m: MemberRecord, b: WriterBinding): Promise<void> {
  await checkBinding(ctx, view, m, b)
  await view.put(K.member(m.peer), { ...m, writer: b.writer })
  await view.put(K.writer(b.writer), m.peer)
  // post and vault members are never writers: their binding is recorded but not added
  if (WRITER_ROLES.includes(m.role)) await host.addWriter(Buffer.from(b.writer, 'hex'), { indexer: m.role === 'admin' })
}

async function raise(view: View, seq: number, at: number, by: PeerKey | null, severity: AlertRecord['severity'], kind: string, message: string, subject: string): Promise<void> {
  // several alerts can come from one event: suffix keeps them apart and ordered
  let id = String(seq).padStart(12, '0')
  for (let i = 1; await get(view, `alert/${id}`); i++) id = `${String(seq).padStart(12, '0')}.${i}`
  await view.put(`alert/${id}`, { id, seq, at, severity, kind, message, subject, raisedBy: by, acked: false, ackedBy: null } satisfies AlertRecord)
}

async function timeline(view: View, seq: number, e: CustodyEvent, by: PeerKey, card?: string, path?: string, text?: string): Promise<void> {
  const s = subjectOf(e)
  const c = card ?? s.card
  const rec = { seq, at: e.at, by, type: e.type, path: path ?? s.path ?? null, text: text ?? describeEvent(e) }
  // never overwrite an entry: if a sequence number is met twice (seen after a reorder following a
  // crash), the later entry gets a suffix that sorts right after it
  const base = c ? K.tl(c, seq) : K.tlx(seq)
  let key = base
  for (let i = 1; await get(view, key); i++) key = `${base}.${i}`
  await view.put(key, rec)
}

async function putCard(view: View, c: CardRecord): Promise<void> {
  const complete = c.recorded >= c.files
  const protectedNow = complete && c.met >= c.recorded
  await view.put(K.card(c.card), { ...c, everProtected: c.everProtected || protectedNow })
}

async function refreshFile(view: View, f: FileRecord, policy: ProductionRecord['policy']): Promise<void> {
  const c = await get<CardRecord>(view, K.card(f.card))
  if (!c) return
  const copies = await list<CopyRecord>(view, K.copyPrefix(f.card, f.path))
  const met = countCopies(copies, policy, c.registeredBy).met
  if (met === f.met) return
  await view.put(K.file(f.card, f.path), { ...f, met })
  await putCard(view, { ...c, met: c.met + (met ? 1 : -1) })
}

async function recountCard(view: View, c: CardRecord, policy: ProductionRecord['policy']): Promise<void> {
  let met = 0
  for await (const entry of view.createReadStream({ gte: K.filePrefix(c.card), lt: prefixEnd(K.filePrefix(c.card)) })) {
    const f = entry.value as FileRecord
    const copies = await list<CopyRecord>(view, K.copyPrefix(f.card, f.path))
    const m = countCopies(copies, policy, c.registeredBy).met
    if (m !== f.met) await view.put(entry.key, { ...f, met: m })
    if (m) met++
  }
  await putCard(view, { ...c, met })
}
