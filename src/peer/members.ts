/** Admitting and revoking members: the admin's side of DESIGN.md's membership rules. */
import { OnsetError } from '../base/errors.ts'
import { PeerKey } from '../crypto/ids.ts'
import { newSecret } from '../crypto/secrets.ts'
import { sealSecretsTo } from '../log/custody-log.ts'
import type { Role, WriterBinding } from '../log/events.ts'
import { saveHome } from './home.ts'
import type { Production } from './production.ts'

export async function requireAdmin(p: Production): Promise<void> {
  const me = await p.log.queries.member(p.home.identity.peerKey)
  if (!me || me.effective !== 'active' || me.role !== 'admin') {
    throw new OnsetError('NOT_AUTHORIZED', `this peer (${PeerKey.short(p.home.identity.peerKey)}) is not an admin of ${p.held.name}`, { hint: 'ask a production admin to do this' })
  }
}

/** Admit a member with every secret this peer holds sealed to it. */
export async function addMember(p: Production, o: { peer: PeerKey, role: Role, name: string, expiresAt: number | null, invite?: string | null, binding?: WriterBinding | null }): Promise<void> {
  await requireAdmin(p)
  const existing = await p.log.queries.member(o.peer)
  if (existing && existing.state === 'active') throw new OnsetError('ALREADY_EXISTS', `${PeerKey.short(o.peer)} is already a member (${existing.role})`)
  if (existing && existing.state === 'revoked') throw new OnsetError('NOT_AUTHORIZED', `${PeerKey.short(o.peer)} was revoked; a revoked identity is never readmitted`, { hint: 'the peer must create a new identity with `onset init`' })
  // vault members are blind: they never receive the secrets
  const secrets = o.role === 'vault' ? null : sealSecretsTo(o.peer, p.secrets)
  await p.log.append({ type: 'member.admitted', peer: o.peer, role: o.role, name: o.name.slice(0, 200), expiresAt: o.expiresAt, secrets, invite: o.invite ?? null, binding: o.binding ?? null })
}

/** Revoke a member and rotate the data key: a fresh epoch secret sealed to everyone who remains. */
export async function revokeMember(p: Production, peer: PeerKey, reason: string, passphrase: string | null): Promise<number> {
  await requireAdmin(p)
  const m = await p.log.queries.member(peer)
  if (!m) throw new OnsetError('NOT_FOUND', `${PeerKey.short(peer)} is not a member`)
  if (m.state === 'revoked') throw new OnsetError('ALREADY_EXISTS', `${PeerKey.short(peer)} is already revoked`)
  if (peer === p.home.identity.peerKey) throw new OnsetError('NOT_AUTHORIZED', 'an admin cannot revoke itself')
  const epoch = (await p.log.queries.epoch()) + 1
  const secret = newSecret()
  const sealed: Record<string, string> = {}
  p.secrets.addEpoch(epoch, secret)
  for (const other of await p.log.queries.members()) {
    if (other.peer === peer || other.effective !== 'active' || other.role === 'vault') continue
    sealed[other.peer] = sealSecretsTo(other.peer, p.secrets, [epoch])
  }
  await p.log.append({ type: 'member.revoked', peer, reason: reason.slice(0, 2000), epoch, sealed })
  await saveHome(p.home, passphrase)
  return epoch
}
